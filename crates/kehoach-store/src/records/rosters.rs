//! Rosters: the people who give coverage targets their denominators
//! (officials, youth-union members, children, pupils). Only what a target
//! needs is kept: name, birth year, unit and class (docs/personal-data.md).
//!
//! A person is the same person when roster, name (ignoring diacritics and
//! case), birth year and unit agree: re-importing a file updates, never
//! duplicates. Leaving a roster keeps the person and their history.

use kehoach_core::ErrorCode;
use kehoach_core::text::{clean, fold_key};
use serde::Serialize;
use sqlx::FromRow;

use crate::facts::{Whose, refresh_target_reach};
use crate::records::audit;
use crate::{Result, Store, StoreError, new_id};

pub const ROSTERS: [(&str, &str); 4] = [
    ("officials", "Cán bộ, công chức, viên chức"),
    ("youth_members", "Đoàn viên thanh niên"),
    ("children", "Thanh thiếu nhi"),
    ("pupils", "Học sinh"),
];

pub fn roster_label(r: &str) -> Option<&'static str> {
    ROSTERS.iter().find(|(k, _)| *k == r).map(|(_, l)| *l)
}

/// One checked row of a roster file.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonInput {
    pub full_name: String,
    pub birth_year: Option<i64>,
    pub unit_id: String,
    pub class_id: Option<String>,
}

#[derive(Debug, Clone, FromRow, Serialize, PartialEq)]
pub struct PersonRow {
    pub id: String,
    pub roster: String,
    pub full_name: String,
    pub birth_year: Option<i64>,
    pub unit_id: String,
    pub class_id: Option<String>,
    pub card_code: String,
    pub active: i64,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct ImportSummary {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// People of the file's units who were not in the file and were marked as left.
    pub left: usize,
}

const COLS: &str = "id, roster, full_name, birth_year, unit_id, class_id, card_code, active";

/// The key that makes two rows the same person.
pub fn dedup_key(roster: &str, name: &str, birth_year: Option<i64>, unit_id: &str) -> String {
    format!(
        "{roster}|{}|{}|{unit_id}",
        fold_key(name),
        birth_year.map(|y| y.to_string()).unwrap_or_default()
    )
}

/// A short random code for a person's QR card (no look-alike characters).
fn card_code() -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    let mut bytes = [0u8; 12];
    getrandom::fill(&mut bytes).expect("the OS random source is available");
    bytes
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect()
}

impl Store {
    /// Saves a whole roster file in one transaction: all rows or none.
    /// With `mark_missing_left`, people of the file's units missing from the file leave the roster.
    pub async fn import_roster(
        &self,
        plan_id: &str,
        roster: &str,
        rows: &[PersonInput],
        mark_missing_left: bool,
        user_id: &str,
        now: i64,
    ) -> Result<ImportSummary> {
        if roster_label(roster).is_none() {
            return Err(StoreError::Conflict {
                code: ErrorCode::RosterUnknown,
                field: "roster",
            });
        }
        let mut sum = ImportSummary::default();
        let mut tx = self.write_tx().await?;
        let mut seen = std::collections::HashSet::new();
        for r in rows {
            let name = clean(&r.full_name);
            let key = dedup_key(roster, &name, r.birth_year, &r.unit_id);
            if !seen.insert(key.clone()) {
                continue;
            }
            let cur: Option<(String, String, Option<String>, i64)> = sqlx::query_as(
                "SELECT id, full_name, class_id, active FROM roster_people WHERE commune_id = (SELECT pc.commune_id FROM plans pc WHERE pc.id = $1) AND dedup_key = $2",
            )
            .bind(plan_id)
            .bind(&key)
            .fetch_optional(&mut *tx)
            .await?;
            match cur {
                None => {
                    sqlx::query(
                        "INSERT INTO roster_people (id, commune_id, roster, full_name, name_key, birth_year, unit_id, class_id, dedup_key, card_code, active, created_at, updated_at) \
                         VALUES ($1, (SELECT pc.commune_id FROM plans pc WHERE pc.id = $2), $3, $4, $5, $6, $7, $8, $9, $10, 1, $11, $11)",
                    )
                    .bind(new_id())
                    .bind(plan_id)
                    .bind(roster)
                    .bind(&name)
                    .bind(fold_key(&name))
                    .bind(r.birth_year)
                    .bind(&r.unit_id)
                    .bind(r.class_id.clone())
                    .bind(&key)
                    .bind(card_code())
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                    sum.created += 1;
                }
                Some((id, old_name, old_class, active)) => {
                    if old_name == name && old_class == r.class_id && active == 1 {
                        sum.unchanged += 1;
                        continue;
                    }
                    sqlx::query("UPDATE roster_people SET full_name = $1, class_id = $2, active = 1, left_at = NULL, updated_at = $3 WHERE id = $4")
                        .bind(&name)
                        .bind(r.class_id.clone())
                        .bind(now)
                        .bind(&id)
                        .execute(&mut *tx)
                        .await?;
                    audit::log(
                        &mut tx,
                        plan_id,
                        "roster_person",
                        &id,
                        "update",
                        Some(&r.unit_id),
                        Some(user_id),
                        now,
                        serde_json::json!({"full_name": [old_name, name], "class_id": [old_class, r.class_id], "rejoined": active == 0}),
                    )
                    .await?;
                    if active == 0 {
                        refresh_target_reach(&mut tx, Whose::Person(&id)).await?;
                    }
                    sum.updated += 1;
                }
            }
        }
        if mark_missing_left {
            let units: std::collections::BTreeSet<&str> = rows.iter().map(|r| r.unit_id.as_str()).collect();
            for unit in units {
                let present: Vec<(String, String)> =
                    sqlx::query_as("SELECT id, dedup_key FROM roster_people WHERE commune_id = (SELECT pc.commune_id FROM plans pc WHERE pc.id = $1) AND roster = $2 AND unit_id = $3 AND active = 1")
                        .bind(plan_id)
                        .bind(roster)
                        .bind(unit)
                        .fetch_all(&mut *tx)
                        .await?;
                for (id, key) in present {
                    if !seen.contains(&key) {
                        sqlx::query("UPDATE roster_people SET active = 0, left_at = $1, updated_at = $1 WHERE id = $2")
                            .bind(now)
                            .bind(&id)
                            .execute(&mut *tx)
                            .await?;
                        refresh_target_reach(&mut tx, Whose::Person(&id)).await?;
                        audit::log(
                            &mut tx,
                            plan_id,
                            "roster_person",
                            &id,
                            "leave",
                            Some(unit),
                            Some(user_id),
                            now,
                            serde_json::json!({"by": "import"}),
                        )
                        .await?;
                        sum.left += 1;
                    }
                }
            }
        }
        tx.commit().await?;
        Ok(sum)
    }

