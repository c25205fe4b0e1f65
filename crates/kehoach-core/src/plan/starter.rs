//! The plan file a new commune starts with when it is created without one:
//! its name and the year, nothing invented. Its coordinator then brings the
//! commune's real plan in from its text (`/ke-hoach/nhap`), which replaces
//! this one while nothing is recorded.

/// The level and the name of a commune's full name: "xã An Hòa" →
/// ("xã", "An Hòa"); a name without a level is taken as a "xã".
pub fn split_level(full: &str) -> (String, String) {
    let full = crate::text::clean(full);
    let lower = full.to_lowercase();
    for level in ["thị trấn", "đặc khu", "phường", "xã", "thành phố", "tỉnh"] {
        if let Some(rest) = lower.strip_prefix(level)
            && rest.starts_with(' ')
        {
            let name = full[full.len() - rest.len()..].trim().to_string();
            return (level.to_string(), name);
        }
    }
    ("xã".to_string(), full)
}

/// A valid plan file with only the commune and a period (the given year).
pub fn starter_toml(full_name: &str, province: &str, year: i32) -> String {
    let (level, name) = split_level(full_name);
    let q = |s: &str| toml::Value::String(s.to_string()).to_string();
    format!(
        "# Kế hoạch khởi đầu của {full}: chưa có hoạt động, chỉ tiêu.\n\
         # Người điều phối nhập kế hoạch thật của xã ở trang “Nhập kế hoạch”.\n\
         [plan]\n\
         id = \"ke-hoach-khoi-dau-{year}\"\n\
         doc_type = \"Kế hoạch\"\n\
         issuer = {issuer}\n\
         commune = {name}\n\
         commune_level = {level}\n\
         province = {province}\n\
         title = {title}\n\
         short_title = \"Kế hoạch khởi đầu\"\n\
         period_text = {period_text}\n\
         period = {{ start = {year}-01-01, end = {year}-12-31 }}\n\n\
         [signer]\n\
         on_behalf = \"TM. ỦY BAN NHÂN DÂN\"\n\
         position = \"CHỦ TỊCH\"\n\
         name = \"(chưa nhập)\"\n",
        full = q(&format!("{level} {name}")),
        issuer = q(&format!("Ủy ban nhân dân {level} {name}")),
        name = q(&name),
        level = q(&level),
        province = q(province.trim()),
        title = q(&format!("Kế hoạch khởi đầu của {level} {name} (chưa nhập kế hoạch)")),
        period_text = q(&format!("Năm {year}.")),
    )
}

/// The sample city's plan of `kehoach demo --city` (thành phố Mẫu): the
/// activity lines of the seed plan (so its communes' plans share their ids),
/// and four targets over its communes, one of each kind the engine
/// evaluates with the commune as the unit. Sample content, clearly named,
/// for the demo and the tests only. Returns the plan and its file.
pub fn sample_city_plan() -> (crate::Plan, String) {
    use crate::plan::model::*;
    let mut p = crate::seed_plan();
    p.plan.id = "thanh-pho-mau-2026".into();
    p.plan.commune = "Mẫu".into();
    p.plan.commune_level = "thành phố".into();
    p.plan.province = "Mẫu".into();
    p.plan.issuer = "Ủy ban nhân dân thành phố Mẫu".into();
    p.plan.number = None;
    p.plan.title = "Kế hoạch mẫu của thành phố: Mùa hè sôi động cùng chuyển đổi số 2026 ở các xã".into();
    p.plan.short_title = "Kế hoạch mẫu của thành phố 2026".into();
    let target = |id: &str, label: &str, measure: Measure, threshold: f64, unit: ThresholdUnit| TargetDef {
        id: id.into(),
        text: label.into(),
        label: label.into(),
        source_line: None,
        measure,
        records: vec![RecordKind::Session],
        lines: Vec::new(),
        session_kinds: Vec::new(),
        unit_kind: Some(UnitKind::Commune),
        subject: None,
        only_smart_classroom: false,
        roster: None,
        per_unit: None,
        period: None,
        comparator: Comparator::Ge,
        threshold,
        threshold_unit: unit,
        window: None,
        unit_target: None,
    };
    let mut tp1 = target(
        "TP1",
        "100% xã, phường tổ chức tuyên truyền về chuyển đổi số",
        Measure::UnitCoverage,
        100.0,
        ThresholdUnit::Percent,
    );
    tp1.session_kinds = vec![SessionKind::Propaganda];
    tp1.per_unit = Some(1);
    let mut tp2 = target(
        "TP2",
        "Ít nhất 6.000 lượt người dân được hỗ trợ",
        Measure::Count,
        6000.0,
        ThresholdUnit::Turns,
    );
    tp2.records = vec![RecordKind::SupportTurn];
    tp2.unit_kind = None;
    let mut tp3 = target(
        "TP3",
        "Mỗi xã ít nhất 01 buổi Bình dân học vụ số",
        Measure::MinPerUnit,
        1.0,
        ThresholdUnit::Sessions,
    );
    tp3.lines = vec!["l4-binh-dan-hoc-vu-so".into()];
    let mut tp4 = target(
        "TP4",
        "Trên 80% xã đạt chỉ tiêu T6 (mỗi thôn 200 lượt hỗ trợ)",
        Measure::UnitTargetShare,
        80.0,
        ThresholdUnit::Percent,
    );
    tp4.comparator = Comparator::Gt;
    tp4.unit_target = Some("T6".into());
    p.targets = vec![tp1, tp2, tp3, tp4];
    let source = crate::read::draft::to_toml(&p).expect("the sample city plan serialises");
    (p, source)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_split_off() {
        assert_eq!(split_level("xã An Hòa"), ("xã".into(), "An Hòa".into()));
        assert_eq!(split_level("Phường Hồng Bàng"), ("phường".into(), "Hồng Bàng".into()));
        assert_eq!(split_level("thị trấn Núi Đèo"), ("thị trấn".into(), "Núi Đèo".into()));
        assert_eq!(split_level("An Hòa"), ("xã".into(), "An Hòa".into()));
        assert_eq!(split_level("Xãhội"), ("xã".into(), "Xãhội".into()));
    }

    #[test]
    fn the_starter_plan_is_a_valid_plan_of_that_commune() {
        let plan = crate::parse_plan(&starter_toml("xã An Hòa", "Hải Phòng", 2026)).expect("valid");
        assert_eq!(plan.plan.commune, "An Hòa");
        assert_eq!(plan.plan.commune_level, "xã");
        assert_eq!(plan.plan.province, "Hải Phòng");
        assert_eq!(plan.plan.period.start, crate::Day::from_ymd(2026, 1, 1).unwrap());
        assert!(plan.lines.is_empty() && plan.targets.is_empty() && plan.units.is_empty());
        // Quotes in a name cannot break the file.
        assert!(crate::parse_plan(&starter_toml("xã \"A\\B", "", 2027)).is_ok());
    }
}
