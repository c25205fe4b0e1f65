//! Data exports: the live records of a plan as typed sheets (sessions,
//! attendance, support turns, targets), filtered by unit and period. The
//! caller decides what a user may export (a unit reporter: their unit only);
//! XLSX and CSV writers live in kehoach-report.

use std::collections::HashMap;

use kehoach_core::engine::Standing;
use kehoach_core::report::{Cell, Sheet};
use kehoach_core::{Day, Plan, Roster, SessionKind};

use crate::{Result, Store};

/// Which records to export (None: no filter).
#[derive(Debug, Clone, Default)]
pub struct ExportFilter {
    pub unit_id: Option<String>,
    /// First and last day (ISO), inclusive.
    pub from: Option<Day>,
    pub to: Option<Day>,
}

impl ExportFilter {
    /// SQL conditions on a unit and a day column (parameters from `$2`, the
    /// plan being `$1`) and their values: only the filters in use, so the
    /// database can use its (plan, day) and (plan, unit, day) indexes.
    fn sql(&self, unit_col: &str, day_col: &str) -> (String, Vec<String>) {
        let mut cond = String::new();
        let mut binds = Vec::new();
        let mut add = |c: String, v: String| {
            binds.push(v);
            cond.push_str(&format!(" AND {c} ${}", binds.len() + 1));
        };
        if let Some(u) = &self.unit_id {
            add(format!("{unit_col} ="), u.clone());
        }
        if let Some(d) = self.from {
            add(format!("{day_col} >="), d.iso());
        }
        if let Some(d) = self.to {
            add(format!("{day_col} <="), d.iso());
        }
        (cond, binds)
    }
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

fn opt(s: Option<String>) -> Cell {
    s.filter(|x| !x.is_empty()).map(Cell::Text).unwrap_or(Cell::Empty)
}

fn day(s: &str) -> Cell {
    Day::parse_iso(s).map(Cell::Date).unwrap_or_else(|| text(s))
}

/// Separators of packed rows: fields, records, and the mark of a NULL. Text
/// in the database never holds them (inputs are cleaned of control characters).
const FIELD: char = '\u{1f}';
const RECORD: char = '\u{1e}';
const NULL: char = '\u{2}';

fn int(s: Option<&str>) -> Option<i64> {
    s.and_then(|x| x.parse().ok())
}

/// The records of a packed string with `n` fields each, borrowed from it.
fn unpack(packed: &str, n: usize) -> impl Iterator<Item = Vec<Option<&str>>> {
    packed
        .split(RECORD)
        .filter(|r| !r.is_empty())
        .map(|r| {
            r.split(FIELD)
                .map(|f| (!f.starts_with(NULL)).then_some(f))
                .collect::<Vec<_>>()
        })
        .filter(move |r| r.len() == n)
}

/// One contest entry as exported.
type SessionTuple = (
    String,
    String,
    String,
    Option<String>,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    i64,
    Option<String>,
);

type EntryTuple = (
    String,
    i64,
    i64,
    String,
    Option<String>,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    Option<i64>,
    Option<String>,
);

impl Store {
    /// The rows of `inner` (a SELECT whose columns are named `c0`, `c1`…)
    /// fetched as one string the database concatenates, then split here:
    /// reading a hundred thousand rows one by one through the driver costs
    /// several microseconds each, this a fraction. Order is not kept: sort
    /// the result. `nullable[i]`: column `ci` may be NULL (the others are
    /// NOT NULL columns, concatenated as they are).
    async fn packed(&self, inner: &str, nullable: &[bool], binds: &[String]) -> Result<String> {
        let fields: Vec<String> = nullable
            .iter()
            .enumerate()
            .map(|(i, null)| {
                if *null {
                    format!("COALESCE(CAST(q.c{i} AS TEXT), '{NULL}')")
                } else {
                    format!("q.c{i}")
                }
            })
            .collect();
        let expr = fields.join(&format!(" || '{FIELD}' || "));
        let agg = match self.backend() {
            crate::Backend::Sqlite => "group_concat",
            crate::Backend::Postgres => "string_agg",
        };
        let sql = format!("SELECT {agg}({expr}, '{RECORD}') FROM ({inner}) q");
        let mut q = sqlx::query_as::<_, (Option<String>,)>(sqlx::AssertSqlSafe(sql));
        for v in binds {
            q = q.bind(v);
        }
        Ok(q.fetch_one(self.read_pool()).await?.0.unwrap_or_default())
    }

