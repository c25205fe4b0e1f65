//! Databases for tests: a fresh SQLite file, and a fresh PostgreSQL database
//! on the server named by `KEHOACH_TEST_PG_URL` (scripts/test starts one).
//! With `KEHOACH_REQUIRE_PG=1` a missing server fails the test instead of
//! running SQLite alone, so CI can never skip PostgreSQL quietly.

use sqlx::Connection;

/// URLs of fresh, empty databases to run one test against: SQLite always,
/// PostgreSQL when configured.
pub async fn fresh_database_urls() -> Vec<(&'static str, String)> {
    sqlx::any::install_default_drivers();
    let mut out = Vec::new();
    let dir = std::env::temp_dir().join(format!("kehoach-test-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    out.push(("sqlite", format!("sqlite:{}", dir.join("kehoach.sqlite").display())));
    match std::env::var("KEHOACH_TEST_PG_URL") {
        Ok(admin) if !admin.is_empty() => {
            let name = format!("kh_{}", uuid::Uuid::now_v7().simple());
            let mut conn = sqlx::AnyConnection::connect(&admin)
                .await
                .unwrap_or_else(|e| panic!("cannot reach PostgreSQL at KEHOACH_TEST_PG_URL: {e}"));
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&mut conn)
                .await
                .expect("create test database");
            let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
            out.push(("postgres", format!("{base}/{name}")));
        }
        _ => {
            if std::env::var("KEHOACH_REQUIRE_PG").as_deref() == Ok("1") {
                panic!("KEHOACH_REQUIRE_PG=1 but KEHOACH_TEST_PG_URL is not set");
            }
        }
    }
    out
}

// ------------------------------------------------------------ record builders
//
// The records tests (and the demo) make over and over, with the usual
// values filled in: say what differs, not the whole struct.

use crate::{NewActivitySession, NewShift, PersonInput, PersonRow, Store};

/// A roster row: a person of `unit_id`, born in `birth_year`, in no class.
pub fn person(full_name: &str, birth_year: i64, unit_id: &str) -> PersonInput {
    PersonInput {
        full_name: full_name.into(),
        birth_year: Some(birth_year),
        unit_id: unit_id.into(),
        class_id: None,
    }
}

/// Imports one person into `roster` (as `by`) and returns their row.
pub async fn add_person(store: &Store, plan_id: &str, roster: &str, p: PersonInput, by: &str) -> PersonRow {
    let name = p.full_name.clone();
    store
        .import_roster(plan_id, roster, &[p], false, by, 0)
        .await
        .expect("roster import");
    store
        .roster_people(plan_id, Some(roster), None)
        .await
        .expect("roster read")
        .into_iter()
        .find(|x| x.full_name == name)
        .expect("the imported person")
}

/// A session of `line_id` (`kind`) in `unit_id`, recorded by `by`: planned
/// on 10/07/2026 with nothing else said, until told otherwise
/// (`.held()`, `.on(day)`, `.class(id)`).
pub fn session(plan_id: &str, line_id: &str, unit_id: &str, kind: &str, by: &str) -> NewActivitySession {
    NewActivitySession {
        id: uuid::Uuid::now_v7().to_string(),
        plan_id: plan_id.into(),
        line_id: line_id.into(),
        unit_id: unit_id.into(),
        class_id: None,
        kind: kind.into(),
        status: "planned".into(),
        day: "2026-07-10".into(),
        start_time: None,
        end_time: None,
        venue: None,
        topics: "[]".into(),
        headcount: None,
        note: None,
        created_by: by.into(),
    }
}

impl NewActivitySession {
    /// Held (it took place).
    pub fn held(mut self) -> Self {
        self.status = "held".into();
        self
    }

    /// On `day`.
    pub fn on(mut self, day: kehoach_core::Day) -> Self {
        self.day = day.iso();
        self
    }

    /// For one class of a school.
    pub fn class(mut self, class_id: &str) -> Self {
        self.class_id = Some(class_id.into());
        self
    }
}

/// A shift of 5 places in `unit_id` on `day`, 08:00–11:00, opened by `by`.
pub fn shift(plan_id: &str, unit_id: &str, day: kehoach_core::Day, by: &str) -> NewShift {
    NewShift {
        id: uuid::Uuid::now_v7().to_string(),
        plan_id: plan_id.into(),
        team_id: None,
        unit_id: unit_id.into(),
        day: day.iso(),
        start_time: "08:00".into(),
        end_time: "11:00".into(),
        places: 5,
        created_by: by.into(),
    }
}

// ------------------------------------------------------------ whole-database views
//
// For tests about what belongs to whom: a commune's rows, found by the ids
// they hold, compared before and after another commune's requests.

/// Every table of the schema (migrations' own bookkeeping aside) with its columns.
pub async fn tables(store: &Store) -> Vec<(String, Vec<String>)> {
    use sqlx::Row;
    let names: Vec<String> = match store.backend() {
        crate::Backend::Sqlite => sqlx::query(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations' ORDER BY name",
        ),
        crate::Backend::Postgres => sqlx::query(
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> '_sqlx_migrations' ORDER BY table_name",
        ),
    }
    .fetch_all(store.pool())
    .await
    .expect("tables")
    .iter()
    .map(|r| r.get::<String, _>(0))
    .collect();
    let mut out = Vec::new();
    for t in names {
        let cols = match store.backend() {
            crate::Backend::Sqlite => sqlx::query("SELECT name FROM pragma_table_info($1) ORDER BY cid"),
            crate::Backend::Postgres => sqlx::query(
                "SELECT column_name::text FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position",
            ),
        }
        .bind(&t)
        .fetch_all(store.pool())
        .await
        .expect("columns")
        .iter()
        .map(|r| r.get::<String, _>(0))
        .collect();
        out.push((t, cols));
    }
    out
}

/// Every row of every table as text, with its table name.
async fn all_rows(store: &Store) -> Vec<(String, Vec<String>, Vec<Option<String>>)> {
    use sqlx::Row;
    let mut out = Vec::new();
    for (t, cols) in tables(store).await {
        let select = cols
            .iter()
            .map(|c| format!("CAST(\"{c}\" AS TEXT)"))
            .collect::<Vec<_>>()
            .join(", ");
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {select} FROM \"{t}\"")))
            .fetch_all(store.pool())
            .await
            .expect("rows");
        for r in rows {
            let values = (0..cols.len()).map(|i| r.get::<Option<String>, _>(i)).collect();
            out.push((t.clone(), cols.clone(), values));
        }
    }
    out
}

