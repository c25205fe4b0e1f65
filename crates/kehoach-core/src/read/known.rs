//! What a plan reader knows beyond the text: the bodies every commune has
//! (with the stable ids and short names kehoach gives them, the same in
//! every commune so a city can add communes up), the usual propaganda
//! channels, the digital services volunteers help citizens with, the usual
//! budget sources, the usual kinds of campaign activity and contest steps.
//! A name the catalogue does not know gets an id made from its words.

use crate::UnitKind;
use crate::text::fold_key;

/// Lower-case ASCII words of a text, punctuation dropped:
/// "Phòng Văn hóa - Xã hội xã" → "phong van hoa xa hoi xa".
pub fn words(s: &str) -> String {
    fold_key(s)
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// "Đoàn Thanh niên xã" → "doan-thanh-nien-xa" (at most `n` words).
pub fn slug(s: &str, n: usize) -> String {
    words(s)
        .split(' ')
        .filter(|w| !w.is_empty())
        .take(n)
        .collect::<Vec<_>>()
        .join("-")
}

/// `text` contains `phrase` as whole words (both given as `words`).
pub fn has_words(text: &str, phrase: &str) -> bool {
    format!(" {text} ").contains(&format!(" {phrase} "))
}

/// A body found in (almost) every commune.
pub struct Body {
    pub id: &'static str,
    /// The name; `{cap}` stands for the commune level ("xã", "phường").
    pub name: &'static str,
    pub short_name: Option<&'static str>,
    pub kind: UnitKind,
    /// How plans write it, as `words`, without the level word after it.
    pub keys: &'static [&'static str],
    /// The id carries the level ("ubnd-xa", "ubnd-phuong").
    pub level_in_id: bool,
}

const fn body(
    id: &'static str,
    name: &'static str,
    short_name: Option<&'static str>,
    kind: UnitKind,
    keys: &'static [&'static str],
) -> Body {
    Body {
        id,
        name,
        short_name,
        kind,
        keys,
        level_in_id: false,
    }
}

