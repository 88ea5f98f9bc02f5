-- 0008: which extractor version made each document's extraction records.
-- A newer zhengce re-derives the records of documents made by an older one
-- (zhengce ingest does it for everything stored), so improvements reach
-- documents whose files have not changed.  Documents stored before this
-- table have no row: they count as made by an older version.
CREATE TABLE extraction_runs (
    doc_id  INTEGER PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
    version INTEGER NOT NULL
);
