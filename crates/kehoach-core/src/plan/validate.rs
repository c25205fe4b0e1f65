//! Reading and checking a plan file.
//!
//! `parse_plan` reports every problem it can find, not only the first: each
//! section entry is deserialised on its own, then the cross-references (unit
//! ids, line ids, windows inside the period, target fields that go together)
//! are checked. Each problem carries the line in the file, the field path and
//! a plain Vietnamese reason.

use std::collections::HashSet;
use std::fmt;
use std::ops::Range;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use toml::{Spanned, Value};

use crate::plan::model::*;
use crate::text::{clean, is_slug};

/// One problem found in a plan file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanError {
    /// 1-based line in the file, when known.
    pub line: Option<usize>,
    /// Path of the field, such as `lines[3].lead[0]`.
    pub field: String,
    /// Why, in Vietnamese.
    pub message: String,
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "dòng {l}, {}: {}", self.field, self.message),
            None => write!(f, "{}: {}", self.field, self.message),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlan {
    plan: Spanned<Value>,
    #[serde(default)]
    units: Vec<Spanned<Value>>,
    #[serde(default)]
    lines: Vec<Spanned<Value>>,
    #[serde(default)]
    targets: Vec<Spanned<Value>>,
    #[serde(default)]
    budget_sources: Vec<Spanned<Value>>,
    #[serde(default)]
    duties: Vec<Spanned<Value>>,
    signer: Option<Spanned<Value>>,
    #[serde(default)]
    recipients: Vec<String>,
}

struct Ctx<'a> {
    text: &'a str,
    errors: Vec<PlanError>,
}

impl Ctx<'_> {
    fn line_of(&self, offset: usize) -> usize {
        self.text[..offset.min(self.text.len())].matches('\n').count() + 1
    }

    /// Line of `key = ...` in the entry starting at `span` (up to the next
    /// table header), else the entry's first line. Spans of `[table]` entries
    /// cover only their header, so the body is found by scanning on.
    fn key_line(&self, span: &Range<usize>, key: &str) -> usize {
        let body = &self.text[span.start.min(self.text.len())..];
        let mut offset = span.start;
        for (i, l) in body.split_inclusive('\n').enumerate() {
            let t = l.trim_start();
            if i > 0 && l.starts_with('[') {
                break;
            }
            if let Some(rest) = t.strip_prefix(key)
                && rest.trim_start().starts_with('=')
            {
                return self.line_of(offset);
            }
            offset += l.len();
        }
        self.line_of(span.start)
    }

    fn push(&mut self, line: Option<usize>, field: impl Into<String>, message: impl Into<String>) {
        self.errors.push(PlanError {
            line,
            field: field.into(),
            message: message.into(),
        });
    }

    fn entry<T: DeserializeOwned>(&mut self, v: Spanned<Value>, path: &str) -> Option<(T, Range<usize>)> {
        let span = v.span();
        match T::deserialize(v.into_inner()) {
            Ok(t) => Some((t, span)),
            Err(e) => {
                let (key, message) = explain(e.message());
                let line = match &key {
                    Some(k) => self.key_line(&span, k),
                    None => self.line_of(span.start),
                };
                let field = match key {
                    Some(k) => format!("{path}.{k}"),
                    None => path.to_string(),
                };
                self.push(Some(line), field, message);
                None
            }
        }
    }
}

/// Turns a serde message into (field, Vietnamese reason).
fn explain(msg: &str) -> (Option<String>, String) {
    let quoted = |m: &str| -> Option<String> {
        let start = m.find('`')? + 1;
        let end = start + m[start..].find('`')?;
        Some(m[start..end].to_string())
    };
    if let Some(rest) = msg.strip_prefix("unknown field") {
        let key = quoted(rest);
        let expected = rest.split_once("expected").map(|(_, e)| e.trim().to_string());
        let mut m = format!(
            "trường “{}” không thuộc định dạng kế hoạch",
            key.clone().unwrap_or_default()
        );
        if let Some(e) = expected {
            m.push_str(&format!(" (các trường hợp lệ: {})", e.replace('`', "")));
        }
        return (key, m);
    }
    if let Some(rest) = msg.strip_prefix("missing field") {
        let key = quoted(rest);
        return (
            key.clone(),
            format!("thiếu trường bắt buộc “{}”", key.unwrap_or_default()),
        );
    }
    if let Some(rest) = msg.strip_prefix("unknown variant") {
        let value = quoted(rest).unwrap_or_default();
        let expected = rest
            .split_once("expected")
            .map(|(_, e)| e.trim().replace('`', ""))
            .unwrap_or_default();
        return (None, format!("giá trị “{value}” không hợp lệ; chỉ nhận: {expected}"));
    }
    if let Some(rest) = msg.strip_prefix("invalid type: ") {
        return (None, format!("sai kiểu dữ liệu ({rest})"));
    }
    (None, msg.to_string())
}

