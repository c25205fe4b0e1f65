-- The parts of the summary report the coordinator writes (assessment,
-- directions, proposals). Absent: the report uses its text built from the
-- figures. Changes are logged in audit_log.
CREATE TABLE report_texts (
    plan_id TEXT NOT NULL REFERENCES plans(id),
    section TEXT NOT NULL,
    body TEXT NOT NULL,
    updated_by TEXT NOT NULL REFERENCES users(id),
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (plan_id, section)
);
