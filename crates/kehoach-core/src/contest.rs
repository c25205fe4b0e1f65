//! Contests (line 7.1, 7.2): their defaults from the plan, the entry window
//! in Vietnam time, weighted rubric scores and a ranking that normalises each
//! judge (z-scores) so that a harsh or lenient judge does not decide it.
//!
//! Pure: the caller passes the clock in.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::text::fold_key;
use crate::{ActivityLine, Day, Plan, SessionKind};

/// One weighted criterion of a rubric, scored 0..=`max`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Criterion {
    pub id: String,
    pub label: String,
    /// Relative weight (the weights need not add up to 100).
    pub weight: u32,
    /// Highest score a judge may give.
    pub max: u32,
}

/// What an entry's work is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkKind {
    /// A link to a video on a public platform (7.2).
    VideoLink,
    /// An uploaded document or image, or a link (7.1).
    FileOrLink,
}

/// A contest as the plan implies it; the coordinator may change all but the line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContestDefaults {
    pub line_id: String,
    pub name: String,
    pub entries_from: Day,
    pub entries_to: Day,
    /// Results announced by this day (the "trước ngày" deadline's last day).
    pub awards_by: Option<Day>,
    pub categories: Vec<String>,
    pub prizes: Vec<String>,
    pub criteria: Vec<Criterion>,
    pub work: WorkKind,
}

/// The lines that are contests: lines holding contest sessions, not headings.
pub fn contest_lines(plan: &Plan) -> impl Iterator<Item = &ActivityLine> {
    plan.lines.iter().filter(|l| {
        l.session_kinds.contains(&SessionKind::Contest)
            && !plan.lines.iter().any(|c| c.parent.as_deref() == Some(&l.id))
    })
}

fn criterion(id: &str, label: &str, weight: u32) -> Criterion {
    Criterion {
        id: id.into(),
        label: label.into(),
        weight,
        max: 10,
    }
}

/// The plan's contest on `line`, with the usual rubric for its kind.
pub fn defaults(line: &ActivityLine) -> ContestDefaults {
    let milestone = |words: &str| {
        line.milestones
            .iter()
            .find(|m| fold_key(&m.name).contains(words))
            .map(|m| m.window)
    };
    let entries = milestone("nhan bai").unwrap_or(line.window);
    let awards_by = milestone("trao giai").map(|w| w.end);
    let video = fold_key(&line.title).contains("video");
    // 7.2's content items name its categories ("Quảng bá sản phẩm OCOP." → "Sản phẩm OCOP").
    let categories = if line.content.len() > 1 {
        line.content
            .iter()
            .map(|c| {
                let c = c.trim().trim_end_matches('.');
                let folded = fold_key(c);
                let cut = ["quang ba ", "gioi thieu cac ", "gioi thieu "]
                    .iter()
                    .find(|p| folded.starts_with(*p))
                    .map(|p| p.split_whitespace().count())
                    .unwrap_or(0);
                let rest: Vec<&str> = c.split_whitespace().skip(cut).collect();
                crate::text::capitalize(&rest.join(" "))
            })
            .collect()
    } else {
        Vec::new()
    };
    let criteria = if video {
        vec![
            criterion("noi-dung", "Nội dung, thông điệp", 35),
            criterion("sang-tao", "Tính sáng tạo", 25),
            criterion("ky-thuat", "Chất lượng hình ảnh, âm thanh, dựng phim", 25),
            criterion("lan-toa", "Sức lan tỏa", 15),
        ]
    } else {
        vec![
            criterion("sang-tao", "Tính sáng tạo", 30),
            criterion("kha-thi", "Tính khả thi", 25),
            criterion("hieu-qua", "Hiệu quả, khả năng ứng dụng", 30),
            criterion("trinh-bay", "Hình thức trình bày", 15),
        ]
    };
    ContestDefaults {
        line_id: line.id.clone(),
        name: line.title.trim_end_matches(['.', ':']).to_string(),
        entries_from: entries.start,
        entries_to: entries.end,
        awards_by,
        categories,
        prizes: ["Giải Nhất", "Giải Nhì", "Giải Ba", "Giải Khuyến khích"]
            .map(String::from)
            .to_vec(),
        criteria,
        work: if video {
            WorkKind::VideoLink
        } else {
            WorkKind::FileOrLink
        },
    }
}

