//! Units of a commune (agencies, schools, villages...), their declared
//! population figures and the classes of schools.

use kehoach_core::ErrorCode;
use kehoach_core::UnitKind;
use kehoach_core::text::{clean, fold_key, is_slug};
use serde::Serialize;
use sqlx::FromRow;

use crate::{Result, Store, StoreError, conflict_on_unique, new_id};

/// Populations a unit can declare, standing in for incomplete rosters.
pub const POPULATIONS: [(&str, &str); 4] = [
    ("children", "Thanh thiếu nhi"),
    ("youth_members", "Đoàn viên thanh niên"),
    ("officials", "Cán bộ, công chức, viên chức"),
    ("pupils", "Học sinh"),
];

#[derive(Debug, Clone, FromRow, Serialize, PartialEq)]
pub struct UnitRow {
    pub id: String,
    /// Units belong to the commune, shared by its plans.
    pub commune_id: String,
    pub slug: String,
    pub name: String,
    pub short_name: Option<String>,
    pub kind: String,
    pub has_smart_classroom: i64,
    pub sample: i64,
    pub from_plan: i64,
    pub active: i64,
}

impl UnitRow {
    pub fn kind(&self) -> Option<UnitKind> {
        UnitKind::parse(&self.kind)
    }
    pub fn display_name(&self) -> &str {
        self.short_name.as_deref().unwrap_or(&self.name)
    }
}

#[derive(Debug, Clone, FromRow, Serialize, PartialEq)]
pub struct PopulationRow {
    pub unit_id: String,
    pub population: String,
    pub value: i64,
}

#[derive(Debug, Clone, FromRow, Serialize, PartialEq)]
pub struct ClassRow {
    pub id: String,
    pub unit_id: String,
    pub name: String,
    pub pupils: Option<i64>,
    pub active: i64,
}

/// A new unit. Names are NFC-normalised and trimmed here.
#[derive(Debug, Clone)]
pub struct NewUnit {
    pub name: String,
    pub short_name: Option<String>,
    pub kind: UnitKind,
    pub has_smart_classroom: bool,
}

/// Changes to a unit; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct UnitPatch {
    pub name: Option<String>,
    pub short_name: Option<Option<String>>,
    pub has_smart_classroom: Option<bool>,
    pub active: Option<bool>,
}

const UNIT_COLS: &str = "id, commune_id, slug, name, short_name, kind, has_smart_classroom, sample, from_plan, active";

fn slug_from(name: &str) -> String {
    let key = fold_key(name);
    let mut s: String = key
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    while s.contains("--") {
        s = s.replace("--", "-");
    }
    let s = s.trim_matches('-').chars().take(48).collect::<String>();
    let s = s.trim_matches('-').to_string();
    if is_slug(&s) { s } else { "don-vi".into() }
}