    /// A plan's contest entries for the export (no contact).
    async fn export_entries(&self, pid: &str, f: &ExportFilter) -> Result<Vec<EntryTuple>> {
        let (cond, binds) = f.sql("e.unit_id", "e.submitted_day");
        let sql = format!(
            "SELECT e.line_id, e.number, e.submitted_at, e.title, e.category, e.entrant_kind, e.entrant_name, e.members, u.name, \
         e.affiliation, e.status, d.number, e.prize FROM contest_entries e LEFT JOIN units u ON u.id = e.unit_id \
         LEFT JOIN contest_entries d ON d.id = e.duplicate_of \
         WHERE e.plan_id = $1{cond} ORDER BY e.line_id, e.number"
        );
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(pid);
        for v in &binds {
            q = q.bind(v);
        }
        Ok(q.fetch_all(self.read_pool()).await?)
    }

    /// Every live record the filter selects, one sheet per record kind, and
    /// the targets' `standings` (the engine's board, computed by the caller).
    pub async fn export_sheets(
        &self,
        plan: &Plan,
        f: &ExportFilter,
        standings: &[Standing],
        as_of: Day,
    ) -> Result<Vec<Sheet>> {
        let pid = plan.plan.id.as_str();
        // Labels once, not per row (an export can hold a hundred thousand rows).
        let labels: std::collections::HashMap<&str, String> =
            plan.lines.iter().map(|l| (l.id.as_str(), l.label())).collect();
        let line = |id: &str| labels.get(id).cloned().unwrap_or_else(|| id.to_string());

        let (cond, binds) = f.sql("s.unit_id", "s.day");
        let sql = format!(
            "SELECT s.day, s.line_id, u.name, c.name, s.kind, s.status, s.start_time, s.end_time, s.venue, s.headcount, \
             (SELECT COUNT(*) FROM attendances a WHERE a.session_id = s.id AND a.deleted_at IS NULL), s.note \
             FROM sessions s JOIN units u ON u.id = s.unit_id LEFT JOIN school_classes c ON c.id = s.class_id \
             WHERE s.plan_id = $1 AND s.deleted_at IS NULL{cond} ORDER BY s.day, s.start_time, s.id"
        );
        let read_sessions = async {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(pid);
            for v in &binds {
                q = q.bind(v);
            }
            let rows: Vec<SessionTuple> = q.fetch_all(self.read_pool()).await?;
            Ok::<_, crate::StoreError>(rows)
        };
        // Every read at once: the database works on the big sheets while the small ones come.
        let mut attendance_binds = vec![pid.to_string()];
        attendance_binds.extend(binds.iter().cloned());
        let attendance_sql = format!(
            "SELECT s.day AS c0, s.line_id AS c1, su.name AS c2, p.full_name AS c3, p.birth_year AS c4, pu.name AS c5, \
             p.roster AS c6, a.method AS c7, s.id AS c8, a.created_at AS c9, a.id AS c10 \
             FROM sessions s JOIN attendances a ON a.session_id = s.id JOIN units su ON su.id = s.unit_id \
             JOIN roster_people p ON p.id = a.person_id JOIN units pu ON pu.id = p.unit_id \
             WHERE s.plan_id = $1 AND a.deleted_at IS NULL AND s.deleted_at IS NULL{cond}"
        );
        let (turn_cond, turn_binds) = f.sql("unit_id", "day");
        let mut turn_binds_all = vec![pid.to_string()];
        turn_binds_all.extend(turn_binds.iter().cloned());
        let turns_sql = format!(
            "SELECT day AS c0, line_id AS c1, unit_id AS c2, service AS c3, elderly AS c4, created_by AS c5, \
             recorded_at AS c6 FROM support_turns WHERE plan_id = $1 AND deleted_at IS NULL{turn_cond}"
        );
        let (sessions, packed_attendance, packed_turns, units, users, entries) = tokio::try_join!(
            read_sessions,
            self.packed(
                &attendance_sql,
                &[
                    false, false, false, false, true, false, false, false, false, false, false
                ],
                &attendance_binds
            ),
            self.packed(&turns_sql, &[false; 7], &turn_binds_all),
            self.list_units(pid),
            self.list_users(pid),
            self.export_entries(pid, f),
        )?;
        let sessions = sessions_sheet(sessions, &line);

        let attendance = attendance_sheet(&packed_attendance, &line);

        // Plain columns, names looked up here (a join per row costs more than
        // a few small maps), each name shared down its column, not copied.
        type Shared = std::sync::Arc<str>;
        let shared = |s: &str| -> Shared { Shared::from(s) };
        let line_labels: HashMap<&str, Shared> = labels.iter().map(|(k, v)| (*k, shared(v))).collect();
        let unit_names: HashMap<String, Shared> = units.into_iter().map(|u| (u.id, shared(&u.name))).collect();
        let user_names: HashMap<String, Shared> = users.into_iter().map(|u| (u.id, shared(&u.full_name))).collect();
        let services: HashMap<(&str, &str), Shared> = plan
            .lines
            .iter()
            .flat_map(|l| {
                l.services
                    .iter()
                    .map(move |i| ((l.id.as_str(), i.id.as_str()), shared(&i.label)))
            })
            .collect();
        let yes = shared("có");
        let label = |m: Option<&Shared>, id: &str| Cell::Label(m.cloned().unwrap_or_else(|| shared(id)));
        /// Day, line, unit, service, elderly, recorded by, recorded at: borrowed from the packed string.
        type TurnRow<'a> = (&'a str, &'a str, &'a str, &'a str, bool, &'a str, i64);
        let mut turns: Vec<TurnRow> = unpack(&packed_turns, 7)
            .map(|r| {
                let f = |i: usize| r[i].unwrap_or_default();
                (f(0), f(1), f(2), f(3), f(4) == "1", f(5), f(6).parse().unwrap_or(0))
            })
            .collect();
        // Day and time order; whole rows compared, so equal keys still give one order.
        turns.sort_unstable_by(|a, b| (a.0, a.6, a.2, a.3, a.5, a.1, a.4).cmp(&(b.0, b.6, b.2, b.3, b.5, b.1, b.4)));
        let turns = Sheet {
            id: "luot-ho-tro".into(),
            name: "Lượt hỗ trợ".into(),
            columns: [
                "Ngày",
                "Hoạt động",
                "Thôn",
                "Dịch vụ",
                "Người cao tuổi",
                "Người ghi",
                "Ghi lúc",
            ]
            .map(String::from)
            .to_vec(),
            rows: turns
                .into_iter()
                .map(|(d, l, u, s, elderly, by, at)| {
                    vec![
                        day(d),
                        label(line_labels.get(l), l),
                        label(unit_names.get(u), u),
                        label(services.get(&(l, s)), s),
                        if elderly { Cell::Label(yes.clone()) } else { Cell::Empty },
                        label(user_names.get(by), by),
                        Cell::Time(at),
                    ]
                })
                .collect(),
        };

