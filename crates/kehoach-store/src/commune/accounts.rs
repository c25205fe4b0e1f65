//! Accounts, roles, login sessions and invites.
//!
//! Passwords are argon2id PHC strings. Session and invite tokens are random
//! 256-bit values given to the browser once; only their SHA-256 is stored, so
//! a copy of the database does not let anyone log in.

use argon2::password_hash::phc::PasswordHash;
use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use base64::Engine;
use kehoach_core::ErrorCode;
use kehoach_core::text::clean;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::FromRow;

use crate::{Result, Store, StoreError, conflict_on_unique, new_id};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Runs the plan (Phòng VH-XH).
    Coordinator,
    /// Records for one unit.
    UnitReporter,
    /// Youth-union volunteer, bound to a unit (village or the union).
    Volunteer,
    Judge,
    /// Leaders: read only.
    Viewer,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Coordinator,
        Role::UnitReporter,
        Role::Volunteer,
        Role::Judge,
        Role::Viewer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Coordinator => "coordinator",
            Role::UnitReporter => "unit_reporter",
            Role::Volunteer => "volunteer",
            Role::Judge => "judge",
            Role::Viewer => "viewer",
        }
    }
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            Role::Coordinator => "Điều phối (Phòng VH-XH)",
            Role::UnitReporter => "Báo cáo viên đơn vị",
            Role::Volunteer => "Tình nguyện viên",
            Role::Judge => "Giám khảo",
            Role::Viewer => "Lãnh đạo, theo dõi",
        }
    }
    /// Roles that act for one unit must name it.
    pub fn needs_unit(self) -> bool {
        matches!(self, Role::UnitReporter | Role::Volunteer)
    }
}

#[derive(Debug, Clone, FromRow, Serialize, PartialEq)]
pub struct UserRow {
    pub id: String,
    /// Accounts belong to the commune, shared by its plans.
    pub commune_id: String,
    pub username: String,
    pub full_name: String,
    pub role: String,
    pub unit_id: Option<String>,
    pub active: i64,
    /// Where reminders are emailed, if the user gave one.
    pub email: Option<String>,
}

impl UserRow {
    pub fn role(&self) -> Role {
        // Rows are written through `Role::as_str` only; an unknown value reads as the least power.
        Role::parse(&self.role).unwrap_or(Role::Viewer)
    }
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub full_name: String,
    pub role: Role,
    pub unit_id: Option<String>,
    pub password: String,
}

#[derive(Debug, Clone, Default)]
pub struct UserPatch {
    pub full_name: Option<String>,
    pub role: Option<Role>,
    pub unit_id: Option<Option<String>>,
    pub active: Option<bool>,
    pub password: Option<String>,
    /// Some(None) clears the address.
    pub email: Option<Option<String>>,
    /// With a new password, every session of the user ends but the one
    /// holding this CSRF token (the user changing their own password).
    pub keep_session_csrf: Option<String>,
}

/// A one-time invite to create an account with a given role and unit.
#[derive(Debug, Clone)]
pub struct NewInvite {
    pub role: Role,
    pub unit_id: Option<String>,
    pub note: Option<String>,
    /// None for the first-coordinator setup link.
    pub created_by: Option<String>,
    pub ttl_secs: i64,
}

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct InviteRow {
    pub commune_id: String,
    pub role: String,
    pub unit_id: Option<String>,
    pub note: Option<String>,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

/// An invite as the users page lists it: its id is the token's hash (the
/// token itself is never stored, so a lost link is re-issued, not shown
/// again).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InviteListRow {
    pub id: String,
    pub role: String,
    pub unit_id: Option<String>,
    pub note: Option<String>,
    pub created_at: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
    pub used_by_name: Option<String>,
}

const USER_COLS: &str = "id, commune_id, username, full_name, role, unit_id, active, email";
pub const MIN_PASSWORD_LEN: usize = 10;
pub const SESSION_TTL_SECS: i64 = 14 * 24 * 3600;

/// How long a session read from the database is used without reading it
/// again: the bound on how late a change made by another process (another
/// server on the same database) is seen. Changes made through this store
/// are seen at once.
const SESSION_CACHE_SECS: u64 = 30;
/// Sessions kept at most (then the cache starts over).
const SESSION_CACHE_MAX: usize = 50_000;

type CachedSession = (UserRow, String);
/// (token hash, plan id) → (when read, session's expiry, the session).
type SessionMap = std::collections::HashMap<(String, String), (std::time::Instant, i64, CachedSession)>;