/// Parses and checks a plan file. Text is NFC-normalised first.
pub fn parse_plan(input: &str) -> Result<Plan, Vec<PlanError>> {
    let text = clean(input);
    let mut cx = Ctx {
        text: &text,
        errors: Vec::new(),
    };
    let raw: RawPlan = match toml::from_str(&text) {
        Ok(r) => r,
        Err(e) => {
            let line = e.span().map(|s| cx.line_of(s.start));
            let (key, message) = explain(e.message());
            cx.push(line, key.unwrap_or_else(|| "(tệp)".into()), message);
            return Err(cx.errors);
        }
    };

    let header = cx.entry::<Header>(raw.plan, "plan");
    let units: Vec<(Unit, Range<usize>)> = entries(&mut cx, raw.units, "units");
    let lines: Vec<(ActivityLine, Range<usize>)> = entries(&mut cx, raw.lines, "lines");
    let targets: Vec<(TargetDef, Range<usize>)> = entries(&mut cx, raw.targets, "targets");
    let budget: Vec<(BudgetSource, Range<usize>)> = entries(&mut cx, raw.budget_sources, "budget_sources");
    let duties: Vec<(UnitDuties, Range<usize>)> = entries(&mut cx, raw.duties, "duties");
    let signer = match raw.signer {
        Some(s) => cx.entry::<Signer>(s, "signer"),
        None => {
            cx.push(None, "signer", "thiếu khối chữ ký (bảng [signer])");
            None
        }
    };
    let (Some((header, header_span)), Some((signer, _))) = (header, signer) else {
        return Err(cx.errors);
    };
    if !cx.errors.is_empty() {
        // Cross-checks on a partly read plan would report ghosts.
        return Err(cx.errors);
    }

    check(
        &mut cx,
        &header,
        &header_span,
        &units,
        &lines,
        &targets,
        &budget,
        &duties,
    );
    if !cx.errors.is_empty() {
        return Err(cx.errors);
    }
    Ok(Plan {
        plan: header,
        units: units.into_iter().map(|(u, _)| u).collect(),
        lines: lines.into_iter().map(|(l, _)| l).collect(),
        targets: targets.into_iter().map(|(t, _)| t).collect(),
        budget_sources: budget.into_iter().map(|(b, _)| b).collect(),
        duties: duties.into_iter().map(|(d, _)| d).collect(),
        signer,
        recipients: raw.recipients,
    })
}

fn entries<T: DeserializeOwned>(cx: &mut Ctx, raw: Vec<Spanned<Value>>, section: &str) -> Vec<(T, Range<usize>)> {
    raw.into_iter()
        .enumerate()
        .filter_map(|(i, v)| cx.entry::<T>(v, &format!("{section}[{i}]")))
        .collect()
}

