-- The propaganda log (line 2): each broadcast, post or mobile propaganda
-- trip, by channel (the line's forms). A mobile trip in a village is also a
-- held propaganda session of that village (`session_id`), so the targets
-- that count sessions count it; broadcasts and posts are counted per channel.
CREATE TABLE propaganda_entries (
    id TEXT PRIMARY KEY,
    plan_id TEXT NOT NULL REFERENCES plans(id),
    line_id TEXT NOT NULL,
    channel TEXT NOT NULL,
    day TEXT NOT NULL,
    topic TEXT,
    link TEXT,
    note TEXT,
    unit_id TEXT REFERENCES units(id),
    session_id TEXT REFERENCES sessions(id),
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    deleted_at BIGINT
);
CREATE INDEX propaganda_day ON propaganda_entries (plan_id, day);
