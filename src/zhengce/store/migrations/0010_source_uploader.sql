-- 0010: who uploaded a source (web uploads), so that a department may delete only what it (or a
-- colleague of one of its units) uploaded; NULL for files ingested by the operator (CLI, corpus),
-- which only admins may delete.
ALTER TABLE sources ADD COLUMN uploaded_by TEXT;
