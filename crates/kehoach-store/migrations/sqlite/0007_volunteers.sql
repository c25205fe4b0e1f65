-- Volunteer teams (đội hình thanh niên tình nguyện) and their shifts in the
-- villages (line 3). A member signs up for a shift; `taken` counts the
-- sign-ups so a shift is never over-filled (the sign-up raises it only while
-- it is below `places`, in the same transaction).
CREATE TABLE teams (
    id TEXT PRIMARY KEY,
    plan_id TEXT NOT NULL REFERENCES plans(id),
    name TEXT NOT NULL,
    leader_person_id TEXT REFERENCES roster_people(id),
    -- The day the team was launched at the launch event (line 1).
    launched_on TEXT,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    UNIQUE (plan_id, name)
);

-- The villages a team is assigned to.
CREATE TABLE team_villages (
    team_id TEXT NOT NULL REFERENCES teams(id),
    unit_id TEXT NOT NULL REFERENCES units(id),
    PRIMARY KEY (team_id, unit_id)
);

CREATE TABLE team_members (
    team_id TEXT NOT NULL REFERENCES teams(id),
    person_id TEXT NOT NULL REFERENCES roster_people(id),
    PRIMARY KEY (team_id, person_id)
);

CREATE TABLE shifts (
    id TEXT PRIMARY KEY,
    plan_id TEXT NOT NULL REFERENCES plans(id),
    team_id TEXT REFERENCES teams(id),
    unit_id TEXT NOT NULL REFERENCES units(id),
    day TEXT NOT NULL,
    start_time TEXT NOT NULL,
    end_time TEXT NOT NULL,
    places BIGINT NOT NULL,
    taken BIGINT NOT NULL DEFAULT 0,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    deleted_at BIGINT
);
CREATE INDEX shifts_day ON shifts (plan_id, day);

CREATE TABLE shift_signups (
    shift_id TEXT NOT NULL REFERENCES shifts(id),
    person_id TEXT NOT NULL REFERENCES roster_people(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (shift_id, person_id)
);
CREATE INDEX shift_signups_person ON shift_signups (person_id);

-- Shift reminders emailed the day before: once per member and shift.
CREATE TABLE shift_reminders_sent (
    shift_id TEXT NOT NULL REFERENCES shifts(id),
    person_id TEXT NOT NULL REFERENCES roster_people(id),
    sent_at BIGINT NOT NULL,
    PRIMARY KEY (shift_id, person_id)
);
