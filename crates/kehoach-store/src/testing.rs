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
