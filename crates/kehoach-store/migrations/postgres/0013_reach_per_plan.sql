-- The aggregates of who was reached when are kept per plan: see
-- migrations/sqlite/0013_reach_per_plan.sql (PostgreSQL changes the keys
-- in place).
ALTER TABLE person_first DROP CONSTRAINT person_first_pkey;
ALTER TABLE person_first ADD PRIMARY KEY (person_id, plan_id, line_id, source);
ALTER TABLE target_reach DROP CONSTRAINT target_reach_pkey;
ALTER TABLE target_reach ADD PRIMARY KEY (person_id, plan_id, target_id);
