//! `kehoach demo`: a separate database filled with a synthetic campaign over
//! June–August on the seed plan, so a newcomer sees a living board at once.
//!
//! Everything here is sample data and says so: people are "… mẫu NN",
//! classes end in "(mẫu)", villages are the plan's sample villages. Some
//! villages run ahead, some behind, one never holds a Bình dân học vụ số
//! session, one class is never visited, one school never opens its smart
//! classroom. Deterministic: the same run gives the same records.

use anyhow::Context;
use kehoach_core::{Day, Plan, SEED_PLAN_TOML};
use kehoach_store::*;

use crate::rng::Rng;

/// Login of the demo coordinator and of the sample volunteers.
pub const DEMO_USER: &str = "demo";
pub const DEMO_PASSWORD: &str = "demo-kehoach-2026";

fn d(m: u8, dd: u8) -> Day {
    Day::from_ymd(2026, m, dd).expect("valid demo date")
}

/// The demo's coordinator (`demo`) of a commune or city, working in `plan_id`.
async fn demo_coordinator(store: &Store, plan_id: &str, full_name: &str, now: i64) -> anyhow::Result<UserRow> {
    Ok(store
        .create_user(
            plan_id,
            NewUser {
                username: DEMO_USER.into(),
                full_name: full_name.into(),
                role: Role::Coordinator,
                unit_id: None,
                password: DEMO_PASSWORD.into(),
            },
            now,
        )
        .await?)
}

/// The id of the plan's sample unit `slug`.
fn unit_id(units: &[UnitRow], slug: &str) -> anyhow::Result<String> {
    units
        .iter()
        .find(|u| u.slug == slug)
        .map(|u| u.id.clone())
        .with_context(|| format!("kế hoạch mẫu thiếu đơn vị {slug}"))
}