#[expect(clippy::too_many_arguments, reason = "one call site; each section is its own list")]
fn check(
    cx: &mut Ctx,
    header: &Header,
    header_span: &Range<usize>,
    units: &[(Unit, Range<usize>)],
    lines: &[(ActivityLine, Range<usize>)],
    targets: &[(TargetDef, Range<usize>)],
    budget: &[(BudgetSource, Range<usize>)],
    duties: &[(UnitDuties, Range<usize>)],
) {
    let hl = |cx: &Ctx, k: &str| Some(cx.key_line(header_span, k));
    if !is_slug(&header.id) {
        let l = hl(cx, "id");
        cx.push(
            l,
            "plan.id",
            "mã kế hoạch chỉ gồm chữ thường không dấu, số và dấu gạch ngang",
        );
    }
    let period = header.period;
    if period.start > period.end {
        let l = hl(cx, "period");
        cx.push(l, "plan.period", "ngày bắt đầu sau ngày kết thúc");
    }
    for (name, value) in [
        ("plan.title", &header.title),
        ("plan.issuer", &header.issuer),
        ("plan.commune", &header.commune),
    ] {
        if value.trim().is_empty() {
            let key = name.trim_start_matches("plan.");
            let l = hl(cx, key);
            cx.push(l, name, "không được để trống");
        }
    }

    // Units: unique slugs.
    let mut unit_ids = HashSet::new();
    for (i, (u, span)) in units.iter().enumerate() {
        if !is_slug(&u.id) {
            let l = Some(cx.key_line(span, "id"));
            cx.push(
                l,
                format!("units[{i}].id"),
                format!(
                    "mã đơn vị “{}” chỉ gồm chữ thường không dấu, số và dấu gạch ngang",
                    u.id
                ),
            );
        }
        if !unit_ids.insert(u.id.as_str()) {
            let l = Some(cx.key_line(span, "id"));
            cx.push(l, format!("units[{i}].id"), format!("mã đơn vị “{}” bị trùng", u.id));
        }
        if u.has_smart_classroom && u.kind != UnitKind::School {
            let l = Some(cx.key_line(span, "has_smart_classroom"));
            cx.push(
                l,
                format!("units[{i}].has_smart_classroom"),
                "chỉ trường học mới có phòng học thông minh",
            );
        }
    }
    let unit_ref_ok = |r: &str| -> bool {
        match r.strip_prefix('@') {
            Some(kind) => UnitKind::parse(kind).is_some(),
            None => unit_ids.contains(r),
        }
    };

    // Lines: unique ids, windows inside the period, references resolve.
    let mut line_ids = HashSet::new();
    for (l, _) in lines {
        line_ids.insert(l.id.as_str());
    }
    let mut seen = HashSet::new();
    for (i, (l, span)) in lines.iter().enumerate() {
        let p = format!("lines[{i}]");
        if !is_slug(&l.id) {
            let ln = Some(cx.key_line(span, "id"));
            cx.push(
                ln,
                format!("{p}.id"),
                format!(
                    "mã hoạt động “{}” chỉ gồm chữ thường không dấu, số và dấu gạch ngang",
                    l.id
                ),
            );
        }
        if !seen.insert(l.id.as_str()) {
            let ln = Some(cx.key_line(span, "id"));
            cx.push(ln, format!("{p}.id"), format!("mã hoạt động “{}” bị trùng", l.id));
        }
        if l.title.trim().is_empty() {
            let ln = Some(cx.key_line(span, "title"));
            cx.push(ln, format!("{p}.title"), "tên hoạt động không được để trống");
        }
        check_window(cx, &l.window, &period, span, &format!("{p}.window"));
        for (j, m) in l.milestones.iter().enumerate() {
            check_window(cx, &m.window, &period, span, &format!("{p}.milestones[{j}].window"));
        }
        if let Some(parent) = &l.parent
            && (!line_ids.contains(parent.as_str()) || parent == &l.id)
        {
            let ln = Some(cx.key_line(span, "parent"));
            cx.push(
                ln,
                format!("{p}.parent"),
                format!("không có hoạt động cha mã “{parent}”"),
            );
        }
        for (key, refs) in [("lead", &l.lead), ("partners", &l.partners), ("venues", &l.venues)] {
            for (j, r) in refs.iter().enumerate() {
                let ok = if key == "venues" {
                    unit_ids.contains(r.as_str())
                } else {
                    unit_ref_ok(r)
                };
                if !ok {
                    let ln = Some(cx.key_line(span, key));
                    cx.push(
                        ln,
                        format!("{p}.{key}[{j}]"),
                        format!("không có đơn vị “{r}” trong danh sách [[units]] (nhóm viết @loại, ví dụ @village)"),
                    );
                }
            }
        }
        let mut item_ids = HashSet::new();
        for (key, items) in [("forms", &l.forms), ("services", &l.services)] {
            for (j, it) in items.iter().enumerate() {
                if !is_slug(&it.id) || !item_ids.insert(it.id.as_str()) {
                    let ln = Some(cx.key_line(span, key));
                    cx.push(
                        ln,
                        format!("{p}.{key}[{j}].id"),
                        format!("mã “{}” không hợp lệ hoặc bị trùng trong hoạt động", it.id),
                    );
                }
            }
        }
    }

    // Targets: unique ids, referenced lines exist, fields that go together.
    let mut target_ids = HashSet::new();
    for (i, (t, span)) in targets.iter().enumerate() {
        let p = format!("targets[{i}]");
        let at = |cx: &Ctx, k: &str| Some(cx.key_line(span, k));
        if t.id.trim().is_empty() || !target_ids.insert(t.id.as_str()) {
            let l = at(cx, "id");
            cx.push(
                l,
                format!("{p}.id"),
                format!("mã chỉ tiêu “{}” trống hoặc bị trùng", t.id),
            );
        }
        for (j, lid) in t.lines.iter().enumerate() {
            if !line_ids.contains(lid.as_str()) {
                let l = at(cx, "lines");
                cx.push(l, format!("{p}.lines[{j}]"), format!("không có hoạt động mã “{lid}”"));
            }
        }
        if let Some(src) = &t.source_line
            && !line_ids.contains(src.as_str())
        {
            let l = at(cx, "source_line");
            cx.push(l, format!("{p}.source_line"), format!("không có hoạt động mã “{src}”"));
        }
        if t.records.is_empty() {
            let l = at(cx, "records");
            cx.push(l, format!("{p}.records"), "phải nêu ít nhất một loại bản ghi được tính");
        }
        if !(t.threshold.is_finite() && t.threshold >= 0.0) {
            let l = at(cx, "threshold");
            cx.push(l, format!("{p}.threshold"), "ngưỡng phải là số không âm");
        }
        let is_percent = t.threshold_unit == ThresholdUnit::Percent;
        match t.measure {
            Measure::UnitTargetShare => {
                if t.unit_kind.is_none() || t.unit_target.as_deref().is_none_or(str::is_empty) {
                    let l = at(cx, "measure");
                    cx.push(
                        l,
                        format!("{p}.unit_target"),
                        "chỉ tiêu tỷ lệ đơn vị đạt chỉ tiêu phải nêu loại đơn vị (unit_kind) và chỉ tiêu của đơn vị (unit_target)",
                    );
                }
            }
            Measure::UnitCoverage | Measure::MinPerUnit | Measure::RatePerUnitPeriod => {
                if t.unit_kind.is_none() {
                    let l = at(cx, "measure");
                    cx.push(
                        l,
                        format!("{p}.unit_kind"),
                        "chỉ tiêu theo đơn vị phải nêu loại đơn vị (unit_kind)",
                    );
                }
            }
            Measure::RosterCoverage => {
                if t.roster.is_none() {
                    let l = at(cx, "measure");
                    cx.push(
                        l,
                        format!("{p}.roster"),
                        "chỉ tiêu tỷ lệ người phải nêu danh sách (roster)",
                    );
                }
            }
            Measure::Count => {}
        }
        let wants_percent = matches!(
            t.measure,
            Measure::UnitCoverage | Measure::RosterCoverage | Measure::RatePerUnitPeriod | Measure::UnitTargetShare
        );
        if wants_percent != is_percent {
            let l = at(cx, "threshold_unit");
            let reason = if wants_percent {
                "chỉ tiêu tỷ lệ phải có đơn vị ngưỡng là percent"
            } else {
                "chỉ tiêu đếm không dùng đơn vị percent"
            };
            cx.push(l, format!("{p}.threshold_unit"), reason);
        }
        if is_percent && t.threshold > 100.0 {
            let l = at(cx, "threshold");
            cx.push(l, format!("{p}.threshold"), "tỷ lệ không thể vượt 100%");
        }
        if t.measure == Measure::RatePerUnitPeriod && t.period.is_none() {
            let l = at(cx, "measure");
            cx.push(
                l,
                format!("{p}.period"),
                "chỉ tiêu theo kỳ phải nêu kỳ (period = \"week\" hoặc \"month\")",
            );
        }
        if let Some(w) = &t.window {
            check_window(cx, w, &period, span, &format!("{p}.window"));
        }
    }

    let mut budget_ids = HashSet::new();
    for (i, (b, span)) in budget.iter().enumerate() {
        if !is_slug(&b.id) || !budget_ids.insert(b.id.as_str()) {
            let l = Some(cx.key_line(span, "id"));
            cx.push(
                l,
                format!("budget_sources[{i}].id"),
                format!("mã nguồn kinh phí “{}” không hợp lệ hoặc bị trùng", b.id),
            );
        }
    }
    for (i, (d, span)) in duties.iter().enumerate() {
        for (j, r) in d.units.iter().enumerate() {
            if !unit_ref_ok(r) {
                let l = Some(cx.key_line(span, "units"));
                cx.push(
                    l,
                    format!("duties[{i}].units[{j}]"),
                    format!("không có đơn vị “{r}” trong danh sách [[units]]"),
                );
            }
        }
        if d.items.is_empty() {
            let l = Some(cx.key_line(span, "items"));
            cx.push(l, format!("duties[{i}].items"), "phải có ít nhất một nhiệm vụ");
        }
    }
}

fn check_window(cx: &mut Ctx, w: &Window, period: &Window, span: &Range<usize>, path: &str) {
    let key = path.rsplit('.').next().unwrap_or("window");
    let line = Some(cx.key_line(span, key));
    if w.start > w.end {
        cx.push(
            line,
            path,
            format!("ngày bắt đầu {} sau ngày kết thúc {}", w.start.vn(), w.end.vn()),
        );
    } else if !(period.contains(w.start) && period.contains(w.end)) {
        cx.push(
            line,
            path,
            format!(
                "thời gian {}–{} nằm ngoài thời gian kế hoạch {}–{}",
                w.start.vn(),
                w.end.vn(),
                period.start.vn(),
                period.end.vn()
            ),
        );
    }
}
