-- Contests (lines 7.1, 7.2): settings (made from the plan on first use,
-- then the coordinator's), entries from the public form, judges, recusals
-- and scores. Rubrics, categories and prizes are JSON arrays.
CREATE TABLE contests (
    plan_id TEXT NOT NULL REFERENCES plans(id),
    line_id TEXT NOT NULL,
    name TEXT NOT NULL,
    entries_from TEXT NOT NULL,
    entries_to TEXT NOT NULL,
    awards_by TEXT,
    categories TEXT NOT NULL,
    eligibility TEXT NOT NULL,
    prizes TEXT NOT NULL,
    criteria TEXT NOT NULL,
    work TEXT NOT NULL,
    locked_at BIGINT,
    published_at BIGINT,
    updated_by TEXT REFERENCES users(id),
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (plan_id, line_id)
);

-- An entry. `number` ("Bài số 3") is what judges see; the entrant's name,
-- group, affiliation and contact never reach them. `receipt` lets the
-- entrant check, replace or withdraw it. `duplicate_of`: an earlier live
-- entry of the same entrant with the same title.
CREATE TABLE contest_entries (
    id TEXT PRIMARY KEY,
    plan_id TEXT NOT NULL REFERENCES plans(id),
    line_id TEXT NOT NULL,
    number INTEGER NOT NULL,
    receipt TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    title_key TEXT NOT NULL,
    category TEXT,
    description TEXT NOT NULL,
    entrant_kind TEXT NOT NULL,
    entrant_name TEXT NOT NULL,
    entrant_key TEXT NOT NULL,
    members TEXT,
    unit_id TEXT REFERENCES units(id),
    affiliation TEXT,
    contact TEXT NOT NULL,
    link TEXT,
    file_name TEXT,
    file_type TEXT,
    file_bytes BYTEA,
    duplicate_of TEXT,
    status TEXT NOT NULL,
    prize TEXT,
    submitted_at BIGINT NOT NULL,
    submitted_day TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (plan_id, line_id, number)
);
CREATE INDEX contest_entries_line ON contest_entries (plan_id, line_id, status);

-- Rostered children/youth an entry is by (matched from their card codes): T8.
CREATE TABLE contest_entry_people (
    entry_id TEXT NOT NULL REFERENCES contest_entries(id),
    person_id TEXT NOT NULL REFERENCES roster_people(id),
    PRIMARY KEY (entry_id, person_id)
);

CREATE TABLE contest_judges (
    plan_id TEXT NOT NULL REFERENCES plans(id),
    line_id TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id),
    PRIMARY KEY (plan_id, line_id, user_id)
);

CREATE TABLE contest_recusals (
    entry_id TEXT NOT NULL REFERENCES contest_entries(id),
    judge_id TEXT NOT NULL REFERENCES users(id),
    reason TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (entry_id, judge_id)
);

-- A judge's scores for an entry: {criterion id: value}.
CREATE TABLE contest_scores (
    entry_id TEXT NOT NULL REFERENCES contest_entries(id),
    judge_id TEXT NOT NULL REFERENCES users(id),
    scores TEXT NOT NULL,
    comment TEXT,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (entry_id, judge_id)
);
