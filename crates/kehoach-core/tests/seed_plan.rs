//! The embedded plan against the seed text: every line, date, unit, target.

use kehoach_core::plan::{show, timeline};
use kehoach_core::*;

fn d(y: i32, m: u8, dd: u8) -> Day {
    Day::from_ymd(y, m, dd).unwrap()
}

const SEED_TEXT: &str = include_str!("../../../plans/vinh-thinh-mua-he-so-2026.txt");

#[test]
fn header_matches_seed() {
    let p = seed_plan();
    assert_eq!(p.plan.issuer, "Ủy ban nhân dân xã Vĩnh Thịnh");
    assert_eq!(p.plan.period.start, d(2026, 6, 1));
    assert_eq!(p.plan.period.end, d(2026, 8, 31));
    let imp = &p.plan.implements[0];
    assert_eq!(imp.number, "359/KH-UBND");
    assert_eq!(imp.date, d(2025, 12, 31));
    assert_eq!(imp.issuer, "Ủy ban nhân dân thành phố Hải Phòng");
    assert!(p.plan.title.contains("Mùa hè sôi động cùng chuyển đổi số"));
    assert!(
        p.plan
            .theme
            .as_deref()
            .unwrap()
            .contains("Toàn dân tham gia, thanh niên xung kích, kiến tạo tương lai số")
    );
    assert_eq!(p.plan.target_groups.len(), 7);
    assert_eq!(p.plan.purposes.len(), 5);
    assert_eq!(p.plan.requirements.len(), 4);
    assert_eq!(p.signer.name, "Đoàn Thị Nhung");
    assert_eq!(p.signer.deputy_for.as_deref(), Some("KT. CHỦ TỊCH"));
    assert_eq!(p.recipients.len(), 6);
}

#[test]
fn every_text_of_the_plan_appears_in_the_seed() {
    // Texts the plan file keeps "as printed" must really be in the seed.
    let seed: String = text::clean(SEED_TEXT);
    let p = seed_plan();
    let mut checked = 0;
    let mut check = |s: &str| {
        let s = s.trim();
        assert!(seed.contains(s), "not in the seed text: {s}");
        checked += 1;
    };
    for s in p.plan.purposes.iter().chain(&p.plan.requirements) {
        check(s);
    }
    for l in &p.lines {
        check(&l.title.replace(['.', ':'], ""));
        for c in l.content.iter().chain(&l.requirements).chain(&l.line_targets) {
            check(c);
        }
        for t in [&l.time_text, &l.lead_text, &l.partners_text, &l.location_text]
            .into_iter()
            .flatten()
        {
            if !t.contains("Nhận bài") {
                check(t);
            }
        }
    }
    for t in &p.targets {
        if t.source_line.is_none() {
            check(t.text.trim_end_matches('.'));
        }
    }
    for du in &p.duties {
        for i in &du.items {
            check(i);
        }
    }
    for b in &p.budget_sources {
        check(&b.text);
    }
    assert!(checked > 80, "only {checked} texts checked");
}

