//! kehoach-store: the database. Schema and migrations for SQLite and
//! PostgreSQL (one folder per dialect, same versions) and the queries, by
//! what they hold: `commune/` (units, classes, populations, accounts,
//! sessions, invites), `records/` (what is recorded at the source, with its
//! audit log), `facts/` (the aggregates kept in each write's transaction,
//! read as the engine's facts and traced back to records), `views/` (what
//! reports and exports read).
//!
//! One SQL text serves both backends through sqlx's `AnyPool`: ids are TEXT
//! (UUID v7), times BIGINT unix seconds, flags INTEGER 0/1, `$n` placeholders.
//! Every row belongs to a plan, so one server can hold many communes.

pub mod commune;
pub mod facts;
pub mod records;
pub mod replica;
pub mod testing;
pub mod views;

use kehoach_core::ErrorCode;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Row};

pub use commune::accounts::{
    InviteListRow, InviteRow, MIN_PASSWORD_LEN, NewInvite, NewUser, Role, SESSION_TTL_SECS, UserPatch, UserRow,
    random_token,
};
pub use commune::registry::{CommuneRow, CommuneSummary, NewCommune, PlanSummary, commune_slug, normalize_host};
pub use commune::units::{ClassRow, NewUnit, POPULATIONS, PopulationRow, UnitPatch, UnitRow};
pub use facts::{AggregateSnapshot, Trace, TraceRow};
pub use records::activity::{ActivitySessionRow, AttendanceRow, NewActivitySession, PhotoRow, SessionFilter};
pub use records::audit::AuditRow;
pub use records::contests::{
    ContestRow, ContestSettings, EntryRow, EntryWork, NewEntry, ScoreRow, winners_in_prize_order,
};
pub use records::propaganda::{NewPropaganda, PropagandaRow};
pub use records::reminders::{NewReminder, REMINDER_MAX_CHARS, Recipient, ReminderRow, TWIN_SECS};
pub use records::rosters::{ImportSummary, PersonInput, PersonRow, ROSTERS, dedup_key, roster_label};
pub use records::turns::{IngestWriter, NewTurn, TurnFilter, TurnRow, WriteOutcome};
pub use records::volunteers::{NewShift, ShiftReminder, ShiftRow, SignUp, TeamRow};
pub use views::export::ExportFilter;
pub use views::report::ReportData;
pub use views::report_texts::{BUDGET_MAX, BudgetLine, REPORT_TEXT_MAX_CHARS};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Errors of the store. Domain refusals carry a stable snake_case code and
/// the field they are about, for the API and for Vietnamese messages.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("không có tệp cơ sở dữ liệu {0}: kiểm tra lại đường dẫn, hoặc thêm --create để tạo cơ sở dữ liệu mới")]
    MissingDatabase(PathBuf),
    #[error("địa chỉ cơ sở dữ liệu không hợp lệ: {0} (dùng sqlite:ĐƯỜNG_DẪN hoặc postgres://…)")]
    BadUrl(String),
    #[error("{code}: {field}")]
    Conflict { code: ErrorCode, field: &'static str },
    #[error("not found: {0}")]
    NotFound(&'static str),
    #[error("{0}")]
    Unsupported(&'static str),
    #[error("kế hoạch đã lưu không hợp lệ: {0}")]
    BadPlan(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The database, chosen once at start-up from its URL.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// Sessions recently read (see `commune::accounts::SessionCache`).
    sessions: std::sync::Arc<commune::accounts::SessionCache>,
    /// Plans parsed for the city's roll-up (see `facts::city::PlanCache`).
    plans: std::sync::Arc<facts::city::PlanCache>,
    /// A streaming replica that boards, reports and exports read from (see `replica`).
    reads: Option<AnyPool>,
}

/// Current time as unix seconds (callers pass it down; tests use fixed times).
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Where a SQLite URL points, if it is one (`sqlite:path`, `sqlite://path`, or a bare path).
fn sqlite_path(url: &str) -> Option<PathBuf> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return None;
    }
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    let rest = rest.split('?').next().unwrap_or(rest);
    if rest.is_empty() || rest.contains("://") {
        return None;
    }
    Some(PathBuf::from(rest))
}

/// Large buffers (a password hash's 19 MiB, an upload's parts) are given
/// back to the system when freed. glibc raises its mmap threshold after the
/// first such free, and from then on keeps freed large buffers in each
/// thread's arena: 64 concurrent logins left 150 MB resident that way.
/// Pinning the threshold (1 MiB) keeps every larger buffer mmapped.
fn fixed_mmap_threshold() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        static ONCE: std::sync::Once = std::sync::Once::new();
        // SAFETY: mallopt only changes allocator parameters; called once.
        ONCE.call_once(|| unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
        });
    }
}

