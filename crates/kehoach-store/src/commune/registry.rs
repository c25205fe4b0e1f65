//! The communes of a server. Each has its own address (a host name; the
//! first commune is also served on every host no other commune claims),
//! its accounts, units, rosters, plans and records. A commune's plan in use
//! keys every row the commune's pages read and write, so a request served
//! for one commune never reads another's rows (see `docs/operations.md`).

use kehoach_core::{ErrorCode, Plan};
use sqlx::Row;

use crate::{Result, Store, StoreError, new_id};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct CommuneRow {
    pub id: String,
    /// Short ASCII name ("an-hoa"), unique on the server.
    pub slug: String,
    /// "xã An Hòa".
    pub name: String,
    pub province: String,
    /// The host name it is served on; None for the server's first commune
    /// (served on every host that no other commune claims).
    pub host: Option<String>,
    pub created_at: i64,
    /// `commune`, or `city` (a city or province: its units are its communes).
    pub kind: String,
    /// The city a commune reports to, if it has one on this server.
    pub city_id: Option<String>,
}

impl CommuneRow {
    pub fn is_city(&self) -> bool {
        self.kind == KIND_CITY
    }
}

pub const KIND_CITY: &str = "city";
pub const KIND_COMMUNE: &str = "commune";

#[derive(Debug, Clone, Default)]
pub struct NewCommune {
    pub name: String,
    pub province: String,
    pub host: Option<String>,
    /// A city (or province) rather than a commune; it needs a host name.
    pub is_city: bool,
    /// The id of the city the commune reports to.
    pub city_id: Option<String>,
}

/// One of a commune's plans, for the list of plans.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PlanSummary {
    pub id: String,
    pub title: String,
    pub short_title: String,
    pub period: kehoach_core::Window,
    pub closed: bool,
    pub created_at: i64,
    pub sessions: i64,
    pub turns: i64,
}

/// A commune with its plans and how much it holds (`kehoach commune list`).
#[derive(Debug, Clone, serde::Serialize)]
pub struct CommuneSummary {
    pub commune: CommuneRow,
    /// (plan id, title) of its plans, oldest first.
    pub plans: Vec<(String, String)>,
    pub users: i64,
    pub sessions: i64,
    pub turns: i64,
}

const COLS: &str = "id, slug, name, province, host, created_at, kind, city_id";

/// The commune's short name from its full name: "xã An Hòa" → "an-hoa".
pub fn commune_slug(name: &str) -> String {
    let key = kehoach_core::text::fold_key(name);
    let mut words: Vec<&str> = key
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    // The level is not part of the name: "xã", "phường", "thị trấn", "đặc khu".
    match words.as_slice() {
        ["xa" | "phuong", _, ..] => {
            words.remove(0);
        }
        ["tinh", _, ..] => {
            words.remove(0);
        }
        ["thi", "tran", _, ..] | ["dac", "khu", _, ..] | ["thanh", "pho", _, ..] => {
            words.drain(..2);
        }
        _ => {}
    }
    let slug = words.join("-");
    if slug.is_empty() { "xa".into() } else { slug }
}

/// A host name as stored: lower case, without port; None when it is not one.
pub fn normalize_host(raw: &str) -> Option<String> {
    let h = raw.trim().trim_end_matches('.').to_ascii_lowercase();
    let ok = !h.is_empty()
        && h.len() <= 253
        && h.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    ok.then_some(h)
}