/// The first second of `day` in Vietnam, as unix seconds.
pub fn vn_midnight(day: Day) -> i64 {
    day.start_unix()
}

/// The Vietnam calendar day of a moment.
pub fn vn_day(unix: i64) -> Day {
    Day::of_unix(unix).unwrap_or(Day(time::Date::MIN))
}

/// Where a moment stands against an entry window (both days inclusive, Vietnam time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WindowState {
    NotYet,
    Open,
    Closed,
}

pub fn window_state(from: Day, to: Day, now: i64) -> WindowState {
    if now < vn_midnight(from) {
        WindowState::NotYet
    } else if now >= vn_midnight(to.plus(1)) {
        WindowState::Closed
    } else {
        WindowState::Open
    }
}

/// Why a rubric is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RubricError {
    Empty,
    TooMany,
    Label,
    Weight,
    Max,
    Duplicate,
}

/// Checks a rubric: 1–10 criteria, labels 1–100 characters and distinct,
/// weights 1–100, maxima 1–100.
pub fn check_rubric(criteria: &[Criterion]) -> Result<(), RubricError> {
    if criteria.is_empty() {
        return Err(RubricError::Empty);
    }
    if criteria.len() > 10 {
        return Err(RubricError::TooMany);
    }
    let mut seen = std::collections::BTreeSet::new();
    for c in criteria {
        let n = c.label.trim().chars().count();
        if n == 0 || n > 100 {
            return Err(RubricError::Label);
        }
        if !(1..=100).contains(&c.weight) {
            return Err(RubricError::Weight);
        }
        if !(1..=100).contains(&c.max) {
            return Err(RubricError::Max);
        }
        if !seen.insert(c.id.clone()) || c.id.is_empty() {
            return Err(RubricError::Duplicate);
        }
    }
    Ok(())
}

/// A judge's scores for one entry, 0..=100: the weighted share of the maxima.
/// `None` when a criterion is missing or out of range.
pub fn weighted_total(criteria: &[Criterion], values: &BTreeMap<String, f64>) -> Option<f64> {
    let weights: u32 = criteria.iter().map(|c| c.weight).sum();
    if weights == 0 {
        return None;
    }
    let mut sum = 0.0;
    for c in criteria {
        let v = *values.get(&c.id)?;
        if !v.is_finite() || v < 0.0 || v > f64::from(c.max) {
            return None;
        }
        sum += f64::from(c.weight) * v / f64::from(c.max);
    }
    Some(sum / f64::from(weights) * 100.0)
}

/// One judge's total for one entry.
#[derive(Debug, Clone, PartialEq)]
pub struct JudgeTotal {
    pub entry: String,
    pub judge: String,
    pub total: f64,
}

/// An entry's standing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ranked {
    pub entry: String,
    /// 1-based; equal standings share a rank (1, 1, 3). None: no score yet.
    pub rank: Option<usize>,
    /// Shares its rank with another entry.
    pub tied: bool,
    /// Mean of the judges' weighted totals (0..100).
    pub raw_mean: Option<f64>,
    /// Mean of the judges' z-scores (each judge's totals standardised).
    pub normalised: Option<f64>,
    pub judges: usize,
}

/// Each judge's mean and (population) standard deviation over the entries
/// they scored.
pub fn judge_stats(totals: &[JudgeTotal]) -> BTreeMap<String, (f64, f64)> {
    let mut by_judge: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for t in totals {
        by_judge.entry(&t.judge).or_default().push(t.total);
    }
    by_judge
        .into_iter()
        .map(|(j, v)| {
            let n = v.len() as f64;
            let mean = v.iter().sum::<f64>() / n;
            let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
            (j.to_string(), (mean, var.sqrt()))
        })
        .collect()
}