/// Sessions recently read, by token hash and plan: a phone recording turns
/// sends a request per tap, each of which would read the same row. Any
/// change to a session or an account through this store empties it (and
/// bumps its generation, so that a read that raced the change is not kept).
#[derive(Default)]
pub(crate) struct SessionCache {
    generation: std::sync::atomic::AtomicU64,
    map: std::sync::Mutex<SessionMap>,
}

/// Empties the session cache when dropped, after the change it guards
/// (committed or not), and once before it.
pub(crate) struct Forget<'a>(&'a SessionCache);

impl Drop for Forget<'_> {
    fn drop(&mut self) {
        self.0.clear();
    }
}

impl SessionCache {
    fn generation(&self) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::SeqCst)
    }

    fn clear(&self) {
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        self.generation.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        map.clear();
    }

    fn changing(&self) -> Forget<'_> {
        self.clear();
        Forget(self)
    }

    fn get(&self, key: &(String, String), now: i64) -> Option<CachedSession> {
        let map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        let (at, expires_at, v) = map.get(key)?;
        (at.elapsed().as_secs() < SESSION_CACHE_SECS && *expires_at > now).then(|| v.clone())
    }

    fn put(&self, key: (String, String), generation: u64, expires_at: i64, v: CachedSession) {
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        // A change since the read began: the row read may be the old one.
        if self.generation() != generation {
            return;
        }
        if map.len() >= SESSION_CACHE_MAX {
            map.clear();
        }
        map.insert(key, (std::time::Instant::now(), expires_at, v));
    }
}

pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the OS random source is available");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn token_hash(token: &str) -> String {
    let d = Sha256::digest(token.as_bytes());
    d.iter().map(|b| format!("{b:02x}")).collect()
}

fn check_username(u: &str) -> Result<String> {
    let u = u.trim().to_lowercase();
    let ok = (3..=32).contains(&u.len())
        && u.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'_' || b == b'-');
    if ok {
        Ok(u)
    } else {
        Err(StoreError::Conflict {
            code: ErrorCode::UsernameInvalid,
            field: "username",
        })
    }
}

fn check_password(p: &str) -> Result<()> {
    if p.chars().count() < MIN_PASSWORD_LEN || p.len() > 256 {
        return Err(StoreError::Conflict {
            code: ErrorCode::PasswordTooShort,
            field: "password",
        });
    }
    Ok(())
}

/// Password hashing runs on a few threads of its own, as many as the
/// machine has cores. Argon2 takes 19 MiB and a core per hash, so a storm
/// of logins (unknown usernames hash a dummy too) queues here instead of
/// taking the server's memory; and since glibc keeps a freed hash buffer in
/// the arena of the thread that used it, few fixed threads also mean few
/// such buffers (on the shared blocking pool, every new thread kept one).
struct Hashers {
    jobs: std::sync::Mutex<std::sync::mpsc::Sender<Box<dyn FnOnce() + Send>>>,
}

static HASHERS: std::sync::LazyLock<Hashers> = std::sync::LazyLock::new(|| {
    let (tx, rx) = std::sync::mpsc::channel::<Box<dyn FnOnce() + Send>>();
    let rx = std::sync::Arc::new(std::sync::Mutex::new(rx));
    for i in 0..std::thread::available_parallelism().map_or(2, |n| n.get()) {
        let rx = rx.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("kehoach-hash-{i}"))
            .spawn(move || {
                loop {
                    let job = rx.lock().unwrap_or_else(|e| e.into_inner()).recv();
                    match job {
                        Ok(job) => job(),
                        Err(_) => return,
                    }
                }
            });
        if let Err(e) = spawned {
            tracing::error!(error = %e, "password hashing thread not started");
        }
    }
    Hashers {
        jobs: std::sync::Mutex::new(tx),
    }
});

/// Runs `f` on a hashing thread and waits for it without blocking the
/// async workers.
async fn on_hasher<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let job: Box<dyn FnOnce() + Send> = Box::new(move || {
        let _ = tx.send(f());
    });
    HASHERS.jobs.lock().unwrap_or_else(|e| e.into_inner()).send(job).ok()?;
    rx.await.ok()
}

pub(crate) async fn hash_password(p: String) -> Result<String> {
    on_hasher(move || {
        Argon2::default()
            .hash_password(p.as_bytes())
            .map(|h| h.to_string())
            .map_err(|_| StoreError::Unsupported("password hashing failed"))
    })
    .await
    .ok_or(StoreError::Unsupported("password hashing task failed"))?
}