/// The commune's own bodies (after the 2025 reorganisation of local
/// government), the mass organisations, and the partners plans name most.
pub const BODIES: &[Body] = &[
    Body {
        id: "ubnd",
        name: "Ủy ban nhân dân {cap}",
        short_name: Some("UBND {cap}"),
        kind: UnitKind::Commune,
        keys: &["uy ban nhan dan", "ubnd"],
        level_in_id: true,
    },
    body(
        "vhxh",
        "Phòng Văn hóa – Xã hội {cap}",
        Some("Phòng VH-XH"),
        UnitKind::Agency,
        &["phong van hoa xa hoi", "phong vh xh", "phong vhxh"],
    ),
    body(
        "kinh-te-ha-tang-do-thi",
        "Phòng Kinh tế, Hạ tầng và Đô thị {cap}",
        None,
        UnitKind::Agency,
        &["phong kinh te ha tang va do thi"],
    ),
    body(
        "kinh-te",
        "Phòng Kinh tế {cap}",
        None,
        UnitKind::Agency,
        &["phong kinh te"],
    ),
    body(
        "vp-hdnd-ubnd",
        "Văn phòng HĐND và UBND {cap}",
        None,
        UnitKind::Agency,
        &[
            "van phong hdnd va ubnd",
            "van phong hdnd ubnd",
            "van phong hoi dong nhan dan va uy ban nhan dan",
        ],
    ),
    body(
        "ttdvsnc",
        "Trung tâm Dịch vụ sự nghiệp công",
        Some("TT DVSNC"),
        UnitKind::Agency,
        &["trung tam dich vu su nghiep cong"],
    ),
    body(
        "ttphvhcc",
        "Trung tâm Phục vụ hành chính công",
        Some("TT PVHCC"),
        UnitKind::Agency,
        &["trung tam phuc vu hanh chinh cong"],
    ),
    body("tram-y-te", "Trạm Y tế {cap}", None, UnitKind::Agency, &["tram y te"]),
    body(
        "quan-su",
        "Ban Chỉ huy Quân sự {cap}",
        None,
        UnitKind::Agency,
        &["ban chi huy quan su"],
    ),
    body("cong-an", "Công an {cap}", None, UnitKind::Police, &["cong an"]),
    body(
        "doan-tn",
        "Đoàn Thanh niên {cap}",
        Some("Đoàn TN"),
        UnitKind::YouthUnion,
        &["doan thanh nien", "doan tncs ho chi minh", "doan"],
    ),
    body(
        "mttq",
        "Ủy ban Mặt trận Tổ quốc Việt Nam và các tổ chức chính trị - xã hội {cap}",
        Some("UBMTTQ và các tổ chức CT-XH"),
        UnitKind::MassOrganisation,
        &[
            "uy ban mat tran to quoc viet nam va cac to chuc chinh tri xa hoi",
            "ubmttq va cac to chuc chinh tri xa hoi",
            "ubmttq vn va cac to chuc ctxh",
        ],
    ),
    body(
        "mttq",
        "Ủy ban Mặt trận Tổ quốc Việt Nam {cap}",
        Some("UBMTTQ"),
        UnitKind::MassOrganisation,
        &["uy ban mat tran to quoc viet nam", "uy ban mat tran to quoc", "ubmttq"],
    ),
    body(
        "hoi-phu-nu",
        "Hội Liên hiệp Phụ nữ {cap}",
        Some("Hội LHPN"),
        UnitKind::MassOrganisation,
        &["hoi lien hiep phu nu", "hoi phu nu"],
    ),
    body(
        "hoi-nong-dan",
        "Hội Nông dân {cap}",
        None,
        UnitKind::MassOrganisation,
        &["hoi nong dan"],
    ),
    body(
        "hoi-ccb",
        "Hội Cựu chiến binh {cap}",
        Some("Hội CCB"),
        UnitKind::MassOrganisation,
        &["hoi cuu chien binh"],
    ),
    body(
        "hoi-nct",
        "Hội Người cao tuổi {cap}",
        None,
        UnitKind::MassOrganisation,
        &["hoi nguoi cao tuoi"],
    ),
    body(
        "hoi-khuyen-hoc",
        "Hội Khuyến học {cap}",
        None,
        UnitKind::MassOrganisation,
        &["hoi khuyen hoc"],
    ),
    body(
        "hoi-chu-thap-do",
        "Hội Chữ thập đỏ {cap}",
        None,
        UnitKind::MassOrganisation,
        &["hoi chu thap do"],
    ),
    body(
        "buu-dien-van-hoa",
        "Bưu điện văn hóa {cap}",
        None,
        UnitKind::Agency,
        &["buu dien van hoa"],
    ),
    body(
        "phu-huynh",
        "Phụ huynh học sinh",
        None,
        UnitKind::Community,
        &["phu huynh hoc sinh", "phu huynh"],
    ),
];

/// The catalogue's body for a name, if the name is one of them (possibly
/// followed by the level and the commune's name: "Công an xã Vĩnh Thịnh").
pub fn known_body(name: &str) -> Option<&'static Body> {
    let w = words(name);
    BODIES.iter().find(|b| {
        b.keys.iter().any(|k| match w.strip_prefix(k) {
            Some("") => true,
            Some(rest) => {
                let Some(rest) = rest.strip_prefix(' ') else {
                    return false;
                };
                ["xa", "phuong", "thi tran", "tren dia ban"]
                    .iter()
                    .any(|l| rest == *l || rest.starts_with(&format!("{l} ")))
            }
            None => false,
        })
    })
}

/// A body's name, short name and id for a commune of `level` ("xã").
pub fn body_unit(b: &Body, level: &str) -> (String, String, Option<String>) {
    let id = if b.level_in_id {
        format!("{}-{}", b.id, slug(level, 2))
    } else {
        b.id.to_string()
    };
    let fill = |s: &str| s.replace("{cap}", level).trim().to_string();
    (id, fill(b.name), b.short_name.map(fill))
}