/// Ranks `entries` (in their stable order) by the mean of the judges'
/// z-scores, then by the raw mean; entries equal on both (to 6 decimals)
/// are tied and keep their given order. A judge whose totals do not vary
/// contributes z = 0.
pub fn rank(entries: &[String], totals: &[JudgeTotal]) -> Vec<Ranked> {
    let stats = judge_stats(totals);
    let mut per_entry: BTreeMap<&str, (Vec<f64>, Vec<f64>)> = BTreeMap::new();
    for t in totals {
        let (mean, sd) = stats[&t.judge];
        let z = if sd > 1e-12 { (t.total - mean) / sd } else { 0.0 };
        let e = per_entry.entry(&t.entry).or_default();
        e.0.push(t.total);
        e.1.push(z);
    }
    let round = |x: f64| (x * 1e6).round() / 1e6;
    let mut rows: Vec<Ranked> = entries
        .iter()
        .map(|e| match per_entry.get(e.as_str()) {
            Some((raw, z)) => Ranked {
                entry: e.clone(),
                rank: None,
                tied: false,
                raw_mean: Some(round(raw.iter().sum::<f64>() / raw.len() as f64)),
                normalised: Some(round(z.iter().sum::<f64>() / z.len() as f64)),
                judges: raw.len(),
            },
            None => Ranked {
                entry: e.clone(),
                rank: None,
                tied: false,
                raw_mean: None,
                normalised: None,
                judges: 0,
            },
        })
        .collect();
    // Stable sort: equal keys keep the given order.
    let key = |r: &Ranked| {
        (
            r.normalised.is_none(),
            -r.normalised.unwrap_or(0.0),
            -r.raw_mean.unwrap_or(0.0),
        )
    };
    rows.sort_by(|a, b| key(a).partial_cmp(&key(b)).unwrap_or(std::cmp::Ordering::Equal));
    let mut i = 0;
    while i < rows.len() && rows[i].normalised.is_some() {
        let mut j = i + 1;
        while j < rows.len() && rows[j].normalised.is_some() && key(&rows[j]) == key(&rows[i]) {
            j += 1;
        }
        for r in &mut rows[i..j] {
            r.rank = Some(i + 1);
            r.tied = j - i > 1;
        }
        i = j;
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_has_two_contests_with_the_plans_windows() {
        let plan = crate::seed_plan();
        let c: Vec<ContestDefaults> = contest_lines(&plan).map(defaults).collect();
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].line_id, "l7-1-ideas");
        assert_eq!(c[0].entries_from.iso(), "2026-08-01");
        assert_eq!(c[0].entries_to.iso(), "2026-08-15");
        assert_eq!(c[0].awards_by.map(|d| d.iso()).as_deref(), Some("2026-08-19"));
        assert_eq!(c[0].work, WorkKind::FileOrLink);
        assert_eq!(c[1].work, WorkKind::VideoLink);
        assert_eq!(c[1].entries_to.iso(), "2026-08-20");
        assert_eq!(
            c[1].categories,
            [
                "Văn hóa địa phương",
                "Sản phẩm OCOP",
                "Mô hình phát triển kinh tế tiêu biểu"
            ]
        );
        assert!(c.iter().all(|x| check_rubric(&x.criteria).is_ok()));
    }

    #[test]
    fn the_window_closes_at_midnight_vietnam_time() {
        let from = Day::from_ymd(2026, 8, 1).unwrap();
        let to = Day::from_ymd(2026, 8, 15).unwrap();
        // 15/08/2026 23:59 in Vietnam is 16:59 UTC.
        let last_minute = vn_midnight(Day::from_ymd(2026, 8, 16).unwrap()) - 60;
        assert_eq!(window_state(from, to, last_minute), WindowState::Open);
        assert_eq!(window_state(from, to, last_minute + 60), WindowState::Closed);
        assert_eq!(window_state(from, to, vn_midnight(from) - 1), WindowState::NotYet);
        assert_eq!(window_state(from, to, vn_midnight(from)), WindowState::Open);
        assert_eq!(vn_day(last_minute).iso(), "2026-08-15");
        assert_eq!(vn_day(last_minute + 60).iso(), "2026-08-16");
    }

    #[test]
    fn weighted_total_is_the_weighted_share_of_the_maxima() {
        let c = vec![criterion("a", "A", 3), criterion("b", "B", 1)];
        let v: BTreeMap<String, f64> = [("a".into(), 10.0), ("b".into(), 0.0)].into();
        assert!((weighted_total(&c, &v).unwrap() - 75.0).abs() < 1e-9);
        let bad: BTreeMap<String, f64> = [("a".into(), 11.0), ("b".into(), 0.0)].into();
        assert_eq!(weighted_total(&c, &bad), None);
        let missing: BTreeMap<String, f64> = [("a".into(), 1.0)].into();
        assert_eq!(weighted_total(&c, &missing), None);
    }

    fn t(entry: &str, judge: &str, total: f64) -> JudgeTotal {
        JudgeTotal {
            entry: entry.into(),
            judge: judge.into(),
            total,
        }
    }

    /// A harsh judge scores E1–E3 40, 50, 60; a lenient one, recused from
    /// E3, scores E1 90 and E2 80. Raw means put E3 last (60 against 65,
    /// 65); standardised per judge, E3 is first.
    #[test]
    fn normalisation_on_a_worked_example() {
        let totals = vec![
            t("E1", "harsh", 40.0),
            t("E2", "harsh", 50.0),
            t("E3", "harsh", 60.0),
            t("E1", "lenient", 90.0),
            t("E2", "lenient", 80.0),
        ];
        let stats = judge_stats(&totals);
        // Harsh: mean 50, sd √(200/3) = 8,164966; lenient: mean 85, sd 5.
        assert!((stats["harsh"].0 - 50.0).abs() < 1e-9);
        assert!((stats["harsh"].1 - 8.164_966).abs() < 1e-6);
        assert_eq!(stats["lenient"], (85.0, 5.0));
        let entries = ["E1", "E2", "E3", "E4"].map(String::from).to_vec();
        let r = rank(&entries, &totals);
        let order: Vec<&str> = r.iter().map(|x| x.entry.as_str()).collect();
        assert_eq!(order, ["E3", "E1", "E2", "E4"]);
        // E3: z = 10 / 8,164966 = 1,224745 from one judge.
        assert_eq!(r[0].normalised, Some(1.224745));
        assert_eq!(r[0].raw_mean, Some(60.0));
        // E1: (−1,224745 + 1) / 2.
        assert_eq!(r[1].normalised, Some(-0.112372));
        assert_eq!(r[1].raw_mean, Some(65.0));
        // E2: (0 − 1) / 2.
        assert_eq!(r[2].normalised, Some(-0.5));
        assert_eq!(
            r.iter().map(|x| x.rank).collect::<Vec<_>>(),
            [Some(1), Some(2), Some(3), None]
        );
        assert_eq!(r[3].judges, 0);
    }

    #[test]
    fn equal_standings_are_tied_and_keep_their_order() {
        let totals = vec![
            t("B", "j1", 70.0),
            t("A", "j1", 70.0),
            t("C", "j1", 90.0),
            t("B", "j2", 60.0),
            t("A", "j2", 60.0),
            t("C", "j2", 80.0),
        ];
        let entries = ["A", "B", "C"].map(String::from).to_vec();
        for _ in 0..3 {
            let r = rank(&entries, &totals);
            let view: Vec<(&str, Option<usize>, bool)> = r.iter().map(|x| (x.entry.as_str(), x.rank, x.tied)).collect();
            assert_eq!(
                view,
                [("C", Some(1), false), ("A", Some(2), true), ("B", Some(2), true)]
            );
        }
        // A judge who gives everyone the same total moves nobody.
        let flat = vec![t("A", "j", 50.0), t("B", "j", 50.0)];
        let r = rank(&["A".into(), "B".into()], &flat);
        assert!(
            r.iter()
                .all(|x| x.rank == Some(1) && x.tied && x.normalised == Some(0.0))
        );
    }
}