impl Store {
    /// Creates a commune. Its slug comes from its name (made unique); its
    /// host must be free, and may be left out only for the server's first
    /// commune.
    pub async fn create_commune(&self, c: NewCommune, now: i64) -> Result<CommuneRow> {
        let name = kehoach_core::text::clean(&c.name);
        if name.is_empty() || name.chars().count() > 200 {
            return Err(StoreError::Conflict {
                code: ErrorCode::CommuneNameInvalid,
                field: "name",
            });
        }
        let host = match c.host.as_deref().map(str::trim).filter(|h| !h.is_empty()) {
            Some(h) => Some(normalize_host(h).ok_or(StoreError::Conflict {
                code: ErrorCode::CommuneHostInvalid,
                field: "host",
            })?),
            None => None,
        };
        if c.is_city && host.is_none() {
            return Err(StoreError::Conflict {
                code: ErrorCode::CommuneHostRequired,
                field: "host",
            });
        }
        let mut tx = self.write_tx().await?;
        if let Some(city) = &c.city_id {
            let kind: Option<(String,)> = sqlx::query_as("SELECT kind FROM communes WHERE id = $1")
                .bind(city)
                .fetch_optional(&mut *tx)
                .await?;
            if kind.map(|k| k.0).as_deref() != Some(KIND_CITY) || c.is_city {
                return Err(StoreError::Conflict {
                    code: ErrorCode::CityNotFound,
                    field: "city",
                });
            }
        }
        if host.is_none() {
            let primary: Option<(String,)> = sqlx::query_as("SELECT id FROM communes WHERE host IS NULL")
                .fetch_optional(&mut *tx)
                .await?;
            if primary.is_some() {
                return Err(StoreError::Conflict {
                    code: ErrorCode::CommuneHostRequired,
                    field: "host",
                });
            }
        }
        let province = kehoach_core::text::clean(&c.province);
        let same: Option<(String,)> = sqlx::query_as("SELECT id FROM communes WHERE name = $1 AND province = $2")
            .bind(&name)
            .bind(&province)
            .fetch_optional(&mut *tx)
            .await?;
        if same.is_some() {
            return Err(StoreError::Conflict {
                code: ErrorCode::CommuneTaken,
                field: "name",
            });
        }
        let slug = free_slug(&mut tx, &name, "").await?;
        let row = CommuneRow {
            id: new_id(),
            slug,
            name,
            province,
            host,
            created_at: now,
            kind: if c.is_city { KIND_CITY } else { KIND_COMMUNE }.to_string(),
            city_id: c.city_id.clone(),
        };
        sqlx::query(
            "INSERT INTO communes (id, slug, name, province, host, created_at, kind, city_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&row.id)
        .bind(&row.slug)
        .bind(&row.name)
        .bind(&row.province)
        .bind(row.host.clone())
        .bind(now)
        .bind(&row.kind)
        .bind(row.city_id.clone())
        .execute(&mut *tx)
        .await
        .map_err(|e| crate::conflict_on_unique(e, ErrorCode::CommuneHostTaken, "host"))?;
        tx.commit().await?;
        Ok(row)
    }

    /// Creates a commune (or a city) ready for its first coordinator: its
    /// plan (`plan`, or a starter plan of its name and `year` with no
    /// activity), no sample units, and a one-time coordinator invite valid
    /// `invite_ttl_secs`. Returns the commune, its plan's id and the
    /// invite's token. The plan is checked before anything is written.
    pub async fn found_commune(
        &self,
        new: NewCommune,
        plan: Option<(Plan, String)>,
        year: i32,
        invite_ttl_secs: i64,
        now: i64,
    ) -> Result<(CommuneRow, String, String)> {
        let (mut plan, source) = match plan {
            Some(p) => p,
            None => {
                let source = kehoach_core::plan::starter::starter_toml(&new.name, &new.province, year);
                let plan = kehoach_core::parse_plan(&source).map_err(|_| StoreError::Conflict {
                    code: ErrorCode::CommuneNameInvalid,
                    field: "name",
                })?;
                (plan, source)
            }
        };
        let commune = self.create_commune(new, now).await?;
        if let Err(e) = self.add_commune_plan(&commune, &mut plan, &source, now).await {
            // A commune without a plan cannot be served: take it back.
            let _ = sqlx::query("DELETE FROM communes WHERE id = $1")
                .bind(&commune.id)
                .execute(self.pool())
                .await;
            return Err(e);
        }
        // The commune's own villages are configuration: no sample ones.
        self.drop_sample_units(&plan.plan.id).await?;
        let token = self
            .create_invite(
                &plan.plan.id,
                crate::NewInvite {
                    role: crate::Role::Coordinator,
                    unit_id: None,
                    note: None,
                    created_by: None,
                    ttl_secs: invite_ttl_secs,
                },
                now,
            )
            .await?;
        Ok((commune, plan.plan.id.clone(), token))
    }

    /// Every commune, the first one first.
    pub async fn communes(&self) -> Result<Vec<CommuneRow>> {
        Ok(sqlx::query_as::<_, CommuneRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {COLS} FROM communes ORDER BY created_at, id"
        )))
        .fetch_all(self.pool())
        .await?)
    }

    /// The commune served on this host (lower case, without port), if one claims it.
    pub async fn commune_for_host(&self, host: &str) -> Result<Option<CommuneRow>> {
        Ok(sqlx::query_as::<_, CommuneRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {COLS} FROM communes WHERE host = $1"
        )))
        .bind(host)
        .fetch_optional(self.pool())
        .await?)
    }

    /// The server's first commune (served on every unclaimed host).
    pub async fn primary_commune(&self) -> Result<Option<CommuneRow>> {
        Ok(sqlx::query_as::<_, CommuneRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {COLS} FROM communes WHERE host IS NULL"
        )))
        .fetch_optional(self.pool())
        .await?)
    }

    /// The plan a commune works in unless a user picks another: its newest
    /// running plan (its newest plan when all are closed).
    pub async fn commune_plan_id(&self, commune_id: &str) -> Result<Option<String>> {
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT id FROM plans WHERE commune_id = $1 AND active = 1 \
             ORDER BY CASE WHEN status = 'running' THEN 0 ELSE 1 END, created_at DESC, id DESC LIMIT 1",
        )
        .bind(commune_id)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|r| r.0))
    }

    /// A commune's plans, newest first, with what each holds.
    pub async fn commune_plans(&self, commune_id: &str) -> Result<Vec<PlanSummary>> {
        let rows: Vec<(String, String, String, i64)> = sqlx::query_as(
            "SELECT id, source_toml, status, created_at FROM plans WHERE commune_id = $1 AND active = 1 ORDER BY created_at DESC, id DESC",
        )
        .bind(commune_id)
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::new();
        for (id, source, status, created_at) in rows {
            let Ok(plan) = kehoach_core::parse_plan(&source) else {
                continue;
            };
            let mut counts = [0i64; 2];
            for (i, table) in ["sessions", "support_turns"].iter().enumerate() {
                let row = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT COUNT(*) FROM {table} WHERE plan_id = $1 AND deleted_at IS NULL"
                )))
                .bind(&id)
                .fetch_one(self.pool())
                .await?;
                counts[i] = row.try_get(0)?;
            }
            out.push(PlanSummary {
                id,
                title: plan.plan.title.clone(),
                short_title: plan.plan.short_title.clone(),
                period: plan.plan.period,
                closed: status == "closed",
                created_at,
                sessions: counts[0],
                turns: counts[1],
            });
        }
        Ok(out)
    }

    /// The plans a recording page offers: the commune's running plans and
    /// `current` (id, title), newest first. One indexed read, no plan parsed.
    pub async fn plans_to_record_in(&self, commune_id: &str, current: &str) -> Result<Vec<(String, String)>> {
        Ok(sqlx::query_as(
            "SELECT id, title FROM plans WHERE commune_id = $1 AND active = 1 AND (status <> 'closed' OR id = $2) \
             ORDER BY created_at DESC, id DESC",
        )
        .bind(commune_id)
        .bind(current)
        .fetch_all(self.pool())
        .await?)
    }

    /// The commune a plan belongs to.
    pub async fn plan_commune(&self, plan_id: &str) -> Result<Option<String>> {
        let row: Option<(Option<String>,)> = sqlx::query_as("SELECT commune_id FROM plans WHERE id = $1")
            .bind(plan_id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.and_then(|r| r.0))
    }

    /// Whether a plan is closed (read-only).
    pub async fn plan_closed(&self, plan_id: &str) -> Result<bool> {
        let row: Option<(String,)> = sqlx::query_as("SELECT status FROM plans WHERE id = $1")
            .bind(plan_id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.is_some_and(|r| r.0 == "closed"))
    }

    /// The ids of every closed plan of the server.
    pub async fn closed_plan_ids(&self) -> Result<Vec<String>> {
        let rows: Vec<(String,)> = sqlx::query_as("SELECT id FROM plans WHERE status = 'closed'")
            .fetch_all(self.pool())
            .await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    /// Closes a plan (its records can no longer change) or opens it again.
    pub async fn set_plan_closed(&self, plan_id: &str, closed: bool) -> Result<()> {
        let r = sqlx::query("UPDATE plans SET status = $1 WHERE id = $2")
            .bind(if closed { "closed" } else { "running" })
            .bind(plan_id)
            .execute(self.pool())
            .await?;
        if r.rows_affected() == 0 {
            return Err(StoreError::NotFound("plan"));
        }
        Ok(())
    }

    /// A stored plan, parsed, carrying its row id (which may differ from
    /// the id written in its file: two communes may load the same file).
    pub async fn load_plan(&self, plan_id: &str) -> Result<Plan> {
        let source = self.plan_source(plan_id).await?;
        let mut plan = kehoach_core::parse_plan(&source).map_err(|errors| {
            StoreError::BadPlan(errors.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; "))
        })?;
        plan.plan.id = plan_id.to_string();
        Ok(plan)
    }

    /// Stores a plan for a commune, with the units its file names that the
    /// commune lacks. The plan's id is its file's id when free on the
    /// server, otherwise the commune's slug is put in front (and a number
    /// after, if need be); `plan.plan.id` is set to the id stored.
    pub async fn add_commune_plan(&self, commune: &CommuneRow, plan: &mut Plan, source: &str, now: i64) -> Result<()> {
        let file_id = plan.plan.id.clone();
        let mut candidates = vec![file_id.clone(), format!("{}-{file_id}", commune.slug)];
        candidates.extend((2..100).map(|n| format!("{}-{file_id}-{n}", commune.slug)));
        let mut chosen = None;
        for id in candidates {
            let taken: Option<(String,)> = sqlx::query_as("SELECT id FROM plans WHERE id = $1")
                .bind(&id)
                .fetch_optional(self.pool())
                .await?;
            if taken.is_none() {
                chosen = Some(id);
                break;
            }
        }
        plan.plan.id = chosen.unwrap_or_else(new_id);
        self.insert_plan(commune, plan, source, now).await
    }

    /// Every commune with its plans, accounts and records, for the operator.
    pub async fn commune_summaries(&self) -> Result<Vec<CommuneSummary>> {
        self.summaries_of(self.communes().await?).await
    }

    /// The communes of a city (not the city itself), oldest first.
    pub async fn city_communes(&self, city_id: &str) -> Result<Vec<CommuneRow>> {
        Ok(sqlx::query_as::<_, CommuneRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {COLS} FROM communes WHERE city_id = $1 ORDER BY created_at, id"
        )))
        .bind(city_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// A city's communes with their plans, accounts and records.
    pub async fn city_summaries(&self, city_id: &str) -> Result<Vec<CommuneSummary>> {
        self.summaries_of(self.city_communes(city_id).await?).await
    }

    async fn summaries_of(&self, communes: Vec<CommuneRow>) -> Result<Vec<CommuneSummary>> {
        let mut out = Vec::new();
        for commune in communes {
            let plans: Vec<(String, String)> =
                sqlx::query_as("SELECT id, title FROM plans WHERE commune_id = $1 ORDER BY created_at, id")
                    .bind(&commune.id)
                    .fetch_all(self.pool())
                    .await?;
            let mut counts = [0i64; 3];
            for (i, sql) in [
                "SELECT COUNT(*) FROM users WHERE commune_id = $1",
                "SELECT COUNT(*) FROM sessions t JOIN plans p ON p.id = t.plan_id WHERE p.commune_id = $1 AND t.deleted_at IS NULL",
                "SELECT COUNT(*) FROM support_turns t JOIN plans p ON p.id = t.plan_id WHERE p.commune_id = $1 AND t.deleted_at IS NULL",
            ]
            .into_iter()
            .enumerate()
            {
                let row = sqlx::query(sql)
                .bind(&commune.id)
                .fetch_one(self.pool())
                .await?;
                counts[i] = row.try_get(0)?;
            }
            out.push(CommuneSummary {
                commune,
                plans,
                users: counts[0],
                sessions: counts[1],
                turns: counts[2],
            });
        }
        Ok(out)
    }

    /// Names the communes the upgrade to communes made (one per existing
    /// plan, with the plan's id as id and slug): their name, province and
    /// slug from the plan file. Run by `migrate`, so an upgraded database
    /// serves as before.
    pub(crate) async fn name_migrated_communes(&self) -> Result<()> {
        let unnamed: Vec<(String, String)> = sqlx::query_as(
            "SELECT c.id, p.source_toml FROM communes c JOIN plans p ON p.id = c.id WHERE c.slug = c.id ORDER BY c.created_at, c.id",
        )
        .fetch_all(self.pool())
        .await?;
        for (id, source) in unnamed {
            let Ok(plan) = kehoach_core::parse_plan(&source) else {
                continue;
            };
            let named = commune_of_plan(&plan);
            let slug = free_slug(&mut *self.pool().acquire().await?, &named.name, &id).await?;
            sqlx::query("UPDATE communes SET slug = $1, name = $2, province = $3 WHERE id = $4")
                .bind(&slug)
                .bind(&named.name)
                .bind(&named.province)
                .bind(&id)
                .execute(self.pool())
                .await?;
        }
        Ok(())
    }
}

/// The slug of a commune's name that no other commune (but `except_id`)
/// has: "an-hoa", else "an-hoa-2", "an-hoa-3"…
async fn free_slug(conn: &mut sqlx::AnyConnection, name: &str, except_id: &str) -> Result<String> {
    let base = commune_slug(name);
    let mut slug = base.clone();
    for n in 2.. {
        let taken: Option<(String,)> = sqlx::query_as("SELECT id FROM communes WHERE slug = $1 AND id <> $2")
            .bind(&slug)
            .bind(except_id)
            .fetch_optional(&mut *conn)
            .await?;
        if taken.is_none() {
            break;
        }
        slug = format!("{base}-{n}");
    }
    Ok(slug)
}

/// The commune a plan file is of: "xã Vĩnh Thịnh", "Hải Phòng".
pub(crate) fn commune_of_plan(plan: &Plan) -> NewCommune {
    NewCommune {
        name: format!("{} {}", plan.plan.commune_level, plan.plan.commune)
            .trim()
            .to_string(),
        province: plan.plan.province.clone(),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_drop_the_level_and_the_marks() {
        assert_eq!(commune_slug("xã An Hòa"), "an-hoa");
        assert_eq!(commune_slug("Xã Vĩnh Thịnh"), "vinh-thinh");
        assert_eq!(commune_slug("phường Hồng Bàng"), "hong-bang");
        assert_eq!(commune_slug("thị trấn Núi Đèo"), "nui-deo");
        assert_eq!(commune_slug("Đặc khu Bạch Long Vĩ"), "bach-long-vi");
        assert_eq!(commune_slug("thành phố Hải Phòng"), "hai-phong");
        assert_eq!(commune_slug("Xã"), "xa");
        assert_eq!(commune_slug("!!"), "xa");
    }

    #[test]
    fn hosts_are_plain_names() {
        assert_eq!(
            normalize_host(" An-Hoa.Example.VN. ").as_deref(),
            Some("an-hoa.example.vn")
        );
        assert_eq!(normalize_host("an-hoa.localhost").as_deref(), Some("an-hoa.localhost"));
        for bad in [
            "",
            "a..b",
            "-a.vn",
            "a-.vn",
            "an hoa.vn",
            "an_hoa.vn",
            "xã.vn",
            "a.vn:8080",
            "a/b",
        ] {
            assert_eq!(normalize_host(bad), None, "{bad}");
        }
    }
}
