-- no-transaction
-- Many communes on one server. A commune has its own address (host name),
-- accounts, units, rosters, plans and records; its plan in use keys every
-- record, so a commune's pages and API only ever read its own rows.
-- Existing plans get their commune at start-up (Store::migrate), from the
-- plan file's commune name.
--
-- Usernames become unique within a plan's commune instead of the whole
-- server: the users table is rebuilt (SQLite cannot drop an inline UNIQUE),
-- following SQLite's documented procedure, with foreign keys off and
-- checked before the commit.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;

CREATE TABLE communes (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    province TEXT NOT NULL,
    -- NULL: the server's first commune, served on every host no other claims.
    host TEXT UNIQUE,
    created_at BIGINT NOT NULL
);
ALTER TABLE plans ADD COLUMN commune_id TEXT REFERENCES communes(id);
CREATE INDEX plans_commune ON plans (commune_id);

CREATE TABLE users_by_plan (
    id TEXT PRIMARY KEY,
    plan_id TEXT NOT NULL REFERENCES plans(id),
    username TEXT NOT NULL,
    full_name TEXT NOT NULL,
    role TEXT NOT NULL,
    unit_id TEXT REFERENCES units(id),
    password_hash TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    person_id TEXT REFERENCES roster_people(id),
    email TEXT,
    UNIQUE (plan_id, username)
);
INSERT INTO users_by_plan (id, plan_id, username, full_name, role, unit_id, password_hash, active, created_at, updated_at, person_id, email)
SELECT id, plan_id, username, full_name, role, unit_id, password_hash, active, created_at, updated_at, person_id, email FROM users;
DROP TABLE users;
ALTER TABLE users_by_plan RENAME TO users;
CREATE UNIQUE INDEX users_person ON users (person_id);

COMMIT;
PRAGMA foreign_keys = ON;