impl Store {
    pub async fn list_units(&self, plan_id: &str) -> Result<Vec<UnitRow>> {
        Ok(sqlx::query_as::<_, UnitRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {UNIT_COLS} FROM units WHERE commune_id = (SELECT pc.commune_id FROM plans pc WHERE pc.id = $1) ORDER BY from_plan DESC, kind, name_key, id"
        )))
        .bind(plan_id)
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn unit(&self, plan_id: &str, unit_id: &str) -> Result<UnitRow> {
        sqlx::query_as::<_, UnitRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {UNIT_COLS} FROM units WHERE commune_id = (SELECT pc.commune_id FROM plans pc WHERE pc.id = $1) AND id = $2"
        )))
        .bind(plan_id)
        .bind(unit_id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound("unit"))
    }

    /// A real install starts without the default plan's sample villages:
    /// they would count in denominators, show as laggards and receive
    /// reminders (sample data belongs in the demo only). Removes the
    /// sample units nothing refers to yet; returns how many went.
    pub async fn drop_sample_units(&self, plan_id: &str) -> Result<u64> {
        let mut tx = self.write_tx().await?;
        let r = sqlx::query(
            "DELETE FROM units WHERE commune_id = (SELECT pc.commune_id FROM plans pc WHERE pc.id = $1) AND sample = 1 \
             AND NOT EXISTS (SELECT 1 FROM users x WHERE x.unit_id = units.id) \
             AND NOT EXISTS (SELECT 1 FROM invites x WHERE x.unit_id = units.id) \
             AND NOT EXISTS (SELECT 1 FROM sessions x WHERE x.unit_id = units.id) \
             AND NOT EXISTS (SELECT 1 FROM support_turns x WHERE x.unit_id = units.id) \
             AND NOT EXISTS (SELECT 1 FROM roster_people x WHERE x.unit_id = units.id) \
             AND NOT EXISTS (SELECT 1 FROM school_classes x WHERE x.unit_id = units.id) \
             AND NOT EXISTS (SELECT 1 FROM unit_populations x WHERE x.unit_id = units.id) \
             AND NOT EXISTS (SELECT 1 FROM team_villages x WHERE x.unit_id = units.id) \
             AND NOT EXISTS (SELECT 1 FROM shifts x WHERE x.unit_id = units.id)",
        )
        .bind(plan_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(r.rows_affected())
    }

    pub async fn create_unit(&self, plan_id: &str, u: NewUnit, now: i64) -> Result<UnitRow> {
        let name = clean(&u.name);
        if name.is_empty() {
            return Err(StoreError::Conflict {
                code: ErrorCode::NameRequired,
                field: "name",
            });
        }
        if u.has_smart_classroom && u.kind != UnitKind::School {
            return Err(StoreError::Conflict {
                code: ErrorCode::SmartClassroomOnlyForSchools,
                field: "has_smart_classroom",
            });
        }
        let dup = sqlx::query("SELECT id FROM units WHERE commune_id = (SELECT pc.commune_id FROM plans pc WHERE pc.id = $1) AND name_key = $2 AND kind = $3")
            .bind(plan_id)
            .bind(fold_key(&name))
            .bind(u.kind.as_str())
            .fetch_optional(self.pool())
            .await?;
        if dup.is_some() {
            return Err(StoreError::Conflict {
                code: ErrorCode::UnitNameTaken,
                field: "name",
            });
        }
        // A slug unique within the plan, derived from the name.
        let base = slug_from(&name);
        let mut slug = base.clone();
        let mut n = 2;
        while sqlx::query("SELECT id FROM units WHERE commune_id = (SELECT pc.commune_id FROM plans pc WHERE pc.id = $1) AND slug = $2")
            .bind(plan_id)
            .bind(&slug)
            .fetch_optional(self.pool())
            .await?
            .is_some()
        {
            slug = format!("{base}-{n}");
            n += 1;
        }
        let id = new_id();
        sqlx::query(
            "INSERT INTO units (id, commune_id, slug, name, name_key, short_name, kind, has_smart_classroom, sample, from_plan, active, updated_at) \
             VALUES ($1, (SELECT pc.commune_id FROM plans pc WHERE pc.id = $2), $3, $4, $5, $6, $7, $8, 0, 0, 1, $9)",
        )
        .bind(&id)
        .bind(plan_id)
        .bind(&slug)
        .bind(&name)
        .bind(fold_key(&name))
        .bind(u.short_name.map(|s| clean(&s)).filter(|s| !s.is_empty()))
        .bind(u.kind.as_str())
        .bind(u.has_smart_classroom as i64)
        .bind(now)
        .execute(self.pool())
        .await
        .map_err(|e| conflict_on_unique(e, ErrorCode::UnitNameTaken, "name"))?;
        self.unit(plan_id, &id).await
    }

    pub async fn update_unit(&self, plan_id: &str, unit_id: &str, p: UnitPatch, now: i64) -> Result<UnitRow> {
        let cur = self.unit(plan_id, unit_id).await?;
        let name = match p.name {
            Some(n) => {
                let n = clean(&n);
                if n.is_empty() {
                    return Err(StoreError::Conflict {
                        code: ErrorCode::NameRequired,
                        field: "name",
                    });
                }
                n
            }
            None => cur.name.clone(),
        };
        let smart = p.has_smart_classroom.unwrap_or(cur.has_smart_classroom != 0);
        if smart && cur.kind != UnitKind::School.as_str() {
            return Err(StoreError::Conflict {
                code: ErrorCode::SmartClassroomOnlyForSchools,
                field: "has_smart_classroom",
            });
        }
        if fold_key(&name) != fold_key(&cur.name) {
            let dup =
                sqlx::query("SELECT id FROM units WHERE commune_id = (SELECT pc.commune_id FROM plans pc WHERE pc.id = $1) AND name_key = $2 AND kind = $3 AND id <> $4")
                    .bind(plan_id)
                    .bind(fold_key(&name))
                    .bind(&cur.kind)
                    .bind(unit_id)
                    .fetch_optional(self.pool())
                    .await?;
            if dup.is_some() {
                return Err(StoreError::Conflict {
                    code: ErrorCode::UnitNameTaken,
                    field: "name",
                });
            }
        }
        let short = match p.short_name {
            Some(s) => s.map(|s| clean(&s)).filter(|s| !s.is_empty()),
            None => cur.short_name.clone(),
        };
        let active = p.active.unwrap_or(cur.active != 0);
        // A sample village the commune names is its own now, no longer sample data.
        let sample = cur.sample != 0 && fold_key(&name) == fold_key(&cur.name);
        sqlx::query(
            "UPDATE units SET name = $1, name_key = $2, short_name = $3, has_smart_classroom = $4, active = $5, updated_at = $6, sample = $9 \
             WHERE commune_id = (SELECT pc.commune_id FROM plans pc WHERE pc.id = $7) AND id = $8",
        )
        .bind(&name)
        .bind(fold_key(&name))
        .bind(short)
        .bind(smart as i64)
        .bind(active as i64)
        .bind(now)
        .bind(plan_id)
        .bind(unit_id)
        .bind(sample as i64)
        .execute(self.pool())
        .await?;
        self.unit(plan_id, unit_id).await
    }

    pub async fn populations(&self, plan_id: &str) -> Result<Vec<PopulationRow>> {
        Ok(sqlx::query_as::<_, PopulationRow>(
            "SELECT p.unit_id, p.population, p.value FROM unit_populations p JOIN units u ON u.id = p.unit_id \
             WHERE u.commune_id = (SELECT pc.commune_id FROM plans pc WHERE pc.id = $1) ORDER BY p.unit_id, p.population",
        )
        .bind(plan_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Sets (or, with `None`, clears) a unit's declared population figure.
    pub async fn set_population(
        &self,
        plan_id: &str,
        unit_id: &str,
        population: &str,
        value: Option<i64>,
        now: i64,
    ) -> Result<()> {
        self.unit(plan_id, unit_id).await?;
        if !POPULATIONS.iter().any(|(k, _)| *k == population) {
            return Err(StoreError::Conflict {
                code: ErrorCode::UnknownPopulation,
                field: "population",
            });
        }
        let mut tx = self.write_tx().await?;
        sqlx::query("DELETE FROM unit_populations WHERE unit_id = $1 AND population = $2")
            .bind(unit_id)
            .bind(population)
            .execute(&mut *tx)
            .await?;
        if let Some(v) = value {
            if !(0..=10_000_000).contains(&v) {
                return Err(StoreError::Conflict {
                    code: ErrorCode::PopulationOutOfRange,
                    field: "value",
                });
            }
            sqlx::query(
                "INSERT INTO unit_populations (unit_id, population, value, updated_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(unit_id)
            .bind(population)
            .bind(v)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn list_classes(&self, plan_id: &str) -> Result<Vec<ClassRow>> {
        Ok(sqlx::query_as::<_, ClassRow>(
            "SELECT c.id, c.unit_id, c.name, c.pupils, c.active FROM school_classes c JOIN units u ON u.id = c.unit_id \
             WHERE u.commune_id = (SELECT pc.commune_id FROM plans pc WHERE pc.id = $1) ORDER BY c.unit_id, c.name_key",
        )
        .bind(plan_id)
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn add_class(
        &self,
        plan_id: &str,
        unit_id: &str,
        name: &str,
        pupils: Option<i64>,
        now: i64,
    ) -> Result<ClassRow> {
        let unit = self.unit(plan_id, unit_id).await?;
        if unit.kind != UnitKind::School.as_str() {
            return Err(StoreError::Conflict {
                code: ErrorCode::ClassesOnlyForSchools,
                field: "unit_id",
            });
        }
        let name = clean(name);
        if name.is_empty() || name.chars().count() > 40 {
            return Err(StoreError::Conflict {
                code: ErrorCode::ClassNameInvalid,
                field: "name",
            });
        }
        if let Some(p) = pupils
            && !(0..=200).contains(&p)
        {
            return Err(StoreError::Conflict {
                code: ErrorCode::PupilsOutOfRange,
                field: "pupils",
            });
        }
        let id = new_id();
        sqlx::query("INSERT INTO school_classes (id, unit_id, name, name_key, pupils, active, updated_at) VALUES ($1, $2, $3, $4, $5, 1, $6)")
            .bind(&id)
            .bind(unit_id)
            .bind(&name)
            .bind(fold_key(&name))
            .bind(pupils)
            .bind(now)
            .execute(self.pool())
            .await
            .map_err(|e| conflict_on_unique(e, ErrorCode::ClassNameTaken, "name"))?;
        Ok(ClassRow {
            id,
            unit_id: unit_id.into(),
            name,
            pupils,
            active: 1,
        })
    }

    pub async fn set_class_active(&self, plan_id: &str, class_id: &str, active: bool, now: i64) -> Result<ClassRow> {
        let row = sqlx::query_as::<_, ClassRow>(
            "SELECT c.id, c.unit_id, c.name, c.pupils, c.active FROM school_classes c JOIN units u ON u.id = c.unit_id \
             WHERE u.commune_id = (SELECT pc.commune_id FROM plans pc WHERE pc.id = $1) AND c.id = $2",
        )
        .bind(plan_id)
        .bind(class_id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound("class"))?;
        sqlx::query("UPDATE school_classes SET active = $1, updated_at = $2 WHERE id = $3")
            .bind(active as i64)
            .bind(now)
            .bind(class_id)
            .execute(self.pool())
            .await?;
        Ok(ClassRow {
            active: active as i64,
            ..row
        })
    }
}
