-- 0004: 政策直达 — reviewed rules and saved enterprise profiles.
--
-- Machine rules are derived from the `extractions` table on every load and
-- are never stored.  What an officer reviewed is kept here, apart from the
-- documents: re-ingesting a document (which deletes and re-creates its
-- extractions) cannot touch it.  Rows are only ever added: a review of a rule
-- already reviewed is a new version, so nothing is overwritten silently and
-- the history stays readable.  `doc_ident` (发文字号, else the title) and
-- `quote` tie a review to its source clause; a rule whose clause no longer
-- holds the quote is reported stale when rules are loaded.
CREATE TABLE rule_reviews (
    rule_id     TEXT NOT NULL,          -- e.g. 吉政发〔2021〕14号:n19:2
    version     INTEGER NOT NULL,       -- 1, 2, … per rule
    doc_ident   TEXT NOT NULL,
    node_id     TEXT NOT NULL,
    quote       TEXT NOT NULL,          -- the source clause as reviewed
    status      TEXT NOT NULL,          -- approved | rejected | withdrawn (back to the machine rule)
    body        TEXT NOT NULL,          -- the rule as JSON (docs/match.md)
    reviewer    TEXT,
    note        TEXT,
    reviewed_at TEXT NOT NULL,          -- ISO 8601 UTC, written by the application
    PRIMARY KEY (rule_id, version)
);
CREATE INDEX rule_reviews_doc ON rule_reviews (doc_ident);

-- Enterprise profiles saved by name (the web form saves and reloads them).
CREATE TABLE match_profiles (
    id          {{ID_PK}},
    name        TEXT NOT NULL UNIQUE,
    body        TEXT NOT NULL,          -- the profile as JSON (docs/match.md)
    saved_at    TEXT NOT NULL
);
