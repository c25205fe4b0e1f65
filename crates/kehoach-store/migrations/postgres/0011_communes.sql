-- Many communes on one server, many plans in a commune: see
-- migrations/sqlite/0011_communes.sql.
CREATE TABLE communes (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    province TEXT NOT NULL,
    host TEXT UNIQUE,
    created_at BIGINT NOT NULL
);
INSERT INTO communes (id, slug, name, province, host, created_at)
SELECT id, id, commune, '', NULL, created_at FROM plans;

ALTER TABLE plans ADD COLUMN commune_id TEXT REFERENCES communes(id);
ALTER TABLE plans ADD COLUMN status TEXT NOT NULL DEFAULT 'running';
UPDATE plans SET commune_id = id;
CREATE INDEX plans_commune ON plans (commune_id);

ALTER TABLE units RENAME COLUMN plan_id TO commune_id;
ALTER TABLE units DROP CONSTRAINT units_plan_id_fkey;
ALTER TABLE units ADD CONSTRAINT units_commune_id_fkey FOREIGN KEY (commune_id) REFERENCES communes(id);
ALTER INDEX units_plan_kind RENAME TO units_commune_kind;

ALTER TABLE users RENAME COLUMN plan_id TO commune_id;
ALTER TABLE users DROP CONSTRAINT users_plan_id_fkey;
ALTER TABLE users ADD CONSTRAINT users_commune_id_fkey FOREIGN KEY (commune_id) REFERENCES communes(id);
ALTER TABLE users DROP CONSTRAINT users_username_key;
ALTER TABLE users ADD CONSTRAINT users_commune_username UNIQUE (commune_id, username);

ALTER TABLE invites RENAME COLUMN plan_id TO commune_id;
ALTER TABLE invites DROP CONSTRAINT invites_plan_id_fkey;
ALTER TABLE invites ADD CONSTRAINT invites_commune_id_fkey FOREIGN KEY (commune_id) REFERENCES communes(id);

ALTER TABLE roster_people RENAME COLUMN plan_id TO commune_id;
ALTER TABLE roster_people DROP CONSTRAINT roster_people_plan_id_fkey;
ALTER TABLE roster_people ADD CONSTRAINT roster_people_commune_id_fkey FOREIGN KEY (commune_id) REFERENCES communes(id);
