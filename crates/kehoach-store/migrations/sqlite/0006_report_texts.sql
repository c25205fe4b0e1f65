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

-- Money per activity line for the report's budget section (đồng): the
-- estimate, what was spent and private contributions (xã hội hóa), entered
-- by the coordinator.
CREATE TABLE budget_lines (
    plan_id TEXT NOT NULL REFERENCES plans(id),
    line_id TEXT NOT NULL,
    estimate BIGINT,
    spent BIGINT,
    contributions BIGINT,
    updated_by TEXT NOT NULL REFERENCES users(id),
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (plan_id, line_id)
);