/// Groups of units a phrase names in the plural, in the order it names
/// them: "Các ban, ngành đoàn thể" → agencies, mass organisations;
/// "Tổ công nghệ số cộng đồng" (one per village) → the digital teams.
pub fn groups(phrase: &str) -> Vec<&'static str> {
    let w = words(phrase);
    if w.starts_with("to cong nghe so") {
        return vec!["@digital_team"];
    }
    if w.starts_with("to cong tac de an 06") {
        return vec!["@project06_team"];
    }
    if !w.starts_with("cac ") {
        return Vec::new();
    }
    const KEYS: [(&str, &str); 11] = [
        ("co quan", "@agency"),
        ("ban nganh", "@agency"),
        ("phong ban", "@agency"),
        ("doan the", "@mass_organisation"),
        ("to chuc chinh tri xa hoi", "@mass_organisation"),
        ("hoi", "@mass_organisation"),
        ("nha truong", "@school"),
        ("truong", "@school"),
        ("thon", "@village"),
        ("to dan pho", "@village"),
        ("khu dan cu", "@village"),
    ];
    let tokens: Vec<&str> = w.split(' ').collect();
    let mut out: Vec<&'static str> = Vec::new();
    for i in 0..tokens.len() {
        let rest = tokens[i..].join(" ");
        if let Some((_, g)) = KEYS
            .iter()
            .find(|(k, _)| rest == *k || rest.starts_with(&format!("{k} ")))
            && !out.contains(g)
        {
            out.push(g);
        }
    }
    out
}

/// A school's id: its level and its name ("Trường Tiểu học Trung Lập" →
/// "th-trung-lap"); None when the name is not a school's.
pub fn school_id(name: &str) -> Option<String> {
    let w = words(name);
    let w = w.strip_prefix("truong ")?;
    const LEVELS: [(&str, &str); 9] = [
        ("mam non", "mn"),
        ("mau giao", "mg"),
        ("tieu hoc va trung hoc co so", "th-thcs"),
        ("th va thcs", "th-thcs"),
        ("tieu hoc", "th"),
        ("trung hoc co so", "thcs"),
        ("thcs", "thcs"),
        ("trung hoc pho thong", "thpt"),
        ("thpt", "thpt"),
    ];
    let (level, rest) = LEVELS
        .iter()
        .find_map(|(k, a)| w.strip_prefix(k).map(|r| (*a, r.trim())))?;
    if rest.is_empty() {
        return None;
    }
    Some(format!("{level}-{}", rest.replace(' ', "-")))
}

/// A cooperative's id from its proper name, acronyms of its trade left out:
/// "HTX KDDVNN Thăng Thủy" → "htx-thang-thuy".
pub fn cooperative_id(name: &str) -> Option<String> {
    let w = words(name);
    if !(w.starts_with("htx ") || w.starts_with("hop tac xa ")) {
        return None;
    }
    let proper: Vec<&str> = name
        .split_whitespace()
        .filter(|t| {
            let letters: Vec<char> = t.chars().filter(|c| c.is_alphabetic()).collect();
            letters.first().is_some_and(|c| c.is_uppercase()) && letters.iter().skip(1).any(|c| c.is_lowercase())
        })
        .filter(|t| !matches!(words(t).as_str(), "hop" | "tac" | "xa"))
        .collect();
    (!proper.is_empty()).then(|| format!("htx-{}", slug(&proper.join(" "), 6)))
}

/// The usual kinds of campaign activity, for line ids that read the same in
/// every commune ("l3-support"): checked in order on the title's words.
pub fn activity_key(title: &str) -> String {
    let w = words(title);
    let has = |p: &str| has_words(&w, p);
    let quoted = title
        .split_once('“')
        .and_then(|(_, r)| r.split_once('”'))
        .map(|(q, _)| q.to_string());
    if has("hoi nghi tong ket") || w.starts_with("tong ket") {
        "final-conference".into()
    } else if has("trien khai ke hoach") || has("le ra quan") || has("le phat dong") {
        "launch".into()
    } else if has("cac cuoc thi") || has("cac hoi thi") {
        "contests".into()
    } else if has("cuoc thi") || has("hoi thi") {
        if has("y tuong") {
            "ideas".into()
        } else if w.contains("video") || has("phim") {
            "videos".into()
        } else if has("anh") || has("nhiep anh") {
            "photos".into()
        } else {
            quoted.map(|q| slug(&q, 4)).unwrap_or_else(|| "contest".into())
        }
    } else if has("phong hoc thong minh") {
        "smart-classroom".into()
    } else if (has("can bo") || has("cong chuc")) && (has("tap huan") || has("boi duong")) {
        "officials-training".into()
    } else if (has("thanh thieu nhi") || has("thieu nhi") || has("hoc sinh")) && (has("tap huan") || has("ky nang")) {
        "children-skills".into()
    } else if has("tuyen truyen") {
        "propaganda".into()
    } else if has("ho tro") {
        "support".into()
    } else if let Some(q) = quoted.filter(|_| has("phong trao")) {
        slug(&q, 6)
    } else {
        slug(title, 3)
    }
}