/// The ids of everything that hangs from `seeds` (a commune's and its
/// plan's ids): every row holding one of them, then every row holding one
/// of those rows' ids, until nothing new is found.
pub async fn ids_reached_from(store: &Store, seeds: &[&str]) -> std::collections::BTreeSet<String> {
    let rows = all_rows(store).await;
    let mut ids: std::collections::BTreeSet<String> = seeds.iter().map(|s| s.to_string()).collect();
    loop {
        let before = ids.len();
        for (_, cols, values) in &rows {
            if values.iter().any(|v| v.as_ref().is_some_and(|v| ids.contains(v))) {
                for (c, v) in cols.iter().zip(values) {
                    if matches!(c.as_str(), "id" | "token_hash" | "user_id" | "person_id")
                        && let Some(v) = v
                    {
                        ids.insert(v.clone());
                    }
                }
            }
        }
        if ids.len() == before {
            return ids;
        }
    }
}

/// Every row, in every table, that holds one of `ids` in any column, as
/// "table: column=value, …", sorted.
pub async fn rows_holding(store: &Store, ids: &std::collections::BTreeSet<String>) -> Vec<String> {
    let mut out: Vec<String> = all_rows(store)
        .await
        .into_iter()
        .filter(|(_, _, values)| values.iter().any(|v| v.as_ref().is_some_and(|v| ids.contains(v))))
        .map(|(t, cols, values)| {
            let fields: Vec<String> = cols
                .iter()
                .zip(values)
                .map(|(c, v)| format!("{c}={}", v.unwrap_or_else(|| "NULL".into())))
                .collect();
            format!("{t}: {}", fields.join(", "))
        })
        .collect();
    out.sort();
    out
}

/// A password's stored hash, for tests that write account rows themselves
/// (a database as an older kehoach left it).
pub async fn password_hash(password: &str) -> String {
    crate::commune::accounts::hash_password(password.to_string())
        .await
        .expect("hash")
}
