-- 0003: the search index's durable half.  One row per indexed node with its
-- fields already segmented (space-separated terms), written by
-- zhengce.search.indexer after ingest and removed with the document by the
-- cascade.  The in-memory BM25 index is rebuilt from these rows, so
-- segmentation (the slow part) runs once per node, not once per process.
CREATE TABLE search_nodes (
    id        {{ID_PK}},                -- never reused: the in-memory index keys on it
    doc_id    INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    node_id   TEXT NOT NULL,
    kind      TEXT NOT NULL,
    path      TEXT NOT NULL,            -- e.g. 吉政发〔2021〕16号 › 二、 › （六）
    title     TEXT NOT NULL,            -- terms of the node's own title or heading
    lead      TEXT NOT NULL,            -- terms of its first sentence
    body      TEXT NOT NULL,            -- terms of the rest of its text
    context   TEXT NOT NULL,            -- terms of its ancestors' titles and the document title
    types     TEXT NOT NULL,            -- extraction types found in the node, space-separated
    places    TEXT NOT NULL,            -- canonical places named in the node, space-separated
    UNIQUE (doc_id, node_id)
);

-- Per document: what the search filters need, and the segmenter version the
-- rows were made with (a new version re-indexes them).
CREATE TABLE search_docs (
    doc_id    INTEGER PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
    year      INTEGER,
    region    TEXT,
    version   INTEGER NOT NULL
);

-- Identifies this database to an on-disk copy of the in-memory index (a cache
-- next to the file): a copy made from another database is never used.
CREATE TABLE search_meta (
    key       TEXT PRIMARY KEY,
    value     TEXT NOT NULL
);