impl Store {
    /// Opens the database at `url`. A SQLite file that does not exist is an
    /// error unless `create` is set: a mistyped path never yields a new,
    /// empty database.
    pub async fn open(url: &str, create: bool) -> Result<Store> {
        install_default_drivers();
        fixed_mmap_threshold();
        let (backend, connect_url) = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            (Backend::Postgres, url.to_string())
        } else if let Some(path) = sqlite_path(url) {
            if !path.exists() {
                if !create {
                    return Err(StoreError::MissingDatabase(path));
                }
                if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    std::fs::create_dir_all(parent).map_err(|e| StoreError::Db(sqlx::Error::Io(e)))?;
                }
            }
            let mode = if create { "rwc" } else { "rw" };
            (Backend::Sqlite, format!("sqlite://{}?mode={mode}", path.display()))
        } else {
            return Err(StoreError::BadUrl(url.to_string()));
        };
        let opts = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 4 } else { 8 })
            .acquire_timeout(Duration::from_secs(15));
        let opts = if backend == Backend::Sqlite {
            opts.after_connect(|conn, _meta| {
                Box::pin(async move {
                    // WAL for readers beside the writer; FULL so an acknowledged
                    // commit survives power loss; foreign keys enforced.
                    for pragma in [
                        "PRAGMA journal_mode = WAL",
                        "PRAGMA synchronous = FULL",
                        "PRAGMA foreign_keys = ON",
                        "PRAGMA busy_timeout = 10000",
                    ] {
                        sqlx::query(pragma).execute(&mut *conn).await?;
                    }
                    Ok(())
                })
            })
        } else {
            opts
        };
        let pool = opts.connect(&connect_url).await?;
        Ok(Store {
            pool,
            backend,
            sessions: Default::default(),
            plans: Default::default(),
            reads: None,
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// A write transaction. On SQLite it takes the write lock at its start
    /// (`BEGIN IMMEDIATE`): a deferred transaction that reads before it
    /// writes cannot upgrade its lock while another writer holds it and
    /// fails with "database is locked" at once, whereas an immediate one
    /// waits its turn (`busy_timeout`). Every write path goes through here.
    pub async fn write_tx(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    pub async fn migrate(&self) -> Result<()> {
        match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&self.pool).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&self.pool).await?,
        }
        self.name_migrated_communes().await
    }

    /// Applies the migrations up to `version` only, and nothing of what
    /// `migrate` does after them: a database as an older kehoach left it,
    /// for tests of upgrades.
    #[doc(hidden)]
    pub async fn migrate_until(&self, version: i64) -> Result<()> {
        let all = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        let older = Migrator {
            migrations: std::borrow::Cow::Owned(
                all.migrations
                    .iter()
                    .filter(|m| m.version <= version)
                    .cloned()
                    .collect(),
            ),
            ignore_missing: all.ignore_missing,
            locking: all.locking,
            no_tx: all.no_tx,
            table_name: all.table_name.clone(),
            create_schemas: all.create_schemas.clone(),
        };
        older.run(&self.pool).await?;
        Ok(())
    }

    /// Connections open and idle in the pool, for health checks.
    pub fn pool_stats(&self) -> (u32, usize) {
        (self.pool.size(), self.pool.num_idle())
    }

    /// A round trip to the database.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// A consistent copy of a SQLite database while it serves (`VACUUM INTO`).
    /// The target must not exist. PostgreSQL is backed up with pg_dump.
    pub async fn backup(&self, target: &Path) -> Result<()> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::Unsupported(
                "sao lưu PostgreSQL bằng pg_dump (xem docs/operations.md)",
            ));
        }
        if target.exists() {
            return Err(StoreError::Conflict {
                code: ErrorCode::BackupTargetExists,
                field: "path",
            });
        }
        let path = target.to_string_lossy().to_string();
        sqlx::query("VACUUM INTO $1").bind(path).execute(&self.pool).await?;
        Ok(())
    }

    /// Stores a plan and the units it names, once, for the server's first
    /// commune (made from the plan's commune name when there is none).
    /// Returns false when the plan was already there (its units may have
    /// been edited since: they are kept).
    pub async fn import_plan(&self, plan: &kehoach_core::Plan, source: &str, now: i64) -> Result<bool> {
        let exists = sqlx::query("SELECT id FROM plans WHERE id = $1")
            .bind(&plan.plan.id)
            .fetch_optional(&self.pool)
            .await?
            .is_some();
        if exists {
            self.sync_plan_rules(plan).await?;
            return Ok(false);
        }
        let commune = match self.primary_commune().await? {
            Some(c) => c,
            None => {
                self.create_commune(commune::registry::commune_of_plan(plan), now)
                    .await?
            }
        };
        self.insert_plan(&commune, plan, source, now).await?;
        Ok(true)
    }

    /// Brings a stored plan's derived rules (which records count toward
    /// which target: `reach_rules`) up to date with its file, as each start
    /// does: a newer kehoach may read a plan file otherwise.
    pub async fn sync_plan_rules(&self, plan: &kehoach_core::Plan) -> Result<()> {
        let mut tx = self.write_tx().await?;
        crate::facts::sync_reach_rules(&mut tx, plan).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Replaces a plan that has recorded nothing yet with another plan file
    /// (read from another commune's text): same plan id, so the accounts
    /// stay; the old plan's contests, report texts and budget go, and so do
    /// the units its file brought, when the commune has no other plan.
    /// Refused once anything is recorded or an account, invite or roster
    /// entry is bound to one of the commune's units.
    pub async fn replace_plan(&self, plan: &kehoach_core::Plan, source: &str, now: i64) -> Result<()> {
        let id = plan.plan.id.as_str();
        let mut tx = self.write_tx().await?;
        let commune_id: Option<(Option<String>,)> = sqlx::query_as("SELECT commune_id FROM plans WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        let commune_id = commune_id.and_then(|c| c.0).ok_or(StoreError::NotFound("plan"))?;
        for table in [
            "support_turns",
            "sessions",
            "contest_entries",
            "propaganda_entries",
            "teams",
            "shifts",
            "reminders",
        ] {
            let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT COUNT(*) FROM {table} WHERE plan_id = $1"
            )))
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
            if n > 0 {
                return Err(StoreError::Conflict {
                    code: ErrorCode::PlanHasRecords,
                    field: "plan",
                });
            }
        }
        let (people,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM roster_people WHERE commune_id = $1")
            .bind(&commune_id)
            .fetch_one(&mut *tx)
            .await?;
        if people > 0 {
            return Err(StoreError::Conflict {
                code: ErrorCode::PlanHasRecords,
                field: "plan",
            });
        }
        for table in ["users", "invites"] {
            let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT COUNT(*) FROM {table} WHERE commune_id = $1 AND unit_id IS NOT NULL"
            )))
            .bind(&commune_id)
            .fetch_one(&mut *tx)
            .await?;
            if n > 0 {
                return Err(StoreError::Conflict {
                    code: ErrorCode::PlanHasUnitAccounts,
                    field: "plan",
                });
            }
        }
        sqlx::query(
            "UPDATE plans SET commune = $1, title = $2, source_toml = $3, revision = revision + 1 WHERE id = $4",
        )
        .bind(&plan.plan.commune)
        .bind(&plan.plan.title)
        .bind(source)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        for sql in [
            "DELETE FROM contest_judges WHERE plan_id = $1",
            "DELETE FROM contests WHERE plan_id = $1",
            "DELETE FROM report_texts WHERE plan_id = $1",
            "DELETE FROM budget_lines WHERE plan_id = $1",
        ] {
            sqlx::query(sql).bind(id).execute(&mut *tx).await?;
        }
        let (plans,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM plans WHERE commune_id = $1")
            .bind(&commune_id)
            .fetch_one(&mut *tx)
            .await?;
        if plans == 1 {
            // The commune's only plan: the units of its old file go with it.
            for sql in [
                "DELETE FROM unit_populations WHERE unit_id IN (SELECT id FROM units WHERE commune_id = $1)",
                "DELETE FROM school_classes WHERE unit_id IN (SELECT id FROM units WHERE commune_id = $1)",
                "DELETE FROM units WHERE commune_id = $1",
            ] {
                sqlx::query(sql).bind(&commune_id).execute(&mut *tx).await?;
            }
        }
        insert_units(&mut tx, &commune_id, plan, now).await?;
        crate::facts::sync_reach_rules(&mut tx, plan).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Stores a plan row of `commune` with the units its file names (those
    /// the commune lacks) and its reach rules.
    pub(crate) async fn insert_plan(
        &self,
        commune: &CommuneRow,
        plan: &kehoach_core::Plan,
        source: &str,
        now: i64,
    ) -> Result<()> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO plans (id, commune, title, source_toml, active, created_at, commune_id) VALUES ($1, $2, $3, $4, 1, $5, $6)",
        )
        .bind(&plan.plan.id)
        .bind(&plan.plan.commune)
        .bind(&plan.plan.title)
        .bind(source)
        .bind(now)
        .bind(&commune.id)
        .execute(&mut *tx)
        .await?;
        insert_units(&mut tx, &commune.id, plan, now).await?;
        crate::facts::sync_reach_rules(&mut tx, plan).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The stored plan file of a plan.
    pub async fn plan_source(&self, plan_id: &str) -> Result<String> {
        let row = sqlx::query("SELECT source_toml FROM plans WHERE id = $1")
            .bind(plan_id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound("plan"))?;
        Ok(row.try_get(0)?)
    }

    pub async fn plan_ids(&self) -> Result<Vec<String>> {
        let rows = sqlx::query("SELECT id FROM plans WHERE active = 1 ORDER BY created_at, id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| r.try_get(0).map_err(StoreError::from)).collect()
    }
}

/// The plan file's units (`from_plan`) that the commune does not have yet
/// (by slug): a new plan of the commune reuses its villages and schools.
pub(crate) async fn insert_units(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    commune_id: &str,
    plan: &kehoach_core::Plan,
    now: i64,
) -> Result<()> {
    for u in &plan.units {
        sqlx::query(
            "INSERT INTO units (id, commune_id, slug, name, name_key, short_name, kind, has_smart_classroom, sample, from_plan, active, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, 1, $10) ON CONFLICT (commune_id, slug) DO NOTHING",
        )
        .bind(new_id())
        .bind(commune_id)
        .bind(&u.id)
        .bind(&u.name)
        .bind(kehoach_core::text::fold_key(&u.name))
        .bind(u.short_name.clone())
        .bind(u.kind.as_str())
        .bind(u.has_smart_classroom as i64)
        .bind(u.sample as i64)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Maps a unique-constraint failure to a domain conflict.
/// After an insert that found its client-made id already stored: a retry
/// by the same author in the same plan may have the stored row back; an id
/// that is someone else's (read off a public feed or a link) is a conflict
/// (`id_taken`), and nothing of that row is returned. Every idempotent
/// insert (sessions, turns, propaganda, reminders, shifts) goes through here.
pub(crate) async fn own_retry<'e, E>(
    ex: E,
    table: &'static str,
    author_col: &'static str,
    id: &str,
    plan_id: &str,
    author: &str,
) -> Result<()>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let mine: Option<(i64,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT 1 FROM {table} WHERE id = $1 AND plan_id = $2 AND {author_col} = $3"
    )))
    .bind(id)
    .bind(plan_id)
    .bind(author)
    .fetch_optional(ex)
    .await?;
    match mine {
        Some(_) => Ok(()),
        None => Err(StoreError::Conflict {
            code: ErrorCode::IdTaken,
            field: "id",
        }),
    }
}

pub(crate) fn conflict_on_unique(e: sqlx::Error, code: ErrorCode, field: &'static str) -> StoreError {
    if let sqlx::Error::Database(db) = &e
        && db.is_unique_violation()
    {
        return StoreError::Conflict { code, field };
    }
    StoreError::Db(e)
}

impl FromStr for Backend {
    type Err = StoreError;
    fn from_str(s: &str) -> Result<Backend> {
        match s {
            "sqlite" => Ok(Backend::Sqlite),
            "postgres" => Ok(Backend::Postgres),
            other => Err(StoreError::BadUrl(other.to_string())),
        }
    }
}