async fn verify_password(p: String, phc: String) -> bool {
    on_hasher(move || {
        PasswordHash::new(&phc)
            .map(|h| Argon2::default().verify_password(p.as_bytes(), &h).is_ok())
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

impl Store {
    async fn check_user_unit(&self, plan_id: &str, role: Role, unit_id: &Option<String>) -> Result<()> {
        match unit_id {
            Some(u) => {
                self.unit(plan_id, u).await.map_err(|_| StoreError::Conflict {
                    code: ErrorCode::UnitUnknown,
                    field: "unit_id",
                })?;
            }
            None if role.needs_unit() => {
                return Err(StoreError::Conflict {
                    code: ErrorCode::UnitRequired,
                    field: "unit_id",
                });
            }
            None => {}
        }
        Ok(())
    }

    pub async fn count_users(&self, plan_id: &str) -> Result<i64> {
        let n: (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM users WHERE commune_id = (SELECT pc.commune_id FROM plans pc WHERE pc.id = $1)",
        )
        .bind(plan_id)
        .fetch_one(self.pool())
        .await?;
        Ok(n.0)
    }

    pub async fn create_user(&self, plan_id: &str, u: NewUser, now: i64) -> Result<UserRow> {
        let username = check_username(&u.username)?;
        let full_name = clean(&u.full_name);
        if full_name.is_empty() || full_name.chars().count() > 100 {
            return Err(StoreError::Conflict {
                code: ErrorCode::FullNameRequired,
                field: "full_name",
            });
        }
        check_password(&u.password)?;
        self.check_user_unit(plan_id, u.role, &u.unit_id).await?;
        let hash = hash_password(u.password).await?;
        let id = new_id();
        sqlx::query(
            "INSERT INTO users (id, commune_id, username, full_name, role, unit_id, password_hash, active, created_at, updated_at) \
             VALUES ($1, (SELECT pc.commune_id FROM plans pc WHERE pc.id = $2), $3, $4, $5, $6, $7, 1, $8, $8)",
        )
        .bind(&id)
        .bind(plan_id)
        .bind(&username)
        .bind(&full_name)
        .bind(u.role.as_str())
        .bind(u.unit_id)
        .bind(hash)
        .bind(now)
        .execute(self.pool())
        .await
        .map_err(|e| conflict_on_unique(e, ErrorCode::UsernameTaken, "username"))?;
        self.user(plan_id, &id).await
    }

    pub async fn user(&self, plan_id: &str, id: &str) -> Result<UserRow> {
        sqlx::query_as::<_, UserRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLS} FROM users WHERE commune_id = (SELECT pc.commune_id FROM plans pc WHERE pc.id = $1) AND id = $2"
        )))
        .bind(plan_id)
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound("user"))
    }

    pub async fn list_users(&self, plan_id: &str) -> Result<Vec<UserRow>> {
        Ok(sqlx::query_as::<_, UserRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLS} FROM users WHERE commune_id = (SELECT pc.commune_id FROM plans pc WHERE pc.id = $1) ORDER BY active DESC, role, username"
        )))
        .bind(plan_id)
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn update_user(&self, plan_id: &str, id: &str, p: UserPatch, now: i64) -> Result<UserRow> {
        let cur = self.user(plan_id, id).await?;
        let full_name = match p.full_name {
            Some(n) => {
                let n = clean(&n);
                if n.is_empty() || n.chars().count() > 100 {
                    return Err(StoreError::Conflict {
                        code: ErrorCode::FullNameRequired,
                        field: "full_name",
                    });
                }
                n
            }
            None => cur.full_name.clone(),
        };
        let role = p.role.unwrap_or(cur.role());
        let unit_id = p.unit_id.unwrap_or(cur.unit_id.clone());
        self.check_user_unit(plan_id, role, &unit_id).await?;
        let active = p.active.unwrap_or(cur.active != 0);
        let email = match p.email {
            Some(Some(e)) => Some(check_email(&e)?),
            Some(None) => None,
            None => cur.email.clone(),
        };
        // The plan must keep one active coordinator, or nobody can administer it.
        if cur.role() == Role::Coordinator && cur.active != 0 && (role != Role::Coordinator || !active) {
            let (n,): (i64,) =
                sqlx::query_as("SELECT COUNT(*) FROM users WHERE commune_id = (SELECT pc.commune_id FROM plans pc WHERE pc.id = $1) AND role = 'coordinator' AND active = 1")
                    .bind(plan_id)
                    .fetch_one(self.pool())
                    .await?;
            if n <= 1 {
                return Err(StoreError::Conflict {
                    code: ErrorCode::LastCoordinator,
                    field: "role",
                });
            }
        }
        // Hash before the write lock is taken (a hash takes a core for ~0,1 s).
        let new_hash = match p.password {
            Some(pw) => {
                check_password(&pw)?;
                Some(hash_password(pw).await?)
            }
            None => None,
        };
        let _forget = self.sessions.changing();
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "UPDATE users SET full_name = $1, role = $2, unit_id = $3, active = $4, updated_at = $5, email = $6 WHERE id = $7",
        )
        .bind(&full_name)
        .bind(role.as_str())
        .bind(unit_id)
        .bind(active as i64)
        .bind(now)
        .bind(email)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if let Some(hash) = new_hash {
            sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
                .bind(hash)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            // A session stolen before the change ends with it.
            sqlx::query("DELETE FROM auth_sessions WHERE user_id = $1 AND csrf_token <> $2")
                .bind(id)
                .bind(p.keep_session_csrf.as_deref().unwrap_or(""))
                .execute(&mut *tx)
                .await?;
        }
        if !active || p.role.is_some() {
            // A changed role or a deactivated account takes effect at once.
            sqlx::query("DELETE FROM auth_sessions WHERE user_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        self.user(plan_id, id).await
    }

    /// Checks a username and password among one commune's accounts (its
    /// plan in use); `None` for any mismatch or an inactive account. The
    /// same username in another commune is another account.
    pub async fn check_login(&self, plan_id: &str, username: &str, password: &str) -> Result<Option<UserRow>> {
        let username = username.trim().to_lowercase();
        let row: Option<(String, String, i64)> =
            sqlx::query_as("SELECT id, password_hash, active FROM users WHERE commune_id = (SELECT pc.commune_id FROM plans pc WHERE pc.id = $1) AND username = $2")
                .bind(plan_id)
                .bind(&username)
                .fetch_optional(self.pool())
                .await?;
        let Some((id, hash, active)) = row else {
            // Same work as a real check, so timing does not reveal usernames.
            let _ = verify_password(password.to_string(), DUMMY_HASH.to_string()).await;
            return Ok(None);
        };
        if !verify_password(password.to_string(), hash).await || active == 0 {
            return Ok(None);
        }
        Ok(Some(self.user(plan_id, &id).await?))
    }

    /// Opens a login session; returns (session token, CSRF token).
    pub async fn create_session(&self, user_id: &str, now: i64) -> Result<(String, String)> {
        let token = random_token();
        let csrf = random_token();
        // Expired sessions go as new ones come.
        sqlx::query("DELETE FROM auth_sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(self.pool())
            .await?;
        sqlx::query("INSERT INTO auth_sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(token_hash(&token))
            .bind(user_id)
            .bind(&csrf)
            .bind(now)
            .bind(now + SESSION_TTL_SECS)
            .execute(self.pool())
            .await?;
        Ok((token, csrf))
    }

    /// The active user of a session token and the session's CSRF token (one
    /// query: every request asks), only if the account is of this commune's
    /// plan: a session of another commune is no session here.
    pub async fn session_user(&self, plan_id: &str, token: &str, now: i64) -> Result<Option<(UserRow, String)>> {
        let key = (token_hash(token), plan_id.to_string());
        if let Some(hit) = self.sessions.get(&key, now) {
            return Ok(Some(hit));
        }
        let generation = self.sessions.generation();
        let row = sqlx::query(
            "SELECT u.id, u.commune_id, u.username, u.full_name, u.role, u.unit_id, u.active, u.email, s.csrf_token, s.expires_at \
             FROM auth_sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.active = 1 AND u.commune_id = (SELECT pc.commune_id FROM plans pc WHERE pc.id = $3)",
        )
        .bind(token_hash(token))
        .bind(now)
        .bind(plan_id)
        .fetch_optional(self.pool())
        .await?;
        let Some(r) = row else { return Ok(None) };
        use sqlx::Row;
        let user = UserRow {
            id: r.try_get(0)?,
            commune_id: r.try_get(1)?,
            username: r.try_get(2)?,
            full_name: r.try_get(3)?,
            role: r.try_get(4)?,
            unit_id: r.try_get(5)?,
            active: r.try_get(6)?,
            email: r.try_get(7)?,
        };
        let csrf: String = r.try_get(8)?;
        let expires_at: i64 = r.try_get(9)?;
        self.sessions
            .put(key, generation, expires_at, (user.clone(), csrf.clone()));
        Ok(Some((user, csrf)))
    }

    pub async fn delete_session(&self, token: &str) -> Result<()> {
        let _forget = self.sessions.changing();
        sqlx::query("DELETE FROM auth_sessions WHERE token_hash = $1")
            .bind(token_hash(token))
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Creates a one-time invite (or, with no creator, the first-coordinator
    /// setup link). Returns the token to put in the link.
    pub async fn create_invite(&self, plan_id: &str, inv: NewInvite, now: i64) -> Result<String> {
        self.check_user_unit(plan_id, inv.role, &inv.unit_id).await?;
        let token = random_token();
        sqlx::query(
            "INSERT INTO invites (token_hash, commune_id, role, unit_id, note, created_by, created_at, expires_at) \
             VALUES ($1, (SELECT pc.commune_id FROM plans pc WHERE pc.id = $2), $3, $4, $5, $6, $7, $8)",
        )
        .bind(token_hash(&token))
        .bind(plan_id)
        .bind(inv.role.as_str())
        .bind(inv.unit_id)
        .bind(inv.note.map(|n| clean(&n)).filter(|n| !n.is_empty()))
        .bind(inv.created_by)
        .bind(now)
        .bind(now + inv.ttl_secs)
        .execute(self.pool())
        .await?;
        Ok(token)
    }

    /// The plan's invites made by coordinators (not the setup link), newest first.
    pub async fn list_invites(&self, plan_id: &str) -> Result<Vec<InviteListRow>> {
        Ok(sqlx::query_as(
            "SELECT i.token_hash AS id, i.role, i.unit_id, i.note, i.created_at, i.expires_at, i.used_at, u.full_name AS used_by_name \
             FROM invites i LEFT JOIN users u ON u.id = i.used_by \
             WHERE i.commune_id = (SELECT pc.commune_id FROM plans pc WHERE pc.id = $1) AND i.created_by IS NOT NULL ORDER BY i.created_at DESC, i.token_hash LIMIT 200",
        )
        .bind(plan_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Ends an unused invite at once. Returns it (to re-issue one like it),
    /// or None when there is no such unused invite.
    pub async fn revoke_invite(&self, plan_id: &str, id: &str, now: i64) -> Result<Option<InviteListRow>> {
        let mut tx = self.write_tx().await?;
        let row: Option<InviteListRow> = sqlx::query_as(
            "SELECT token_hash AS id, role, unit_id, note, created_at, expires_at, used_at, NULL AS used_by_name \
             FROM invites WHERE commune_id = (SELECT pc.commune_id FROM plans pc WHERE pc.id = $1) AND token_hash = $2 AND created_by IS NOT NULL AND used_at IS NULL",
        )
        .bind(plan_id)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        if row.is_some() {
            sqlx::query("UPDATE invites SET expires_at = $1 WHERE token_hash = $2 AND expires_at > $1")
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(row)
    }

    /// A usable invite of this commune's plan: not used, not expired.
    pub async fn invite(&self, plan_id: &str, token: &str, now: i64) -> Result<Option<InviteRow>> {
        Ok(sqlx::query_as::<_, InviteRow>(
            "SELECT commune_id, role, unit_id, note, expires_at, used_at FROM invites \
             WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 AND commune_id = (SELECT pc.commune_id FROM plans pc WHERE pc.id = $3)",
        )
        .bind(token_hash(token))
        .bind(now)
        .bind(plan_id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Creates the account an invite is for and spends the invite, atomically:
    /// two uses of the same link create one account.
    pub async fn accept_invite(
        &self,
        plan_id: &str,
        token: &str,
        username: &str,
        full_name: &str,
        password: &str,
        now: i64,
    ) -> Result<UserRow> {
        let inv = self.invite(plan_id, token, now).await?.ok_or(StoreError::Conflict {
            code: ErrorCode::InviteInvalid,
            field: "token",
        })?;
        let role = Role::parse(&inv.role).ok_or(StoreError::Conflict {
            code: ErrorCode::InviteInvalid,
            field: "token",
        })?;
        let claimed = sqlx::query("UPDATE invites SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL")
            .bind(now)
            .bind(token_hash(token))
            .execute(self.pool())
            .await?;
        if claimed.rows_affected() != 1 {
            return Err(StoreError::Conflict {
                code: ErrorCode::InviteInvalid,
                field: "token",
            });
        }
        let created = self
            .create_user(
                plan_id,
                NewUser {
                    username: username.into(),
                    full_name: full_name.into(),
                    role,
                    unit_id: inv.unit_id.clone(),
                    password: password.into(),
                },
                now,
            )
            .await;
        match created {
            Ok(user) => {
                sqlx::query("UPDATE invites SET used_by = $1 WHERE token_hash = $2")
                    .bind(&user.id)
                    .bind(token_hash(token))
                    .execute(self.pool())
                    .await?;
                Ok(user)
            }
            Err(e) => {
                // Bad form input: give the link back so the person can correct it.
                sqlx::query("UPDATE invites SET used_at = NULL WHERE token_hash = $1 AND used_by IS NULL")
                    .bind(token_hash(token))
                    .execute(self.pool())
                    .await?;
                Err(e)
            }
        }
    }

    /// Whether any setup link (invite without creator) is still usable.
    pub async fn pending_setup(&self, plan_id: &str, now: i64) -> Result<bool> {
        Ok(sqlx::query("SELECT token_hash FROM invites WHERE commune_id = (SELECT pc.commune_id FROM plans pc WHERE pc.id = $1) AND created_by IS NULL AND used_at IS NULL AND expires_at > $2")
            .bind(plan_id)
            .bind(now)
            .fetch_optional(self.pool())
            .await?
            .is_some())
    }
}

/// A valid argon2id hash of a random string, for constant-work failed logins.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$3bZ3mN5X3QkO0v8tC8p0o8r2K2vT9bqgkJ2Yv6hN8mA";

impl Store {
    /// Links an account to its owner's entry in the youth-union roster, so
    /// that the turns this account records count toward T2 for that member.
    pub async fn link_user_person(
        &self,
        plan_id: &str,
        user_id: &str,
        person_id: Option<&str>,
        now: i64,
    ) -> Result<()> {
        self.user(plan_id, user_id).await?;
        if let Some(pid) = person_id {
            let p = self.person(plan_id, pid).await.map_err(|_| StoreError::Conflict {
                code: ErrorCode::PersonUnknown,
                field: "person_id",
            })?;
            if p.roster != "youth_members" {
                return Err(StoreError::Conflict {
                    code: ErrorCode::PersonNotMember,
                    field: "person_id",
                });
            }
        }
        // The turns this account recorded move from the old person's reach to the new one's.
        let mut tx = self.write_tx().await?;
        let old: Option<String> = sqlx::query_scalar("SELECT person_id FROM users WHERE commune_id = (SELECT pc.commune_id FROM plans pc WHERE pc.id = $1) AND id = $2")
            .bind(plan_id)
            .bind(user_id)
            .fetch_one(&mut *tx)
            .await?;
        sqlx::query("UPDATE users SET person_id = $1, updated_at = $2 WHERE commune_id = (SELECT pc.commune_id FROM plans pc WHERE pc.id = $3) AND id = $4")
            .bind(person_id.map(str::to_string))
            .bind(now)
            .bind(plan_id)
            .bind(user_id)
            .execute(&mut *tx)
            .await
            .map_err(|e| crate::conflict_on_unique(e, ErrorCode::PersonAlreadyLinked, "person_id"))?;
        for p in old.iter().map(String::as_str).chain(person_id) {
            crate::facts::refresh_reach(&mut tx, crate::facts::Whose::Person(p)).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Accounts linked to roster entries: (user id, person id).
    pub async fn user_people(&self, plan_id: &str) -> Result<Vec<(String, String)>> {
        Ok(
            sqlx::query_as("SELECT id, person_id FROM users WHERE commune_id = (SELECT pc.commune_id FROM plans pc WHERE pc.id = $1) AND person_id IS NOT NULL ORDER BY id")
                .bind(plan_id)
                .fetch_all(self.pool())
                .await?,
        )
    }
}

/// A plausible email address (one @, a dot in the domain, no spaces), NFC,
/// at most 254 characters; the SMTP server has the last word.
fn check_email(raw: &str) -> Result<String> {
    let e = clean(raw);
    let ok = e.chars().count() <= 254
        && !e.chars().any(char::is_whitespace)
        && e.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if ok {
        Ok(e)
    } else {
        Err(StoreError::Conflict {
            code: ErrorCode::EmailInvalid,
            field: "email",
        })
    }
}
