-- kehoach schema v1 (SQLite). Keep in step with migrations/postgres/0001_init.sql.
-- Portable types: ids TEXT, times BIGINT unix seconds, flags INTEGER 0/1.

CREATE TABLE plans (
    id TEXT PRIMARY KEY,
    commune TEXT NOT NULL,
    title TEXT NOT NULL,
    source_toml TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL
);

CREATE TABLE units (
    id TEXT PRIMARY KEY,
    plan_id TEXT NOT NULL REFERENCES plans(id),
    slug TEXT NOT NULL,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    short_name TEXT,
    kind TEXT NOT NULL,
    has_smart_classroom INTEGER NOT NULL DEFAULT 0,
    sample INTEGER NOT NULL DEFAULT 0,
    from_plan INTEGER NOT NULL DEFAULT 0,
    active INTEGER NOT NULL DEFAULT 1,
    updated_at BIGINT NOT NULL,
    UNIQUE (plan_id, slug)
);
CREATE INDEX units_plan_kind ON units (plan_id, kind);

CREATE TABLE unit_populations (
    unit_id TEXT NOT NULL REFERENCES units(id),
    population TEXT NOT NULL,
    value BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (unit_id, population)
);

CREATE TABLE school_classes (
    id TEXT PRIMARY KEY,
    unit_id TEXT NOT NULL REFERENCES units(id),
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    pupils BIGINT,
    active INTEGER NOT NULL DEFAULT 1,
    updated_at BIGINT NOT NULL,
    UNIQUE (unit_id, name_key)
);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    plan_id TEXT NOT NULL REFERENCES plans(id),
    username TEXT NOT NULL UNIQUE,
    full_name TEXT NOT NULL,
    role TEXT NOT NULL,
    unit_id TEXT REFERENCES units(id),
    password_hash TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE auth_sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX auth_sessions_user ON auth_sessions (user_id);

CREATE TABLE invites (
    token_hash TEXT PRIMARY KEY,
    plan_id TEXT NOT NULL REFERENCES plans(id),
    role TEXT NOT NULL,
    unit_id TEXT REFERENCES units(id),
    note TEXT,
    created_by TEXT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    used_by TEXT REFERENCES users(id)
);
