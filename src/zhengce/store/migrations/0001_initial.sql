-- 0001: sources, the documents found in them, and what each document is made of.
--
-- Written in the subset of SQL that SQLite and PostgreSQL share, so a second
-- backend can run the same files.  The only dialect-specific piece is the
-- {{ID_PK}} token (an auto-assigned, never-reused integer key), which the
-- dialect substitutes before running the script.  JSON goes into TEXT columns:
-- readable from any client, and a backend can switch to jsonb in its own
-- migration if it ever needs to query inside it.  Column names avoid SQL
-- reserved words (END, OFFSET), hence span_start/span_end and source_offset.

CREATE TABLE sources (
    id          {{ID_PK}},
    path        TEXT NOT NULL UNIQUE,   -- one stored version per path: a new version replaces it
    sha256      TEXT NOT NULL UNIQUE,   -- of the decoded text; equal hash = nothing to do
    format      TEXT NOT NULL,
    encoding    TEXT,
    text        TEXT NOT NULL,          -- full decoded text, so original lines can be shown
    ingested_at TEXT NOT NULL           -- ISO 8601 UTC, written by the application
);

CREATE TABLE documents (
    id             {{ID_PK}},
    source_id      INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    seq            INTEGER NOT NULL,    -- position within the source
    title          TEXT,
    title_key      TEXT,                -- normalised title, for reference lookup
    doc_number     TEXT,
    doc_number_key TEXT,                -- normalised 发文字号 (brackets, width, spaces)
    issuer         TEXT,
    date           TEXT,
    text           TEXT NOT NULL,
    char_count     INTEGER NOT NULL,    -- kept so listings need not read the text
    content_hash   TEXT NOT NULL,
    line_start     INTEGER NOT NULL,
    line_end       INTEGER NOT NULL,
    format         TEXT NOT NULL,
    elements       TEXT NOT NULL,       -- JSON object
    toc            TEXT NOT NULL,       -- JSON array
    char_map       TEXT NOT NULL,       -- JSON array of [text offset, line, column]
    UNIQUE (source_id, seq)
);
CREATE INDEX documents_doc_number_key ON documents (doc_number_key);
CREATE INDEX documents_title_key ON documents (title_key);
CREATE INDEX documents_content_hash ON documents (content_hash);

CREATE TABLE nodes (
    doc_id     INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    node_id    TEXT NOT NULL,
    seq        INTEGER NOT NULL,        -- document order (a PK does not keep order)
    parent     TEXT,
    kind       TEXT NOT NULL,
    label      TEXT,
    title      TEXT,
    text       TEXT NOT NULL,
    span_start INTEGER NOT NULL,
    span_end   INTEGER NOT NULL,
    line_start INTEGER NOT NULL,
    line_end   INTEGER NOT NULL,
    attrs      TEXT NOT NULL,           -- JSON object
    PRIMARY KEY (doc_id, node_id)
);
CREATE INDEX nodes_doc_kind ON nodes (doc_id, kind);

CREATE TABLE repairs (
    doc_id    INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    seq       INTEGER NOT NULL,         -- keeps the report in pass order
    pass_name TEXT NOT NULL,
    count     INTEGER NOT NULL,
    PRIMARY KEY (doc_id, pass_name)
);

CREATE TABLE notes (
    doc_id        INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    seq           INTEGER NOT NULL,
    kind          TEXT NOT NULL,
    text          TEXT NOT NULL,
    line          INTEGER NOT NULL,
    source_offset INTEGER,
    PRIMARY KEY (doc_id, seq)
);
CREATE INDEX notes_doc_kind ON notes (doc_id, kind);
