-- Extraction records, re-derived whenever their document is (re-)ingested.
CREATE TABLE extractions (
    doc_id     INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    type       TEXT NOT NULL,
    node_id    TEXT NOT NULL,
    quote      TEXT NOT NULL,
    span_start INTEGER NOT NULL,
    span_end   INTEGER NOT NULL,
    line_start INTEGER NOT NULL,
    line_end   INTEGER NOT NULL,
    fields     TEXT NOT NULL,           -- JSON object: the type's own fields
    PRIMARY KEY (doc_id, seq)
);
CREATE INDEX extractions_type ON extractions (type, doc_id);