#[test]
fn every_activity_line_with_dates_lead_and_partners() {
    let p = seed_plan();
    let numbers: Vec<&str> = p.lines.iter().map(|l| l.number.as_str()).collect();
    assert_eq!(numbers, ["1", "2", "3", "4", "5", "6", "6", "7", "7.1", "7.2", "8"]);
    let ids: std::collections::HashSet<_> = p.lines.iter().map(|l| &l.id).collect();
    assert_eq!(ids.len(), p.lines.len(), "line ids are unique");

    let expect = [
        ("l1-launch", (2026, 6, 10), (2026, 6, 10), vec!["vhxh"], vec!["doan-tn"]),
        (
            "l2-propaganda",
            (2026, 6, 1),
            (2026, 8, 31),
            vec!["ttdvsnc"],
            vec!["@agency", "@mass_organisation", "@school", "@village"],
        ),
        (
            "l3-support",
            (2026, 6, 10),
            (2026, 8, 31),
            vec!["doan-tn"],
            vec!["cong-an", "@school", "@village", "@digital_team", "@project06_team"],
        ),
        (
            "l4-binh-dan-hoc-vu-so",
            (2026, 7, 1),
            (2026, 7, 31),
            vec!["doan-tn"],
            vec!["@mass_organisation", "@village", "@digital_team", "@project06_team"],
        ),
        (
            "l5-children-skills",
            (2026, 7, 1),
            (2026, 8, 31),
            vec!["doan-tn"],
            vec!["@school"],
        ),
        (
            "l6-smart-classroom",
            (2026, 6, 1),
            (2026, 8, 31),
            vec!["@school"],
            vec!["doan-tn", "vhxh", "phu-huynh"],
        ),
        (
            "l6-officials-training",
            (2026, 7, 1),
            (2026, 8, 31),
            vec!["@agency"],
            vec![],
        ),
        (
            "l7-1-ideas",
            (2026, 8, 1),
            (2026, 8, 19),
            vec!["vhxh"],
            vec!["@agency", "@mass_organisation", "@school"],
        ),
        (
            "l7-2-videos",
            (2026, 8, 1),
            (2026, 8, 20),
            vec!["doan-tn"],
            vec!["@school", "htx-thang-thuy"],
        ),
        (
            "l8-final-conference",
            (2026, 8, 30),
            (2026, 8, 30),
            vec!["ubnd-xa"],
            vec![],
        ),
    ];
    for (id, s, e, lead, partners) in expect {
        let l = p.line(id).unwrap_or_else(|| panic!("line {id}"));
        assert_eq!(l.window.start, d(s.0, s.1, s.2), "{id} start");
        assert_eq!(l.window.end, d(e.0, e.1, e.2), "{id} end");
        assert_eq!(l.lead, lead, "{id} lead");
        assert_eq!(l.partners, partners, "{id} partners");
    }
    assert_eq!(p.line("l1-launch").unwrap().window.part, Some(DayPart::Morning));
    assert!(p.line("l8-final-conference").unwrap().window.tentative);
    // Both lines printed "6".
    let sixes: Vec<_> = p
        .lines
        .iter()
        .filter(|l| l.number == "6")
        .map(|l| l.id.as_str())
        .collect();
    assert_eq!(sixes, ["l6-smart-classroom", "l6-officials-training"]);
    // 7.1 milestones.
    let ideas = p.line("l7-1-ideas").unwrap();
    assert_eq!(ideas.parent.as_deref(), Some("l7-contests"));
    let ms: Vec<_> = ideas
        .milestones
        .iter()
        .map(|m| (m.id.as_str(), m.window.start, m.window.end, m.window.deadline))
        .collect();
    assert_eq!(
        ms,
        [
            ("launch", d(2026, 8, 1), d(2026, 8, 1), false),
            ("entries", d(2026, 8, 1), d(2026, 8, 15), false),
            ("awards", d(2026, 8, 16), d(2026, 8, 19), true),
        ]
    );
    // Windows read as the plan writes them.
    assert_eq!(ideas.milestones[2].window.vn(), "trước 20/08/2026");
    assert_eq!(p.line("l1-launch").unwrap().window.vn(), "sáng 10/06/2026");
    assert_eq!(p.line("l8-final-conference").unwrap().window.vn(), "dự kiến 30/08/2026");
    assert_eq!(p.lines[7].label(), "7. Tổ chức các cuộc thi");
    // Channels of line 2, services of line 3, venues of line 6.
    assert_eq!(p.line("l2-propaganda").unwrap().forms.len(), 5);
    let services: Vec<_> = p
        .line("l3-support")
        .unwrap()
        .services
        .iter()
        .map(|s| s.id.as_str())
        .collect();
    assert_eq!(
        services,
        [
            "so-suc-khoe",
            "asxh-vneid",
            "smart-hai-phong",
            "khong-tien-mat",
            "dich-vu-cong",
            "tien-ich-khac"
        ]
    );
    let venues: Vec<_> = p
        .line("l6-smart-classroom")
        .unwrap()
        .venues
        .iter()
        .map(|v| p.unit(v).unwrap().name.as_str())
        .collect();
    assert_eq!(
        venues,
        [
            "Trường THCS Vĩnh Long - Thắng Thủy",
            "Trường Tiểu học Trung Lập",
            "Trường Tiểu học Việt Tiến",
            "Trường Mầm non Trung Lập"
        ]
    );
    assert_eq!(p.line("l6-officials-training").unwrap().line_targets.len(), 2);
}