/// Fills an empty, migrated database with the demo campaign.
pub async fn fill(store: &Store) -> anyhow::Result<()> {
    let plan: Plan = kehoach_core::seed_plan();
    let pid = plan.plan.id.clone();
    let now = kehoach_core::Clock::system().now();
    anyhow::ensure!(
        store.import_plan(&plan, SEED_PLAN_TOML, now).await?,
        "cơ sở dữ liệu mẫu đã có kế hoạch: hãy dùng một tệp mới"
    );
    let units = store.list_units(&pid).await?;
    let slug = |s: &str| unit_id(&units, s);
    let coord = demo_coordinator(store, &pid, "Người điều phối mẫu", now).await?;
    let mut rng = Rng::new(0x5EED_2026);
    let villages = [slug("thon-mau-1")?, slug("thon-mau-2")?, slug("thon-mau-3")?];
    let youth = slug("doan-tn")?;
    let vhxh = slug("vhxh")?;
    let centre = slug("ttdvsnc")?;

    // Rosters (sample people only).
    let people = |prefix: &str, unit: &str, n: usize, year: i64| {
        (1..=n)
            .map(|i| testing::person(&format!("{prefix} mẫu {i:02}"), year, unit))
            .collect::<Vec<_>>()
    };
    store
        .import_roster(
            &pid,
            "youth_members",
            &people("Đoàn viên", &youth, 30, 2000),
            false,
            &coord.id,
            now,
        )
        .await?;
    store
        .import_roster(
            &pid,
            "officials",
            &people("Cán bộ", &vhxh, 25, 1985),
            false,
            &coord.id,
            now,
        )
        .await?;
    for (i, v) in villages[..2].iter().enumerate() {
        store
            .import_roster(
                &pid,
                "children",
                &people(&format!("Thiếu nhi thôn {}", i + 1), v, 40, 2012),
                false,
                &coord.id,
                now,
            )
            .await?;
    }
    // The third village has no roster yet: its declared figure stands in.
    store
        .set_population(&pid, &villages[2], "children", Some(60), now)
        .await?;
    let members = store.roster_people(&pid, Some("youth_members"), None).await?;
    let officials = store.roster_people(&pid, Some("officials"), None).await?;
    let children = store.roster_people(&pid, Some("children"), None).await?;

    // Volunteers: accounts linked to the first six members.
    let mut volunteers = Vec::new();
    for (i, m) in members.iter().take(6).enumerate() {
        let u = store
            .create_user(
                &pid,
                NewUser {
                    username: format!("tnv{:02}", i + 1),
                    full_name: m.full_name.clone(),
                    role: Role::Volunteer,
                    unit_id: Some(youth.clone()),
                    password: DEMO_PASSWORD.into(),
                },
                now,
            )
            .await?;
        store.link_user_person(&pid, &u.id, Some(&m.id), now).await?;
        volunteers.push(u.id);
    }

    // One reporter per village (thon1…thon3): they receive the board's reminders.
    for (i, v) in villages.iter().enumerate() {
        store
            .create_user(
                &pid,
                NewUser {
                    username: format!("thon{}", i + 1),
                    full_name: format!("Báo cáo viên thôn mẫu {}", i + 1),
                    role: Role::UnitReporter,
                    unit_id: Some(v.clone()),
                    password: DEMO_PASSWORD.into(),
                },
                now,
            )
            .await?;
    }

    // Support turns: village 1 ahead, village 2 behind, village 3 starts late.
    let services: Vec<String> = plan
        .line("l3-support")
        .map(|l| l.services.iter().map(|s| s.id.clone()).collect())
        .unwrap_or_default();
    let writer = IngestWriter::start(store.clone(), kehoach_core::Clock::system());
    let plans = [(0usize, 265u64, d(6, 10)), (1, 120, d(6, 20)), (2, 30, d(8, 1))];
    for (vi, n, from) in plans {
        let mut batch = Vec::new();
        for _ in 0..n {
            let day = rng.day(from, d(8, 31));
            let line = if (d(7, 1)..=d(7, 31)).contains(&day) && rng.below(4) == 0 {
                "l4-binh-dan-hoc-vu-so"
            } else {
                "l3-support"
            };
            let by = if rng.below(3) == 0 {
                coord.id.clone()
            } else {
                volunteers[rng.below(volunteers.len() as u64) as usize].clone()
            };
            batch.push(NewTurn {
                id: new_id(),
                plan_id: pid.clone(),
                line_id: line.into(),
                unit_id: villages[vi].clone(),
                service: services[rng.below(services.len() as u64) as usize].clone(),
                elderly: rng.below(4) == 0,
                day: day.iso(),
                recorded_at: now,
                created_by: by,
            });
        }
        writer.write(batch).await?;
    }

    let add_session = async |line: &str, unit: &str, class: Option<&str>, day: Day| -> anyhow::Result<String> {
        let kind = plan
            .line(line)
            .and_then(|l| l.session_kinds.first())
            .map(|k| k.as_str())
            .unwrap_or("guidance");
        let s = testing::session(&pid, line, unit, kind, &coord.id).held().on(day);
        let s = NewActivitySession {
            class_id: class.map(str::to_string),
            start_time: Some("08:00".into()),
            end_time: Some("10:00".into()),
            note: Some("Dữ liệu mẫu".into()),
            ..s
        };
        let id = s.id.clone();
        store.create_activity_session(s, now).await?;
        Ok(id)
    };

    // Line 2 propaganda by the service centre; line 4 in two of three villages.
    for day in [d(6, 5), d(6, 19), d(7, 3), d(7, 17), d(8, 7), d(8, 21)] {
        add_session("l2-propaganda", &centre, None, day).await?;
    }
    add_session("l4-binh-dan-hoc-vu-so", &villages[0], None, d(7, 5)).await?;
    add_session("l4-binh-dan-hoc-vu-so", &villages[1], None, d(7, 24)).await?;
    // Line 3 guidance sessions with youth members taking part.
    for (k, day) in [d(6, 14), d(7, 12), d(8, 9)].into_iter().enumerate() {
        let s = add_session("l3-support", &villages[k % 2], None, day).await?;
        for m in members.iter().skip(6 + 4 * k).take(5) {
            store.add_attendance(&pid, &s, &m.id, "search", &coord.id, now).await?;
        }
    }
    // Officials' training: two classes.
    for (day, take, skip) in [(d(7, 15), 14, 0), (d(8, 12), 8, 10)] {
        let s = add_session("l6-officials-training", &vhxh, None, day).await?;
        for o in officials.iter().skip(skip).take(take) {
            store.add_attendance(&pid, &s, &o.id, "card", &coord.id, now).await?;
        }
    }
    // Children's digital skills in the two rostered villages.
    for (k, day) in [d(7, 8), d(7, 22), d(8, 5), d(8, 19)].into_iter().enumerate() {
        let v = k % 2;
        let s = add_session("l5-children-skills", &villages[v], None, day).await?;
        let mine: Vec<&PersonRow> = children.iter().filter(|c| c.unit_id == villages[v]).collect();
        for c in mine.iter().skip(k / 2 * 12).take(18) {
            store.add_attendance(&pid, &s, &c.id, "search", &coord.id, now).await?;
        }
    }
    // Smart classrooms: classes of three schools; one class never visited;
    // the kindergarten never opens its classroom.
    let window = plan.line("l6-smart-classroom").map(|l| l.window).context("line 6")?;
    for (si, school) in ["thcs-vinh-long-thang-thuy", "th-trung-lap", "th-viet-tien"]
        .iter()
        .enumerate()
    {
        let sid = slug(school)?;
        for (ci, name) in ["6A (mẫu)", "7A (mẫu)"].iter().enumerate() {
            let class = store.add_class(&pid, &sid, name, Some(30), now).await?;
            if si == 2 && ci == 1 {
                continue;
            }
            let mut day = window.start.plus(rng.below(5) as i64);
            while day <= window.end {
                // About one week in four is missed.
                if rng.below(4) != 0 {
                    add_session("l6-smart-classroom", &sid, Some(&class.id), day).await?;
                }
                day = day.plus(7);
            }
        }
    }

    // Two volunteer teams of ten members, one per pair of villages, launched on 10/6 (line 1).
    let mut teams = Vec::new();
    for (k, chunk) in members.chunks(10).take(2).enumerate() {
        let ids: Vec<String> = chunk.iter().map(|m| m.id.clone()).collect();
        let team = store
            .create_team(
                &pid,
                &format!("Đội hình tình nguyện mẫu {}", k + 1),
                ids.first().map(String::as_str),
                &ids,
                &villages[k..k + 2],
                &coord.id,
                now,
            )
            .await?;
        teams.push(team.id);
    }
    store.launch_teams(&pid, &teams, &d(6, 10).iso()).await?;

    // Shifts of the teams in the villages every Saturday morning from 11/7 to
    // 29/8, the earlier ones taken by the first members: run on a day of the
    // campaign (`--today`), the demo has open shifts to sign up for.
    let mut day = d(7, 11);
    let mut week = 0;
    while day <= d(8, 29) {
        let village = &villages[week % villages.len()];
        let team = &teams[week % teams.len()];
        let shift = kehoach_store::NewShift {
            team_id: Some(team.clone()),
            places: 4,
            ..testing::shift(&pid, village, day, &coord.id)
        };
        let shift = store.create_shift(shift, now).await?;
        if day <= d(7, 25) {
            for m in members.iter().take(2) {
                store.sign_up(&pid, &shift.id, &m.id, &coord.id, now).await?;
            }
        }
        day = day.plus(7);
        week += 1;
    }

    // Contests (sample entries): 7.1 judged and published on 18/8, 7.2 being judged.
    contests(store, &plan, &coord.id, &children, &mut rng).await?;
    Ok(())
}