    /// People of a roster (and unit), active first.
    pub async fn roster_people(
        &self,
        plan_id: &str,
        roster: Option<&str>,
        unit_id: Option<&str>,
    ) -> Result<Vec<PersonRow>> {
        Ok(sqlx::query_as::<_, PersonRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {COLS} FROM roster_people WHERE commune_id = (SELECT pc.commune_id FROM plans pc WHERE pc.id = $1) AND ($2 = '' OR roster = $2) AND ($3 = '' OR unit_id = $3) \
             ORDER BY active DESC, name_key, birth_year, id LIMIT 20000"
        )))
        .bind(plan_id)
        .bind(roster.unwrap_or_default().to_string())
        .bind(unit_id.unwrap_or_default().to_string())
        .fetch_all(self.pool())
        .await?)
    }

    /// Finds active people whose name contains the query, ignoring diacritics
    /// and case: "nguyen van anh" finds "Nguyễn Văn Ánh".
    pub async fn search_people(
        &self,
        plan_id: &str,
        query: &str,
        unit_id: Option<&str>,
        limit: i64,
    ) -> Result<Vec<PersonRow>> {
        let key = fold_key(query);
        if key.is_empty() {
            return Ok(Vec::new());
        }
        let pattern = format!("%{}%", key.replace(['%', '_'], ""));
        Ok(sqlx::query_as::<_, PersonRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {COLS} FROM roster_people WHERE commune_id = (SELECT pc.commune_id FROM plans pc WHERE pc.id = $1) AND active = 1 AND name_key LIKE $2 AND ($3 = '' OR unit_id = $3) \
             ORDER BY name_key, birth_year, id LIMIT $4"
        )))
        .bind(plan_id)
        .bind(pattern)
        .bind(unit_id.unwrap_or_default().to_string())
        .bind(limit.clamp(1, 100))
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn person(&self, plan_id: &str, id: &str) -> Result<PersonRow> {
        sqlx::query_as::<_, PersonRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {COLS} FROM roster_people WHERE commune_id = (SELECT pc.commune_id FROM plans pc WHERE pc.id = $1) AND id = $2"
        )))
        .bind(plan_id)
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound("person"))
    }

    pub async fn person_by_card(&self, plan_id: &str, code: &str) -> Result<PersonRow> {
        sqlx::query_as::<_, PersonRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {COLS} FROM roster_people WHERE commune_id = (SELECT pc.commune_id FROM plans pc WHERE pc.id = $1) AND card_code = $2"
        )))
        .bind(plan_id)
        .bind(code.trim().to_uppercase())
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound("person"))
    }

    /// A person leaves (or rejoins) a roster; their attendance stays.
    pub async fn set_person_active(
        &self,
        plan_id: &str,
        id: &str,
        active: bool,
        user_id: &str,
        now: i64,
    ) -> Result<PersonRow> {
        let cur = self.person(plan_id, id).await?;
        let mut tx = self.write_tx().await?;
        sqlx::query("UPDATE roster_people SET active = $1, left_at = $2, updated_at = $3 WHERE id = $4")
            .bind(active as i64)
            .bind(if active { None } else { Some(now) })
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        refresh_target_reach(&mut tx, Whose::Person(id)).await?;
        audit::log(
            &mut tx,
            plan_id,
            "roster_person",
            id,
            if active { "rejoin" } else { "leave" },
            Some(&cur.unit_id),
            Some(user_id),
            now,
            serde_json::json!({}),
        )
        .await?;
        tx.commit().await?;
        self.person(plan_id, id).await
    }
}
