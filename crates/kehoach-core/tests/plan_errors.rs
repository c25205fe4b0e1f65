//! A bad plan file gets every problem with its line and field.

use kehoach_core::{SEED_PLAN_TOML, parse_plan};

#[test]
fn unknown_field_is_an_error_with_its_line() {
    let bad = SEED_PLAN_TOML.replacen("short_title =", "short_titel =", 1);
    let errs = parse_plan(&bad).unwrap_err();
    assert_eq!(errs.len(), 1, "{errs:?}");
    let line = bad.lines().position(|l| l.starts_with("short_titel")).unwrap() + 1;
    assert_eq!(errs[0].line, Some(line));
    assert_eq!(errs[0].field, "plan.short_titel");
    assert!(errs[0].message.contains("không thuộc định dạng"), "{}", errs[0].message);
}

#[test]
fn several_problems_are_all_reported() {
    let bad = SEED_PLAN_TOML
        .replacen("lead = [\"ttdvsnc\"]", "lead = [\"trung-tam\"]", 1)
        .replacen("measure = \"count\"", "measure = \"tally\"", 1)
        .replacen(
            "id = \"l5-children-skills\"\nnumber = \"5\"",
            "id = \"l5-children-skills\"\nnumber = \"5\"\ncolour = \"red\"",
            1,
        );
    let errs = parse_plan(&bad).unwrap_err();
    // Structure errors stop cross-checks, but both structural problems are listed.
    assert_eq!(errs.len(), 2, "{errs:#?}");
    assert!(errs.iter().any(|e| e.field == "lines[4].colour"));
    assert!(
        errs.iter()
            .any(|e| e.field.starts_with("targets[3]") && e.message.contains("tally"))
    );
    // With those fixed the dangling unit reference is found, on its own line.
    let bad2 = SEED_PLAN_TOML.replacen("lead = [\"ttdvsnc\"]", "lead = [\"trung-tam\"]", 1);
    let errs = parse_plan(&bad2).unwrap_err();
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert_eq!(errs[0].field, "lines[1].lead[0]");
    let line = bad2.lines().position(|l| l.contains("\"trung-tam\"")).unwrap() + 1;
    assert_eq!(errs[0].line, Some(line));
}

#[test]
fn window_outside_period_and_bad_percent() {
    let bad = SEED_PLAN_TOML
        .replacen(
            "window = { start = 2026-07-01, end = 2026-07-31 }",
            "window = { start = 2026-07-01, end = 2026-09-30 }",
            1,
        )
        .replacen("threshold = 80", "threshold = 180", 1);
    let errs = parse_plan(&bad).unwrap_err();
    assert!(
        errs.iter()
            .any(|e| e.field == "lines[3].window" && e.message.contains("ngoài thời gian kế hoạch")),
        "{errs:#?}"
    );
    assert!(errs.iter().any(|e| e.field == "targets[7].threshold"), "{errs:#?}");
}

#[test]
fn syntax_error_has_a_line() {
    let bad = format!("{SEED_PLAN_TOML}\n[[lines]\n");
    let errs = parse_plan(&bad).unwrap_err();
    assert_eq!(errs.len(), 1);
    assert!(errs[0].line.unwrap() > 500, "{errs:?}");
}

#[test]
fn missing_field_is_named() {
    let bad = SEED_PLAN_TOML.replacen("title = \"Hội nghị tổng kết\"\n", "", 1);
    let errs = parse_plan(&bad).unwrap_err();
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(errs[0].field, "lines[10].title");
    assert!(errs[0].message.contains("thiếu trường bắt buộc “title”"));
}

#[test]
fn decomposed_text_is_normalised() {
    let nfd = SEED_PLAN_TOML.replacen("Đoàn Thị Nhung", "Đoa\u{300}n Thi\u{323} Nhung", 1);
    let p = parse_plan(&nfd).unwrap();
    assert_eq!(p.signer.name, "Đoàn Thị Nhung");
}
