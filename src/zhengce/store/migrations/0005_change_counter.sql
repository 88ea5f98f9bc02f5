-- 0005: one counter row that every write transaction bumps on PostgreSQL, so
-- a long-lived reader (the search engine) can notice another session's commit
-- with one cheap query (Database.change_token).  SQLite has PRAGMA
-- data_version for that and leaves the row alone; the table exists on both so
-- the schema stays the same.
CREATE TABLE store_changes (
    id INTEGER PRIMARY KEY,
    n  BIGINT NOT NULL
);
INSERT INTO store_changes (id, n) VALUES (1, 0);
