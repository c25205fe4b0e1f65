-- Many communes on one server: see migrations/sqlite/0011_communes.sql.
CREATE TABLE communes (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    province TEXT NOT NULL,
    host TEXT UNIQUE,
    created_at BIGINT NOT NULL
);
ALTER TABLE plans ADD COLUMN commune_id TEXT REFERENCES communes(id);
CREATE INDEX plans_commune ON plans (commune_id);

-- Usernames are unique within a plan's commune, not across the server.
ALTER TABLE users DROP CONSTRAINT users_username_key;
ALTER TABLE users ADD CONSTRAINT users_plan_username UNIQUE (plan_id, username);
