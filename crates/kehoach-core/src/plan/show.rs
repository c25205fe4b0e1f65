//! A readable plain-text summary of a plan (`kehoach plan show`).

use std::fmt::Write;

use crate::plan::model::*;
use crate::text::vn_num;

/// Human summary of a target's rule, such as "≥ 200 lượt mỗi thôn".
pub fn target_rule(plan: &Plan, t: &TargetDef) -> String {
    let th = vn_num(t.threshold, 1);
    let unit = t.threshold_unit.label();
    // A city's targets over its communes name them so, not their committees.
    let one = |k: UnitKind| match k {
        UnitKind::Commune => "xã, phường".to_string(),
        k => k.label().to_lowercase(),
    };
    let all = |k: UnitKind| match k {
        UnitKind::Commune => "xã, phường".to_string(),
        k => k.group_label().to_lowercase(),
    };
    let per = match t.measure {
        Measure::MinPerUnit => format!(" mỗi {}", t.unit_kind.map(one).unwrap_or_default()),
        Measure::RatePerUnitPeriod => match t.period {
            Some(Period::Week) => " số lớp × tuần".into(),
            Some(Period::Month) => " số đơn vị × tháng".into(),
            None => String::new(),
        },
        Measure::RosterCoverage => format!(" {}", t.roster.map(|r| r.label()).unwrap_or_default()),
        Measure::UnitCoverage => format!(" {}", t.unit_kind.map(all).unwrap_or_default()),
        Measure::UnitTargetShare => format!(
            " {} đạt chỉ tiêu {}",
            t.unit_kind.map(all).unwrap_or_default(),
            t.unit_target.as_deref().unwrap_or("")
        ),
        Measure::Count => String::new(),
    };
    let w = plan.target_window(t);
    let space = if unit == "%" { "" } else { " " };
    format!("{} {th}{space}{unit}{per} ({})", t.comparator.symbol(), w.vn())
}

pub fn summary(plan: &Plan) -> String {
    let h = &plan.plan;
    let mut o = String::new();
    let _ = writeln!(o, "{} — {}", h.doc_type.to_uppercase(), h.issuer);
    let _ = writeln!(o, "{}", h.title);
    if let Some(t) = &h.theme {
        let _ = writeln!(o, "Chủ đề: {t}");
    }
    let _ = writeln!(o, "Thời gian: {}", h.period.vn());
    for r in &h.implements {
        let _ = writeln!(
            o,
            "Thực hiện: {} số {} ngày {} của {} về {}",
            r.doc_type,
            r.number,
            r.date.vn(),
            r.issuer,
            r.subject
        );
    }
    let _ = writeln!(o, "\nĐơn vị ({}):", plan.units.len());
    for u in &plan.units {
        let mark = if u.sample { " [dữ liệu mẫu]" } else { "" };
        let smart = if u.has_smart_classroom {
            " · có phòng học thông minh"
        } else {
            ""
        };
        let _ = writeln!(o, "  - {} ({}){smart}{mark}", u.name, u.kind.label());
    }
    let _ = writeln!(o, "\nIII. Nội dung, tiến độ ({} hoạt động):", plan.lines.len());
    for l in &plan.lines {
        let indent = if l.parent.is_some() { "    " } else { "  " };
        let _ = writeln!(o, "{indent}{}. {} [{}]", l.number, l.title, l.window.vn());
        if !l.lead.is_empty() {
            let lead: Vec<_> = l.lead.iter().map(|r| plan.unit_ref_label(r)).collect();
            let _ = writeln!(o, "{indent}   Chủ trì: {}", lead.join(", "));
        }
        if !l.partners.is_empty() {
            let p: Vec<_> = l.partners.iter().map(|r| plan.unit_ref_label(r)).collect();
            let _ = writeln!(o, "{indent}   Phối hợp: {}", p.join(", "));
        }
        for m in &l.milestones {
            let _ = writeln!(o, "{indent}   · {}: {}", m.name, m.window.vn());
        }
    }
    let _ = writeln!(o, "\nIV. Chỉ tiêu ({}):", plan.targets.len());
    for t in &plan.targets {
        let _ = writeln!(o, "  {} {} — {}", t.id, t.label, target_rule(plan, t));
    }
    let _ = writeln!(o, "\nV. Kinh phí:");
    for b in &plan.budget_sources {
        let _ = writeln!(o, "  - {}", b.text);
    }
    let _ = writeln!(o, "\nVI. Tổ chức thực hiện ({} đơn vị):", plan.duties.len());
    for d in &plan.duties {
        let _ = writeln!(o, "  {}. {} ({} nhiệm vụ)", d.number, d.heading, d.items.len());
    }
    let s = &plan.signer;
    let _ = writeln!(
        o,
        "\nKý: {} / {}{} / {}",
        s.on_behalf,
        s.deputy_for.as_deref().map(|d| format!("{d} / ")).unwrap_or_default(),
        s.position,
        s.name
    );
    o
}
