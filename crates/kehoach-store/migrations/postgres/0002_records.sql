-- kehoach schema v2 (PostgreSQL): records at the source. Keep in step with sqlite/0002_records.sql.
-- Records carry client-made ids (UUID v7): a retried or re-sent record is stored once.
-- Deletion is soft (deleted_at, deleted_by, delete_reason); figures count live rows only.

CREATE TABLE roster_people (
    id TEXT PRIMARY KEY,
    plan_id TEXT NOT NULL REFERENCES plans(id),
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
    UNIQUE (plan_id, dedup_key)
);
CREATE INDEX roster_people_unit ON roster_people (plan_id, roster, unit_id);
CREATE INDEX roster_people_name ON roster_people (plan_id, name_key);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    plan_id TEXT NOT NULL REFERENCES plans(id),
    line_id TEXT NOT NULL,
    unit_id TEXT NOT NULL REFERENCES units(id),
    class_id TEXT REFERENCES school_classes(id),
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    day TEXT NOT NULL,
    start_time TEXT,
    end_time TEXT,
    venue TEXT,
    topics TEXT NOT NULL DEFAULT '[]',
    headcount BIGINT,
    note TEXT,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    deleted_at BIGINT,
    deleted_by TEXT REFERENCES users(id),
    delete_reason TEXT
);
CREATE INDEX sessions_plan_day ON sessions (plan_id, day);
CREATE INDEX sessions_unit ON sessions (unit_id, day);

CREATE TABLE session_photos (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions(id),
    content_type TEXT NOT NULL,
    bytes BYTEA NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    deleted_at BIGINT
);
CREATE INDEX session_photos_session ON session_photos (session_id);

CREATE TABLE attendances (
    id TEXT PRIMARY KEY,
    plan_id TEXT NOT NULL REFERENCES plans(id),
    session_id TEXT NOT NULL REFERENCES sessions(id),
    person_id TEXT NOT NULL REFERENCES roster_people(id),
    method TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    deleted_at BIGINT,
    deleted_by TEXT REFERENCES users(id),
    delete_reason TEXT,
    UNIQUE (session_id, person_id)
);
CREATE INDEX attendances_person ON attendances (person_id);

CREATE TABLE support_turns (
    id TEXT PRIMARY KEY,
    plan_id TEXT NOT NULL REFERENCES plans(id),
    line_id TEXT NOT NULL,
    unit_id TEXT NOT NULL REFERENCES units(id),
    service TEXT NOT NULL,
    elderly INTEGER NOT NULL DEFAULT 0,
    day TEXT NOT NULL,
    recorded_at BIGINT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    deleted_at BIGINT,
    deleted_by TEXT REFERENCES users(id),
    delete_reason TEXT
);
CREATE INDEX support_turns_unit_day ON support_turns (plan_id, unit_id, day);
CREATE INDEX support_turns_creator ON support_turns (created_by);

CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    plan_id TEXT NOT NULL REFERENCES plans(id),
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    action TEXT NOT NULL,
    unit_id TEXT,
    user_id TEXT REFERENCES users(id),
    at BIGINT NOT NULL,
    detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);
CREATE INDEX audit_log_unit ON audit_log (plan_id, unit_id, at);

-- A volunteer or reporter may be a rostered youth-union member (T2).
ALTER TABLE users ADD COLUMN person_id TEXT REFERENCES roster_people(id);
CREATE UNIQUE INDEX users_person ON users (person_id);
