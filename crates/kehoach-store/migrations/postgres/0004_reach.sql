-- Aggregates that make the board one short indexed read per kind of figure
-- (src/aggregates.rs keeps them in step with every write; a test rebuilds
-- them from scratch and compares).

-- Live held sessions per line, unit, class ('' for none), kind and day.
CREATE TABLE session_daily (
    plan_id TEXT NOT NULL REFERENCES plans(id),
    line_id TEXT NOT NULL,
    unit_id TEXT NOT NULL REFERENCES units(id),
    class_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    day TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (plan_id, day, line_id, unit_id, class_id, kind)
);

-- Which first records reach a person for each roster-coverage target: a
-- line, a source (as in person_first), the target's roster and window.
-- Written from the plan file when the plan is loaded.
CREATE TABLE reach_rules (
    plan_id TEXT NOT NULL REFERENCES plans(id),
    target_id TEXT NOT NULL,
    roster TEXT NOT NULL,
    line_id TEXT NOT NULL,
    source TEXT NOT NULL,
    from_day TEXT NOT NULL,
    to_day TEXT NOT NULL,
    PRIMARY KEY (plan_id, target_id, line_id, source)
);

-- An active rostered person's first day counted for a target (within the
-- target's window), with the person's unit.
CREATE TABLE target_reach (
    plan_id TEXT NOT NULL REFERENCES plans(id),
    target_id TEXT NOT NULL,
    person_id TEXT NOT NULL REFERENCES roster_people(id),
    unit_id TEXT NOT NULL,
    first_day TEXT NOT NULL,
    PRIMARY KEY (person_id, target_id)
);
CREATE INDEX target_reach_read ON target_reach (plan_id, target_id, unit_id, first_day);

-- Covering indexes for the board's other reads.
CREATE INDEX turn_daily_read ON turn_daily (plan_id, day, line_id, unit_id, n);
CREATE INDEX roster_people_count ON roster_people (plan_id, active, roster, unit_id);
-- Exports select turns by period across all villages.
CREATE INDEX support_turns_day ON support_turns (plan_id, day);

INSERT INTO session_daily (plan_id, line_id, unit_id, class_id, kind, day, n)
SELECT plan_id, line_id, unit_id, COALESCE(class_id, ''), kind, day, COUNT(*) FROM sessions
WHERE status = 'held' AND deleted_at IS NULL
GROUP BY plan_id, line_id, unit_id, COALESCE(class_id, ''), kind, day;
DROP INDEX turn_daily_day;