/// Two sample judges on both contests; sample entries, scores and results.
async fn contests(
    store: &Store,
    plan: &Plan,
    coord: &str,
    children: &[PersonRow],
    rng: &mut Rng,
) -> anyhow::Result<()> {
    use kehoach_core::contest::vn_midnight;
    let pid = plan.plan.id.as_str();
    let now = kehoach_core::Clock::system().now();
    store
        .ensure_contests(pid, &kehoach_web::contests::default_rows(plan), now)
        .await?;
    let mut judges = Vec::new();
    for i in 1..=2 {
        let u = store
            .create_user(
                pid,
                NewUser {
                    username: format!("giamkhao{i}"),
                    full_name: format!("Giám khảo mẫu {i}"),
                    role: Role::Judge,
                    unit_id: None,
                    password: DEMO_PASSWORD.into(),
                },
                now,
            )
            .await?;
        judges.push(u.id);
    }
    let ideas = [
        "Ứng dụng nhắc lịch tiêm chủng cho ông bà",
        "Sổ tay điện tử của chi đội",
        "Bản đồ số các di tích của xã",
        "Ghi chép thu chi gia đình trên điện thoại",
        "Tủ sách số của thôn",
        "Hướng dẫn ông bà thanh toán không dùng tiền mặt",
    ];
    let videos = [
        ("Lễ hội làng quê tôi", "Văn hóa địa phương"),
        ("Sản phẩm OCOP của xã", "Sản phẩm OCOP"),
        ("Mô hình trồng rau sạch", "Mô hình phát triển kinh tế tiêu biểu"),
        ("Một ngày ở Vĩnh Thịnh", "Văn hóa địa phương"),
    ];
    // The default rubric of a contest line.
    let criteria_of = |line: &str| -> Vec<kehoach_core::contest::Criterion> {
        kehoach_core::contest::contest_lines(plan)
            .find(|l| l.id == line)
            .map(|l| kehoach_core::contest::defaults(l).criteria)
            .unwrap_or_default()
    };
    for (line, titles) in [
        ("l7-1-ideas", ideas.iter().map(|t| (*t, None)).collect::<Vec<_>>()),
        ("l7-2-videos", videos.iter().map(|(t, c)| (*t, Some(*c))).collect()),
    ] {
        store.set_judges(pid, line, &judges, coord, now).await?;
        let prefix: String = line.chars().filter(char::is_ascii_digit).collect();
        let criteria = criteria_of(line);
        for (n, (title, category)) in titles.into_iter().enumerate() {
            let child = &children[(n * 17) % children.len()];
            let at = vn_midnight(d(8, 2 + 2 * n as u8)) + 9 * 3600;
            let entry = NewEntry {
                id: new_id(),
                plan_id: pid.into(),
                line_id: line.into(),
                receipt: format!("{prefix}-MAU0-{:04}", n + 1),
                work: EntryWork {
                    title: format!("{title} (mẫu)"),
                    title_key: kehoach_core::text::fold_key(title),
                    category: category.map(str::to_string),
                    description: "Bài dự thi mẫu để xem thử hệ thống.".into(),
                    link: Some(format!("https://example.com/bai-du-thi-mau/{prefix}-{}", n + 1)),
                    file: None,
                },
                entrant_kind: "individual".into(),
                entrant_name: child.full_name.clone(),
                entrant_key: kehoach_core::text::fold_key(&child.full_name),
                members: None,
                unit_id: Some(child.unit_id.clone()),
                affiliation: None,
                contact: format!("09000000{:02}", n + 1),
                people: vec![child.id.clone()],
                day: kehoach_core::contest::vn_day(at).iso(),
            };
            let (row, _) = store.submit_entry(&entry, at).await?;
            // 7.1 fully judged; 7.2 half-way, by the first judge.
            for (j, judge) in judges.iter().enumerate() {
                if line == "l7-2-videos" && (j == 1 || n >= 2) {
                    continue;
                }
                let scores: serde_json::Map<String, serde_json::Value> = criteria
                    .iter()
                    .map(|c| (c.id.clone(), serde_json::json!(4 + rng.below(6) as i64 - j as i64)))
                    .collect();
                store
                    .save_score(
                        pid,
                        &row.id,
                        judge,
                        &serde_json::Value::Object(scores).to_string(),
                        None,
                        at,
                    )
                    .await?;
            }
        }
    }
    // 7.1: scores locked, the top three given prizes, results published on 18/8.
    let published = vn_midnight(d(8, 18)) + 9 * 3600;
    store.lock_scores(pid, "l7-1-ideas", true, coord, published).await?;
    let ids: Vec<String> = store
        .entries(pid, "l7-1-ideas")
        .await?
        .into_iter()
        .map(|e| e.id)
        .collect();
    let criteria = criteria_of("l7-1-ideas");
    let totals: Vec<kehoach_core::contest::JudgeTotal> = store
        .scores(pid, "l7-1-ideas")
        .await?
        .into_iter()
        .filter_map(|s| {
            let values = serde_json::from_str(&s.scores).ok()?;
            Some(kehoach_core::contest::JudgeTotal {
                total: kehoach_core::contest::weighted_total(&criteria, &values)?,
                entry: s.entry_id,
                judge: s.judge_id,
            })
        })
        .collect();
    let ranked = kehoach_core::contest::rank(&ids, &totals);
    for (r, prize) in ranked.iter().zip(["Giải Nhất", "Giải Nhì", "Giải Ba"]) {
        store
            .set_prize(pid, "l7-1-ideas", &r.entry, Some(prize), coord, published)
            .await?;
    }
    store.publish_results(pid, "l7-1-ideas", coord, published).await?;
    Ok(())
}

