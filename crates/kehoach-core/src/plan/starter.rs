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