        // The targets as the report's table states them (the board's figures).
        let unit_name = |id: &str| unit_names.get(id).map_or_else(|| id.to_string(), |n| n.to_string());
        let t = kehoach_core::report::targets_table(plan, standings, as_of, &unit_name);
        let targets = Sheet {
            id: "chi-tieu".into(),
            name: format!("Chỉ tiêu {}", as_of.vn().replace('/', "-")),
            columns: t.columns.iter().map(|c| c.header.clone()).collect(),
            // The table's texts; its numeric columns (STT, share of the goal) as
            // numbers from the standings themselves, rounded as the table shows them.
            rows: t
                .rows
                .iter()
                .zip(plan.targets.iter().zip(standings))
                .enumerate()
                .map(|(i, (r, (def, st)))| {
                    r.iter()
                        .zip(&t.columns)
                        .enumerate()
                        .map(|(k, (v, c))| match (c.numeric, k) {
                            (true, 0) => Cell::Int(i as i64 + 1),
                            (true, _) => kehoach_core::report::share_of_goal(def, st.value.value)
                                .map(|p| Cell::Num((p * 10.0).round() / 10.0))
                                .unwrap_or(Cell::Empty),
                            _ => text(v.clone()),
                        })
                        .collect()
                })
                .collect(),
        };
        let entries = entries_sheet(entries, &line);
        // Roster coverage per target and unit, as the board counts it (people
        // reached as of the date against the roster or the declared population).
        let coverage = Sheet {
            id: "bao-phu".into(),
            name: "Bao phủ danh sách".into(),
            columns: [
                "Chỉ tiêu",
                "Đơn vị",
                "Danh sách",
                "Số người (mẫu số)",
                "Theo",
                "Đã tham gia",
                "Tỷ lệ (%)",
                "Đạt",
            ]
            .map(String::from)
            .to_vec(),
            rows: plan
                .targets
                .iter()
                .zip(standings)
                .filter(|(t, _)| t.measure == kehoach_core::Measure::RosterCoverage)
                .flat_map(|(t, st)| {
                    let unit_names = &unit_names;
                    st.value
                        .per_unit
                        .iter()
                        .filter(|u| f.unit_id.as_ref().is_none_or(|x| *x == u.id))
                        .map(move |u| {
                            let (got, size) = u.of.unwrap_or((0, 0));
                            vec![
                                text(format!("{} ({})", t.label, t.id)),
                                label(unit_names.get(&u.id), &u.id),
                                text(t.roster.map(|r| r.label()).unwrap_or_default()),
                                Cell::Int(size as i64),
                                text(if u.declared {
                                    "dân số khai báo"
                                } else {
                                    "danh sách"
                                }),
                                Cell::Int(got as i64),
                                Cell::Num(u.value),
                                text(if u.met { "đạt" } else { "chưa đạt" }),
                            ]
                        })
                })
                .collect(),
        };
        Ok(vec![sessions, attendance, turns, coverage, entries, targets])
    }
}

