-- Aggregates the board reads instead of scanning every record, kept up to
-- date in the same transaction as the records they summarise
-- (src/aggregates.rs); `kehoach` tests rebuild them from scratch and compare.

-- Live support turns per unit, line and day.
CREATE TABLE turn_daily (
    plan_id TEXT NOT NULL REFERENCES plans(id),
    unit_id TEXT NOT NULL REFERENCES units(id),
    line_id TEXT NOT NULL,
    day TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (plan_id, unit_id, line_id, day)
);
CREATE INDEX turn_daily_day ON turn_daily (plan_id, day);

-- A rostered person's first live record per line and source: `turn` (turns
-- by the account linked to the person) or a session kind (attendance at a
-- held, live session of that kind).
CREATE TABLE person_first (
    plan_id TEXT NOT NULL REFERENCES plans(id),
    person_id TEXT NOT NULL REFERENCES roster_people(id),
    line_id TEXT NOT NULL,
    source TEXT NOT NULL,
    first_day TEXT NOT NULL,
    PRIMARY KEY (person_id, line_id, source)
);
CREATE INDEX person_first_plan ON person_first (plan_id, line_id, source, first_day);

INSERT INTO turn_daily (plan_id, unit_id, line_id, day, n)
SELECT plan_id, unit_id, line_id, day, COUNT(*) FROM support_turns WHERE deleted_at IS NULL
GROUP BY plan_id, unit_id, line_id, day;

INSERT INTO person_first (plan_id, person_id, line_id, source, first_day)
SELECT a.plan_id, a.person_id, s.line_id, s.kind, MIN(s.day)
FROM attendances a JOIN sessions s ON s.id = a.session_id
WHERE a.deleted_at IS NULL AND s.deleted_at IS NULL AND s.status = 'held'
GROUP BY a.plan_id, a.person_id, s.line_id, s.kind;

INSERT INTO person_first (plan_id, person_id, line_id, source, first_day)
SELECT t.plan_id, u.person_id, t.line_id, 'turn', MIN(t.day)
FROM support_turns t JOIN users u ON u.id = t.created_by
WHERE t.deleted_at IS NULL AND u.person_id IS NOT NULL
GROUP BY t.plan_id, u.person_id, t.line_id;