#[test]
fn nine_targets_with_comparators_and_thresholds() {
    let p = seed_plan();
    let got: Vec<_> = p
        .targets
        .iter()
        .map(|t| (t.id.as_str(), t.measure, t.comparator, t.threshold, t.threshold_unit))
        .collect();
    use Comparator::*;
    use Measure::*;
    use ThresholdUnit::*;
    assert_eq!(
        got,
        [
            ("T1", UnitCoverage, Ge, 100.0, Percent),
            ("T2", RosterCoverage, Ge, 100.0, Percent),
            ("T3", RosterCoverage, Ge, 100.0, Percent),
            ("T4", Count, Ge, 2.0, Classes),
            ("T5", Count, Ge, 10.0, Sessions),
            ("T6", MinPerUnit, Ge, 200.0, Turns),
            ("T7", UnitCoverage, Ge, 100.0, Percent),
            ("T8", RosterCoverage, Gt, 80.0, Percent),
            ("R6", RatePerUnitPeriod, Ge, 100.0, Percent),
        ]
    );
    // T8 is strictly greater: exactly 80 % does not meet it.
    let t8 = p.target("T8").unwrap();
    assert!(!t8.comparator.holds(80.0, t8.threshold));
    assert!(t8.comparator.holds(80.1, t8.threshold));
    assert_eq!(p.target("T1").unwrap().unit_kind, Some(UnitKind::Village));
    assert_eq!(p.target("T2").unwrap().roster, Some(Roster::YouthMembers));
    assert_eq!(p.target("T3").unwrap().roster, Some(Roster::Officials));
    assert_eq!(p.target("T6").unwrap().records, [RecordKind::SupportTurn]);
    assert!(p.target("T7").unwrap().only_smart_classroom);
    let r6 = p.target("R6").unwrap();
    assert_eq!(
        (r6.subject, r6.period, r6.per_unit),
        (Some(TargetSubject::Class), Some(Period::Week), Some(1))
    );
    // Windows default to the union of the lines' windows.
    let w = p.target_window(p.target("T1").unwrap());
    assert_eq!((w.start, w.end), (d(2026, 7, 1), d(2026, 7, 31)));
    let w = p.target_window(p.target("T6").unwrap());
    assert_eq!((w.start, w.end), (d(2026, 6, 10), d(2026, 8, 31)));
}

#[test]
fn budget_duties_units() {
    let p = seed_plan();
    assert_eq!(p.budget_sources.len(), 3);
    let headings: Vec<_> = p.duties.iter().map(|d| (d.number.as_str(), d.items.len())).collect();
    assert_eq!(
        headings,
        [
            ("1", 3),
            ("2", 3),
            ("3", 3),
            ("4", 2),
            ("5", 1),
            ("6", 4),
            ("7", 3),
            ("8", 3),
            ("9", 3)
        ]
    );
    assert!(p.duties[8].request_only);
    let schools: Vec<_> = p.units.iter().filter(|u| u.kind == UnitKind::School).collect();
    assert_eq!(schools.len(), 4);
    assert!(schools.iter().all(|s| s.has_smart_classroom && !s.sample));
    // Villages are configuration: the default's are marked as sample data.
    let villages: Vec<_> = p.units.iter().filter(|u| u.kind == UnitKind::Village).collect();
    assert!(!villages.is_empty());
    assert!(villages.iter().all(|v| v.sample && v.name.contains("mẫu")));
}

#[test]
fn summary_and_timeline_render() {
    let p = seed_plan();
    let s = show::summary(&p);
    assert!(
        s.contains("T8 Thanh thiếu nhi tham gia các hoạt động hè gắn với chuyển đổi số — > 80%"),
        "{s}"
    );
    assert!(s.contains("6. Tổ chức tập huấn"));
    let svg = timeline::timeline_svg(&p, Some(d(2026, 7, 15)));
    assert!(svg.contains("hôm nay 15/07"));
    assert_eq!(svg.matches("class=\"tl-row\"").count(), p.lines.len());
    assert!(!timeline::timeline_svg(&p, Some(d(2026, 11, 25))).contains("hôm nay"));
}

#[test]
fn the_sample_city_plan_reads_back_as_written() {
    let (plan, source) = kehoach_core::plan::starter::sample_city_plan();
    let read = kehoach_core::parse_plan(&source).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(read, plan);
    assert_eq!(read.targets.len(), 4);
    assert!(read.targets.iter().any(|t| t.unit_target.as_deref() == Some("T6")));
}
