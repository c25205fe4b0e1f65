-- Reminders from the coordinator to a unit's users (board, part 5), and who
-- has read them. A reminder is logged on its unit; its id is made by the
-- client, so a retried send is stored once.
CREATE TABLE reminders (
    id TEXT PRIMARY KEY,
    plan_id TEXT NOT NULL REFERENCES plans(id),
    unit_id TEXT NOT NULL REFERENCES units(id),
    target_id TEXT,
    as_of TEXT,
    message TEXT NOT NULL,
    sent_by TEXT NOT NULL REFERENCES users(id),
    sent_at BIGINT NOT NULL,
    -- Active accounts of the unit when it was sent, and how many of them
    -- had an email address the SMTP server accepted.
    recipients BIGINT NOT NULL,
    emailed BIGINT NOT NULL DEFAULT 0,
    email_note TEXT
);
CREATE INDEX reminders_unit ON reminders (plan_id, unit_id, sent_at);

CREATE TABLE reminder_reads (
    reminder_id TEXT NOT NULL REFERENCES reminders(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    read_at BIGINT NOT NULL,
    PRIMARY KEY (reminder_id, user_id)
);

-- An optional address for reminders by email (Decree 13/2023: only what
-- the reminders need; empty by default).
ALTER TABLE users ADD COLUMN email TEXT;
