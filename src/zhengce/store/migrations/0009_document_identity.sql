-- 0009: one identity per document (store/identity.py).
--
-- `uid` is assigned once, at first ingest, from the source's content and the
-- document's place in it; a re-ingest of the same file, or a new version of
-- the same document, inherits it.  Rule ids, register keys and reviews hang on
-- it, so no other document can ever take them over (before, they hung on the
-- 发文字号 and the node id: an excerpt with the same 发文字号 replaced the
-- original's rules).  Rows stored before this migration get their uid from the
-- store on open (Python: SQL has no portable hash), which also rewrites the
-- reviewed rule ids and register keys that named the old identity.
ALTER TABLE documents ADD COLUMN uid TEXT;
ALTER TABLE documents ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE documents ADD COLUMN is_current INTEGER NOT NULL DEFAULT 1;  -- 1: the version in force
ALTER TABLE documents ADD COLUMN relation TEXT;       -- NULL | excerpt | same_number
ALTER TABLE documents ADD COLUMN related_uid TEXT;
CREATE INDEX documents_uid ON documents (uid);
ALTER TABLE rule_reviews ADD COLUMN doc_uid TEXT;
