-- 0007: files attached to what departments report (zhengce.monitor.attachments):
-- the evidence of an indicator's actual value (indicator, year, version) or of
-- a task's progress report (task, version).  The bytes live in the database
-- ({{BLOB}}: SQLite BLOB, PostgreSQL BYTEA) so a backup of the database is a
-- backup of the evidence; `sha256` and `size` describe them without reading them.
CREATE TABLE monitor_attachments (
    id           {{ID_PK}},
    item_kind    TEXT NOT NULL,          -- indicator | task
    item_id      INTEGER NOT NULL,
    year         INTEGER,                -- the actual's year (indicators); null for tasks
    version      INTEGER NOT NULL,       -- the report version the file belongs to
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    data         {{BLOB}} NOT NULL,
    uploaded_by  TEXT NOT NULL,
    uploaded_at  TEXT NOT NULL
);
CREATE INDEX monitor_attachments_item ON monitor_attachments (item_kind, item_id, year, version);
