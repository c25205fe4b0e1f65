-- no-transaction
-- Many communes on one server, many plans in a commune. A commune has its
-- own address (host name), accounts, units and rosters, shared by its
-- plans; records belong to a plan. Until now a plan held its units,
-- accounts, invites and rosters: those now belong to the plan's commune.
--
-- An existing database's plan becomes its commune's first plan, and the
-- commune takes the plan's id, so the rows moved keep their values; the
-- commune's name and slug are filled in at start-up (Store::migrate) from
-- the plan file. SQLite cannot change a column's reference or an inline
-- UNIQUE: the four tables are rebuilt, following SQLite's documented
-- procedure, with foreign keys off and checked before the commit.
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
INSERT INTO communes (id, slug, name, province, host, created_at)
SELECT id, id, commune, '', NULL, created_at FROM plans;

ALTER TABLE plans ADD COLUMN commune_id TEXT REFERENCES communes(id);
-- 'preparing', 'running' or 'closed' (read-only, its report still there).
ALTER TABLE plans ADD COLUMN status TEXT NOT NULL DEFAULT 'running';
UPDATE plans SET commune_id = id;
CREATE INDEX plans_commune ON plans (commune_id);

CREATE TABLE units_c (
    id TEXT PRIMARY KEY,
    commune_id TEXT NOT NULL REFERENCES communes(id),
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
    UNIQUE (commune_id, slug)
);
INSERT INTO units_c (id, commune_id, slug, name, name_key, short_name, kind, has_smart_classroom, sample, from_plan, active, updated_at)
SELECT id, plan_id, slug, name, name_key, short_name, kind, has_smart_classroom, sample, from_plan, active, updated_at FROM units;
DROP TABLE units;
ALTER TABLE units_c RENAME TO units;
CREATE INDEX units_commune_kind ON units (commune_id, kind);

CREATE TABLE users_c (
    id TEXT PRIMARY KEY,
    commune_id TEXT NOT NULL REFERENCES communes(id),
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
    UNIQUE (commune_id, username)
);
INSERT INTO users_c (id, commune_id, username, full_name, role, unit_id, password_hash, active, created_at, updated_at, person_id, email)
SELECT id, plan_id, username, full_name, role, unit_id, password_hash, active, created_at, updated_at, person_id, email FROM users;
DROP TABLE users;
ALTER TABLE users_c RENAME TO users;
CREATE UNIQUE INDEX users_person ON users (person_id);

CREATE TABLE invites_c (
    token_hash TEXT PRIMARY KEY,
    commune_id TEXT NOT NULL REFERENCES communes(id),
    role TEXT NOT NULL,
    unit_id TEXT REFERENCES units(id),
    note TEXT,
    created_by TEXT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    used_by TEXT REFERENCES users(id)
);
INSERT INTO invites_c (token_hash, commune_id, role, unit_id, note, created_by, created_at, expires_at, used_at, used_by)
SELECT token_hash, plan_id, role, unit_id, note, created_by, created_at, expires_at, used_at, used_by FROM invites;
DROP TABLE invites;
ALTER TABLE invites_c RENAME TO invites;

CREATE TABLE roster_people_c (
    id TEXT PRIMARY KEY,
    commune_id TEXT NOT NULL REFERENCES communes(id),
    roster TEXT NOT NULL,
    full_name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    birth_year INTEGER,
    unit_id TEXT NOT NULL REFERENCES units(id),
    class_id TEXT REFERENCES school_classes(id),
    dedup_key TEXT NOT NULL,
    card_code TEXT NOT NULL UNIQUE,
    active INTEGER NOT NULL DEFAULT 1,
    left_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (commune_id, dedup_key)
);
INSERT INTO roster_people_c (id, commune_id, roster, full_name, name_key, birth_year, unit_id, class_id, dedup_key, card_code, active, left_at, created_at, updated_at)
SELECT id, plan_id, roster, full_name, name_key, birth_year, unit_id, class_id, dedup_key, card_code, active, left_at, created_at, updated_at FROM roster_people;
DROP TABLE roster_people;
ALTER TABLE roster_people_c RENAME TO roster_people;
CREATE INDEX roster_people_unit ON roster_people (commune_id, roster, unit_id);
CREATE INDEX roster_people_name ON roster_people (commune_id, name_key);
CREATE INDEX roster_people_count ON roster_people (commune_id, active, roster, unit_id);

COMMIT;
PRAGMA foreign_keys = ON;
