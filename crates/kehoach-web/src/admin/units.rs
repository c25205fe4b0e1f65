//! The units page: villages, schools and agencies, their populations and classes; one unit, or a pasted list.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kehoach_core::ErrorCode;
use kehoach_core::UnitKind;
use kehoach_core::text::vn_int;
use kehoach_store::POPULATIONS;
use serde::Deserialize;

use crate::AppState;
use crate::admin::rules::{self, *};
use crate::http::auth::{CurrentUser, PageUser};
use crate::http::errors::AppError;
use crate::http::form::checkbox;
use crate::http::form::parse_count;
use crate::http::policy::{Action, allowed};
use crate::ui::Chrome;
use crate::ui::Notice;
use crate::ui::OkQuery;
use crate::ui::chrome;
use crate::ui::forbidden_page;
use crate::ui::form_outcome;
use crate::ui::ok_notice;
use crate::ui::render;

pub struct PopView {
    key: &'static str,
    label: &'static str,
    value: String,
}

pub struct ClassView {
    id: String,
    name: String,
    pupils: Option<i64>,
    active: bool,
}

pub struct UnitView {
    id: String,
    name: String,
    short_name: String,
    is_school: bool,
    smart: bool,
    sample: bool,
    active: bool,
    pops: Vec<PopView>,
    pop_inputs: Vec<PopView>,
    classes: Vec<ClassView>,
    can_edit_data: bool,
}

pub struct GroupView {
    kind: &'static str,
    label: &'static str,
    units: Vec<UnitView>,
}

pub struct UnitsView {
    can_manage: bool,
    kinds: Vec<(&'static str, &'static str)>,
    groups: Vec<GroupView>,
    /// A first run: the commune has not entered its villages yet.
    no_villages: bool,
}

#[derive(Template)]
#[template(path = "units.html")]
struct UnitsPage {
    c: Chrome,
    v: UnitsView,
}

async fn units_response(st: &AppState, cu: &CurrentUser, notice: Option<Notice>, status: StatusCode) -> Response {
    let load = async {
        Ok::<_, AppError>((
            st.store.list_units(&st.plan_id).await?,
            st.store.populations(&st.plan_id).await?,
            st.store.list_classes(&st.plan_id).await?,
        ))
    };
    let (units, pops, classes) = match load.await {
        Ok(x) => x,
        Err(e) => return e.into_response(),
    };
    let order = [
        UnitKind::Village,
        UnitKind::School,
        UnitKind::Agency,
        UnitKind::YouthUnion,
        UnitKind::MassOrganisation,
        UnitKind::Police,
        UnitKind::Cooperative,
        UnitKind::DigitalTeam,
        UnitKind::Project06Team,
        UnitKind::Community,
        UnitKind::Commune,
    ];
    let groups: Vec<GroupView> = order
        .iter()
        .map(|k| GroupView {
            kind: k.as_str(),
            label: k.group_label(),
            units: units
                .iter()
                .filter(|u| u.kind == k.as_str())
                .map(|u| {
                    let value_of = |key: &str| {
                        pops.iter()
                            .find(|p| p.unit_id == u.id && p.population == key)
                            .map(|p| p.value)
                    };
                    UnitView {
                        id: u.id.clone(),
                        name: u.name.clone(),
                        short_name: u.short_name.clone().unwrap_or_default(),
                        is_school: *k == UnitKind::School,
                        smart: u.has_smart_classroom != 0,
                        sample: u.sample != 0,
                        active: u.active != 0,
                        pops: POPULATIONS
                            .iter()
                            .filter_map(|(key, label)| {
                                value_of(key).map(|v| PopView {
                                    key,
                                    label,
                                    value: vn_int(v),
                                })
                            })
                            .collect(),
                        pop_inputs: POPULATIONS
                            .iter()
                            .map(|(key, label)| PopView {
                                key,
                                label,
                                value: value_of(key).map(|v| v.to_string()).unwrap_or_default(),
                            })
                            .collect(),
                        classes: classes
                            .iter()
                            .filter(|c| c.unit_id == u.id)
                            .map(|c| ClassView {
                                id: c.id.clone(),
                                name: c.name.clone(),
                                pupils: c.pupils,
                                active: c.active != 0,
                            })
                            .collect(),
                        can_edit_data: allowed(&cu.user, Action::EditUnitData { unit_id: &u.id }),
                    }
                })
                .collect(),
        })
        .filter(|g| !g.units.is_empty())
        .collect();
    let v = UnitsView {
        no_villages: !groups.iter().any(|g: &GroupView| g.kind == "village"),
        can_manage: allowed(&cu.user, Action::ManageUnits),
        kinds: UnitKind::ALL
            .iter()
            .filter(|k| **k != UnitKind::Commune)
            .map(|k| (k.as_str(), k.label()))
            .collect(),
        groups,
    };
    render(
        status,
        &UnitsPage {
            c: chrome(st, Some(cu), "Đơn vị", "units", notice),
            v,
        },
    )
}

pub async fn units_page(State(st): State<AppState>, PageUser(cu): PageUser, Query(q): Query<OkQuery>) -> Response {
    units_response(&st, &cu, ok_notice(&q), StatusCode::OK).await
}

/// After a units form: back to the page on success, the page with the reason otherwise.
async fn units_after<T>(st: &AppState, cu: &CurrentUser, r: Result<T, AppError>, ok: &str, anchor: &str) -> Response {
    let done = |_| format!("/don-vi?ok={ok}{anchor}");
    form_outcome(st, cu, r, done, |n, s| units_response(st, cu, n, s)).await
}

