-- A plan's text may be replaced while it is in preparation: its revision
-- counts the replacements, so a parsed plan kept in memory is known stale
-- by a small read (the city's roll-up reads every commune's plan at once).
ALTER TABLE plans ADD COLUMN revision BIGINT NOT NULL DEFAULT 1;