/// The usual steps of a contest ("Phát động", "Nhận bài dự thi", "Tổng kết,
/// trao giải") with the ids the contest pages look for.
pub fn milestone_id(name: &str) -> String {
    let w = words(name);
    let has = |p: &str| has_words(&w, p);
    if has("phat dong") {
        "launch".into()
    } else if has("nhan bai") || has("nhan tac pham") || has("nop bai") {
        "entries".into()
    } else if has("cham") || has("cham thi") || has("so khao") {
        "judging".into()
    } else if has("trao giai") || has("tong ket") {
        "awards".into()
    } else {
        slug(name, 3)
    }
}

/// The usual channels of propaganda, by the words that name them.
pub fn form_id(label: &str) -> String {
    let w = words(label);
    let has = |p: &str| has_words(&w, p);
    if has("truyen thanh") || has("loa") {
        "truyen-thanh".into()
    } else if has("cong thong tin") || has("trang thong tin") {
        "cong-thong-tin".into()
    } else if has("fanpage") || has("facebook") {
        "fanpage".into()
    } else if has("zalo") {
        "zalo".into()
    } else if has("luu dong") {
        "luu-dong".into()
    } else if has("pano") || has("ap phich") || has("bang ron") || has("khau hieu") {
        "pano".into()
    } else if has("to roi") || has("to gap") {
        "to-roi".into()
    } else {
        slug(label, 3)
    }
}

/// The digital services community teams help citizens with, as a line's
/// content names them, in the order named (ids and labels as kehoach shows them).
pub fn services(item: &str) -> Vec<(String, String)> {
    let w = words(item);
    let mut found: Vec<(usize, String, String)> = Vec::new();
    let mut at = |phrase: &str, id: &str, label: &str| {
        if let Some(i) = format!(" {w} ").find(&format!(" {phrase} ")) {
            found.push((i, id.to_string(), label.to_string()));
            true
        } else {
            false
        }
    };
    at("so suc khoe dien tu", "so-suc-khoe", "Sổ sức khỏe điện tử");
    let asxh = at("asxh", "asxh-vneid", "Kích hoạt tài khoản ASXH trên VNeID")
        || at("an sinh xa hoi", "asxh-vneid", "Kích hoạt tài khoản ASXH trên VNeID");
    if !asxh {
        at("vneid", "vneid", "Tài khoản định danh điện tử VNeID");
    }
    at(
        "khong dung tien mat",
        "khong-tien-mat",
        "Thanh toán không dùng tiền mặt",
    );
    at("dich vu cong truc tuyen", "dich-vu-cong", "Dịch vụ công trực tuyến");
    at("chu ky so", "chu-ky-so", "Chữ ký số cá nhân");
    at("tien ich so", "tien-ich-khac", "Tiện ích số khác phục vụ đời sống");
    // "ứng dụng Smart Hải Phòng": the city's own app, named as written.
    if let Some(i) = item.find("Smart ") {
        let name: Vec<&str> = item[i + "Smart ".len()..]
            .split_whitespace()
            .map(|t| t.trim_end_matches(['.', ',', ';', ':']))
            .take_while(|t| t.chars().next().is_some_and(char::is_uppercase))
            .take(3)
            .collect();
        if !name.is_empty() {
            let city = name.join(" ");
            let pos = format!(" {w} ").find(" smart ").unwrap_or(0);
            found.push((
                pos,
                format!("smart-{}", slug(&city, 3)),
                format!("Ứng dụng Smart {city}"),
            ));
        }
    }
    found.sort_by_key(|f| f.0);
    found.into_iter().map(|(_, id, label)| (id, label)).collect()
}