/// The sessions sheet: one row per live session, in day order.
fn sessions_sheet(sessions: Vec<SessionTuple>, line: &dyn Fn(&str) -> String) -> Sheet {
    Sheet {
        id: "buoi".into(),
        name: "Buổi hoạt động".into(),
        columns: [
            "Ngày",
            "Hoạt động",
            "Đơn vị",
            "Lớp",
            "Loại buổi",
            "Trạng thái",
            "Bắt đầu",
            "Kết thúc",
            "Địa điểm",
            "Số người tham dự",
            "Số người điểm danh",
            "Ghi chú",
        ]
        .map(String::from)
        .to_vec(),
        rows: sessions
            .into_iter()
            .map(
                |(d, l, u, c, kind, status, start, end, venue, headcount, checked, note)| {
                    vec![
                        day(&d),
                        text(line(&l)),
                        text(u),
                        opt(c),
                        text(SessionKind::parse(&kind).map(|k| k.label()).unwrap_or(kind.as_str())),
                        text(kehoach_core::records::session_status_label(&status)),
                        opt(start),
                        opt(end),
                        opt(venue),
                        headcount.map(Cell::Int).unwrap_or(Cell::Empty),
                        Cell::Int(checked),
                        opt(note),
                    ]
                },
            )
            .collect(),
    }
}

/// The attendance sheet, read from the packed rows the database joined.
fn attendance_sheet(packed_attendance: &str, line: &dyn Fn(&str) -> String) -> Sheet {
    // In the order of day, session, check-in.
    let mut attendance: Vec<Vec<Option<&str>>> = unpack(packed_attendance, 11).collect();
    attendance.sort_by(|a, b| (a[0], a[8], int(a[9]), a[10]).cmp(&(b[0], b[8], int(b[9]), b[10])));
    Sheet {
        id: "diem-danh".into(),
        name: "Điểm danh".into(),
        columns: [
            "Ngày",
            "Hoạt động",
            "Đơn vị tổ chức",
            "Họ và tên",
            "Năm sinh",
            "Đơn vị của người tham dự",
            "Danh sách",
            "Cách ghi nhận",
        ]
        .map(String::from)
        .to_vec(),
        rows: attendance
            .into_iter()
            .map(|r| {
                let f = |i: usize| r[i].unwrap_or_default().to_string();
                let roster = f(6);
                vec![
                    day(&f(0)),
                    text(line(&f(1))),
                    text(f(2)),
                    text(f(3)),
                    int(r[4]).map(Cell::Int).unwrap_or(Cell::Empty),
                    text(f(5)),
                    text(Roster::parse(&roster).map(|x| x.label()).unwrap_or(roster.as_str())),
                    text(if r[7] == Some("qr") { "thẻ QR" } else { "tìm tên" }),
                ]
            })
            .collect(),
    }
}

/// Contest entries (no contact: that stays on the contest's page for its organisers).
fn entries_sheet(entries: Vec<EntryTuple>, line: &dyn Fn(&str) -> String) -> Sheet {
    Sheet {
        id: "bai-du-thi".into(),
        name: "Bài dự thi".into(),
        columns: [
            "Cuộc thi",
            "Bài số",
            "Gửi lúc",
            "Tên bài",
            "Thể loại",
            "Cá nhân/nhóm",
            "Người dự thi",
            "Thành viên nhóm",
            "Đơn vị",
            "Lớp, ghi rõ",
            "Trạng thái",
            "Trùng bài số",
            "Giải",
        ]
        .map(String::from)
        .to_vec(),
        rows: entries
            .into_iter()
            .map(
                |(l, number, at, title, category, kind, name, members, unit, aff, status, dup, prize)| {
                    vec![
                        text(line(&l)),
                        Cell::Int(number),
                        Cell::Time(at),
                        text(title),
                        opt(category),
                        text(if kind == "group" { "Nhóm" } else { "Cá nhân" }),
                        text(name),
                        opt(members),
                        opt(unit),
                        opt(aff),
                        text(if status == "submitted" {
                            "Đã nhận"
                        } else {
                            "Đã rút"
                        }),
                        dup.map(Cell::Int).unwrap_or(Cell::Empty),
                        opt(prize),
                    ]
                },
            )
            .collect(),
    }
}