/// The sample city's host and its communes' (`*.localhost` reach loopback
/// in browsers, so the demo needs no DNS).
pub const DEMO_CITY_HOST: &str = "thanh-pho-mau.localhost";

/// Communes of the sample city, and how fast each runs (1,0: about on
/// pace; below: behind): different paces, so the city board has leaders
/// and laggards.
const CITY_PACES: [f64; 12] = [1.3, 1.1, 1.0, 0.95, 0.9, 0.8, 0.7, 0.6, 0.5, 0.35, 0.2, 0.05];

/// Adds a clearly-marked sample city of twelve sample communes ("xã Mẫu
/// 01"…), each on its own host (`xa-mau-01.localhost`…) with the seed plan
/// (under its own id), its sample villages, a coordinator and support
/// turns and sessions at its own pace. The city's coordinator is
/// `demo` / [`DEMO_PASSWORD`] on [`DEMO_CITY_HOST`]. Returns the city.
pub async fn fill_city(store: &Store) -> anyhow::Result<CommuneRow> {
    let now = kehoach_core::Clock::system().now();
    let (city, city_plan, _token) = store
        .found_commune(
            NewCommune {
                name: "thành phố Mẫu".into(),
                host: Some(DEMO_CITY_HOST.into()),
                is_city: true,
                ..Default::default()
            },
            // Its own plan: four targets over its communes.
            Some(kehoach_core::plan::starter::sample_city_plan()),
            2026,
            3600,
            now,
        )
        .await
        .map_err(|e| anyhow::anyhow!("thành phố mẫu: {e}"))?;
    demo_coordinator(store, &city_plan, "Người điều phối thành phố mẫu", now).await?;
    let writer = IngestWriter::start(store.clone(), kehoach_core::Clock::system());
    for (i, pace) in CITY_PACES.iter().enumerate() {
        let n = i + 1;
        let commune = store
            .create_commune(
                NewCommune {
                    name: format!("xã Mẫu {n:02}"),
                    province: "Mẫu".into(),
                    host: Some(format!("xa-mau-{n:02}.localhost")),
                    city_id: Some(city.id.clone()),
                    ..Default::default()
                },
                now,
            )
            .await
            .map_err(|e| anyhow::anyhow!("xã mẫu {n:02}: {e}"))?;
        let mut plan = kehoach_core::seed_plan();
        store.add_commune_plan(&commune, &mut plan, SEED_PLAN_TOML, now).await?;
        fill_commune_at_pace(store, &writer, &plan, *pace, 0xC17E_0000 + n as u64, now).await?;
    }
    Ok(city)
}