#[derive(Deserialize)]
pub struct UnitForm {
    name: String,
    #[serde(default)]
    short_name: Option<String>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    has_smart_classroom: Option<String>,
    #[serde(default)]
    active: Option<String>,
}

pub async fn unit_create(State(st): State<AppState>, PageUser(cu): PageUser, Form(f): Form<UnitForm>) -> Response {
    let b = NewUnitBody {
        name: f.name,
        short_name: f.short_name,
        kind: f.kind.unwrap_or_default(),
        has_smart_classroom: checkbox(&f.has_smart_classroom),
    };
    let r = rules::create_unit(&st, &cu, b).await;
    let anchor = r.as_ref().map(|u| format!("#unit-{}", u.id)).unwrap_or_default();
    units_after(&st, &cu, r, "unit_created", &anchor).await
}

#[derive(Deserialize)]
pub struct UnitListForm {
    names: String,
    #[serde(default)]
    kind: Option<String>,
}

/// `POST /don-vi/nhieu`: a list pasted from anywhere, one unit a line
/// (numbers and bullets in front are dropped): what a new commune does
/// first with its villages or schools.
pub async fn unit_create_many(
    State(st): State<AppState>,
    PageUser(cu): PageUser,
    Form(f): Form<UnitListForm>,
) -> Response {
    let kind = f.kind.unwrap_or_else(|| "village".into());
    let mut made = 0;
    let mut refused = Vec::new();
    for (i, line) in f.names.lines().enumerate().take(500) {
        let name = line
            .trim()
            .trim_start_matches(|c: char| c.is_ascii_digit() || matches!(c, '.' | ')' | '-' | '•' | '*' | '+' | '–'))
            .trim();
        if name.is_empty() {
            continue;
        }
        let b = NewUnitBody {
            name: name.to_string(),
            short_name: None,
            kind: kind.clone(),
            has_smart_classroom: false,
        };
        match rules::create_unit(&st, &cu, b).await {
            Ok(_) => made += 1,
            Err(e) if e.code == ErrorCode::Forbidden => return forbidden_page(&st, &cu),
            Err(e) => refused.push(format!("dòng {} “{name}”: {}", i + 1, e.message)),
        }
    }
    let text = if refused.is_empty() {
        format!("Đã thêm {made} đơn vị.")
    } else {
        format!("Đã thêm {made} đơn vị; chưa thêm: {}", refused.join("; "))
    };
    let kind_notice = if refused.is_empty() { "ok" } else { "error" };
    units_response(
        &st,
        &cu,
        Some(Notice {
            kind: kind_notice,
            text,
        }),
        if !refused.is_empty() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else if made > 0 {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        },
    )
    .await
}

pub async fn unit_update(
    State(st): State<AppState>,
    PageUser(cu): PageUser,
    Path(id): Path<String>,
    Form(f): Form<UnitForm>,
) -> Response {
    let is_school = st
        .store
        .unit(&st.plan_id, &id)
        .await
        .map(|u| u.kind == "school")
        .unwrap_or(false);
    let b = UnitPatchBody {
        name: Some(f.name),
        short_name: Some(f.short_name.unwrap_or_default()),
        has_smart_classroom: is_school.then(|| checkbox(&f.has_smart_classroom)),
        active: Some(checkbox(&f.active)),
    };
    let r = rules::update_unit(&st, &cu, &id, b).await;
    units_after(&st, &cu, r, "unit_saved", &format!("#unit-{id}")).await
}

pub async fn unit_population(
    State(st): State<AppState>,
    PageUser(cu): PageUser,
    Path(id): Path<String>,
    Form(f): Form<std::collections::HashMap<String, String>>,
) -> Response {
    let r = async {
        // Check every figure before writing any, so a bad one changes nothing.
        let mut values = Vec::new();
        for (key, _) in POPULATIONS {
            if let Some(raw) = f.get(key) {
                values.push((key, parse_count(raw)?));
            }
        }
        for (key, v) in values {
            rules::set_population(&st, &cu, &id, key, v).await?;
        }
        Ok::<_, AppError>(())
    }
    .await;
    units_after(&st, &cu, r, "population_saved", &format!("#unit-{id}")).await
}

#[derive(Deserialize)]
pub struct ClassForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    pupils: Option<String>,
    #[serde(default)]
    active: Option<String>,
}

pub async fn class_add(
    State(st): State<AppState>,
    PageUser(cu): PageUser,
    Path(id): Path<String>,
    Form(f): Form<ClassForm>,
) -> Response {
    let r = async {
        let pupils = parse_count(f.pupils.as_deref().unwrap_or(""))?;
        rules::add_class(&st, &cu, &id, NewClassBody { name: f.name, pupils }).await
    }
    .await;
    units_after(&st, &cu, r, "class_added", &format!("#unit-{id}")).await
}

pub async fn class_update(
    State(st): State<AppState>,
    PageUser(cu): PageUser,
    Path(id): Path<String>,
    Form(f): Form<ClassForm>,
) -> Response {
    let r = rules::set_class_active(&st, &cu, &id, checkbox(&f.active)).await;
    let anchor = r.as_ref().map(|c| format!("#unit-{}", c.unit_id)).unwrap_or_default();
    units_after(&st, &cu, r, "class_saved", &anchor).await
}
