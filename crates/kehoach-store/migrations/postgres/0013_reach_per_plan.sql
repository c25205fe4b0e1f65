-- A commune's rostered people are shared by its plans, and plans reuse line
-- and target ids (the summer of 2027 has an l4 and a T3 as 2026 had): the
-- aggregates of who was reached when are kept per plan. Their keys gain
-- the plan (SQLite cannot change a primary key: the two tables are
-- rebuilt; their rows stay as they are).
CREATE TABLE person_first_p (
    plan_id TEXT NOT NULL REFERENCES plans(id),
    person_id TEXT NOT NULL REFERENCES roster_people(id),
    line_id TEXT NOT NULL,
    source TEXT NOT NULL,
    first_day TEXT NOT NULL,
    PRIMARY KEY (person_id, plan_id, line_id, source)
);
INSERT INTO person_first_p (plan_id, person_id, line_id, source, first_day)
SELECT plan_id, person_id, line_id, source, first_day FROM person_first;
DROP TABLE person_first;
ALTER TABLE person_first_p RENAME TO person_first;
CREATE INDEX person_first_plan ON person_first (plan_id, line_id, source, first_day);

CREATE TABLE target_reach_p (
    plan_id TEXT NOT NULL REFERENCES plans(id),
    target_id TEXT NOT NULL,
    person_id TEXT NOT NULL REFERENCES roster_people(id),
    unit_id TEXT NOT NULL,
    first_day TEXT NOT NULL,
    PRIMARY KEY (person_id, plan_id, target_id)
);
INSERT INTO target_reach_p (plan_id, target_id, person_id, unit_id, first_day)
SELECT plan_id, target_id, person_id, unit_id, first_day FROM target_reach;
DROP TABLE target_reach;
ALTER TABLE target_reach_p RENAME TO target_reach;
CREATE INDEX target_reach_read ON target_reach (plan_id, target_id, unit_id, first_day);