/// A sample commune's records at `pace`: its coordinator (`demo`), support
/// turns in its three sample villages from 10/6 (about 250 a village by
/// 31/8 at pace 1), line-4 sessions in the villages and line-2 propaganda.
async fn fill_commune_at_pace(
    store: &Store,
    writer: &IngestWriter,
    plan: &Plan,
    pace: f64,
    seed: u64,
    now: i64,
) -> anyhow::Result<()> {
    let pid = plan.plan.id.clone();
    let coord = demo_coordinator(store, &pid, "Người điều phối mẫu", now).await?;
    let units = store.list_units(&pid).await?;
    let id_of = |s: &str| unit_id(&units, s);
    let villages = [id_of("thon-mau-1")?, id_of("thon-mau-2")?, id_of("thon-mau-3")?];
    let centre = id_of("ttdvsnc")?;
    let services: Vec<String> = plan
        .line("l3-support")
        .map(|l| l.services.iter().map(|s| s.id.clone()).collect())
        .unwrap_or_default();
    let mut rng = Rng::new(seed);
    let mut batch = Vec::new();
    for (k, village) in villages.iter().enumerate() {
        // The third village of each commune lags behind the other two.
        let n = (250.0 * pace * if k == 2 { 0.6 } else { 1.0 }).round() as u64;
        for _ in 0..n {
            batch.push(NewTurn {
                id: new_id(),
                plan_id: pid.clone(),
                line_id: "l3-support".into(),
                unit_id: village.clone(),
                service: services[rng.below(services.len() as u64) as usize].clone(),
                elderly: rng.below(4) == 0,
                day: rng.day(d(6, 10), d(8, 31)).iso(),
                recorded_at: now,
                created_by: coord.id.clone(),
            });
        }
    }
    writer.write(batch).await?;
    let session = |line: &str, unit: &str, day: Day| {
        let kind = plan
            .line(line)
            .and_then(|l| l.session_kinds.first())
            .map(|k| k.as_str())
            .unwrap_or("guidance");
        NewActivitySession {
            note: Some("Dữ liệu mẫu".into()),
            ..testing::session(&pid, line, unit, kind, &coord.id).held().on(day)
        }
    };
    // Line 4 in as many villages as the pace allows.
    let with_l4 = ((3.0 * pace).round() as usize).min(3);
    for (k, village) in villages.iter().take(with_l4).enumerate() {
        store
            .create_activity_session(session("l4-binh-dan-hoc-vu-so", village, d(7, 5 + 5 * k as u8)), now)
            .await?;
    }
    // Line 2 propaganda: fortnightly at pace 1.
    let posts = (6.0 * pace).round() as usize;
    for day in [d(6, 5), d(6, 19), d(7, 3), d(7, 17), d(8, 7), d(8, 21)]
        .into_iter()
        .take(posts)
    {
        store
            .create_activity_session(session("l2-propaganda", &centre, day), now)
            .await?;
    }
    Ok(())
}
