-- Live support turns per account and day, kept in the same transactions as
-- the turns (like turn_daily): the summary report ranks volunteers by their
-- turns as of a date without scanning every turn.
CREATE TABLE turn_user_daily (
    plan_id TEXT NOT NULL REFERENCES plans(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    day TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (plan_id, user_id, day)
);
INSERT INTO turn_user_daily (plan_id, user_id, day, n)
SELECT plan_id, created_by, day, COUNT(*) FROM support_turns WHERE deleted_at IS NULL
GROUP BY plan_id, created_by, day;

-- Live support turns per line, service and day: the report's turns by service.
CREATE TABLE turn_service_daily (
    plan_id TEXT NOT NULL REFERENCES plans(id),
    line_id TEXT NOT NULL,
    service TEXT NOT NULL,
    day TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (plan_id, line_id, service, day)
);
INSERT INTO turn_service_daily (plan_id, line_id, service, day, n)
SELECT plan_id, line_id, service, day, COUNT(*) FROM support_turns WHERE deleted_at IS NULL
GROUP BY plan_id, line_id, service, day;
