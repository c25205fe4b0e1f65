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