/// The usual budget sources, with ids that read the same in every plan.
pub fn budget_id(text: &str) -> String {
    let w = words(text);
    let has = |p: &str| has_words(&w, p);
    if has("xa hoi hoa") {
        "xa-hoi-hoa".into()
    } else if has("hop phap khac") {
        "nguon-hop-phap-khac".into()
    } else if has("ngan sach") && has("dia phuong") {
        "ngan-sach-dia-phuong".into()
    } else if has("ngan sach") {
        "ngan-sach".into()
    } else {
        slug(text, 4)
    }
}

/// The standard abbreviation of the commune's staff.
pub const OFFICIALS: (&str, &str) = ("cán bộ, công chức, viên chức", "CBCCVC");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_found_with_or_without_their_level() {
        for (name, id) in [
            ("Phòng Văn hoá – xã hội xã", "vhxh"),
            ("Phòng Văn hóa - Xã hội", "vhxh"),
            ("Ủy ban nhân dân xã Vĩnh Thịnh", "ubnd"),
            ("Công an xã", "cong-an"),
            ("Đoàn thanh niên xã", "doan-tn"),
            (
                "Ủy ban Mặt trận Tổ quốc Việt Nam và các tổ chức chính trị - xã hội xã",
                "mttq",
            ),
            ("Hội Liên hiệp Phụ nữ phường", "hoi-phu-nu"),
            ("phụ huynh học sinh", "phu-huynh"),
        ] {
            assert_eq!(known_body(name).map(|b| b.id), Some(id), "{name}");
        }
        // A longer name that only starts like a body is not that body.
        assert!(known_body("Phòng Kinh tế, Hạ tầng và Đô thị phường").is_some_and(|b| b.id != "kinh-te"));
        assert!(known_body("Công an tỉnh Quảng Ninh").is_none());
        assert_eq!(body_unit(known_body("UBND phường").unwrap(), "phường").0, "ubnd-phuong");
    }

    #[test]
    fn groups_schools_and_cooperatives() {
        assert_eq!(groups("Các ban, ngành đoàn thể"), ["@agency", "@mass_organisation"]);
        assert_eq!(
            groups("Các cơ quan, ban ngành, đoàn thể"),
            ["@agency", "@mass_organisation"]
        );
        assert_eq!(groups("các nhà trường"), ["@school"]);
        assert_eq!(groups("Các hội, đoàn thể"), ["@mass_organisation"]);
        assert_eq!(known_body("Hội Khuyến học xã").map(|b| b.id), Some("hoi-khuyen-hoc"));
        assert_eq!(groups("Các thôn trên địa bàn xã"), ["@village"]);
        assert_eq!(groups("Tổ công tác Đề án 06 tại các thôn"), ["@project06_team"]);
        assert!(groups("Công an xã").is_empty());
        assert_eq!(
            school_id("Trường THCS Vĩnh Long - Thắng Thủy").unwrap(),
            "thcs-vinh-long-thang-thuy"
        );
        assert_eq!(school_id("Trường Mầm non Trung Lập").unwrap(), "mn-trung-lap");
        assert_eq!(school_id("Trường học"), None);
        assert_eq!(cooperative_id("HTX KDDVNN Thăng Thủy").unwrap(), "htx-thang-thuy");
    }

    #[test]
    fn services_in_the_order_named() {
        let got: Vec<String> = services("Hướng dẫn người dân cài đặt số sức khỏe điện tử, kích hoạt tài khoản ASXH;")
            .into_iter()
            .map(|s| s.0)
            .collect();
        assert_eq!(got, ["so-suc-khoe", "asxh-vneid"]);
        assert_eq!(
            services("Hướng dẫn cài đặt và sử dụng ứng dụng Smart Hải Phòng;")[0],
            ("smart-hai-phong".to_string(), "Ứng dụng Smart Hải Phòng".to_string())
        );
    }
}
