-- 0006: 规划实施监测 — the indicator and task registers, what departments
-- report against them, user accounts, sessions and the audit log
-- (zhengce.monitor, docs/monitoring.md).
--
-- Register rows are seeded from the `extractions` table but live apart from
-- it: re-ingesting a document (which re-creates its extractions) never
-- touches them.  `item_key` is the stable key of a machine suggestion
-- (document, place, indicator, unit, year), so re-seeding finds the same row
-- again; `body` is the entry as the register shows it (JSON), `machine` the
-- latest machine suggestion for comparison.  A reviewed row (review other
-- than 'suggested') is never overwritten by seeding.  `version` moves on
-- every change: writers compare it to refuse lost updates.
CREATE TABLE monitor_indicators (
    id          {{ID_PK}},
    item_key    TEXT NOT NULL UNIQUE,
    origin      TEXT NOT NULL,          -- machine | manual
    review      TEXT NOT NULL,          -- suggested | confirmed | edited | rejected | merged
    merged_into INTEGER,                -- for review = merged: the entry it was merged into
    body        TEXT NOT NULL,          -- JSON (docs/monitoring.md)
    machine     TEXT,                   -- JSON: the latest machine suggestion; null once no longer extracted
    stale       TEXT,                   -- why the cited clause no longer supports the entry (null: it does)
    version     INTEGER NOT NULL,
    reviewed_by TEXT,
    reviewed_at TEXT,
    created_at  TEXT NOT NULL,          -- ISO 8601 UTC, written by the application
    updated_at  TEXT NOT NULL
);
CREATE INDEX monitor_indicators_review ON monitor_indicators (review);

CREATE TABLE monitor_tasks (
    id          {{ID_PK}},
    item_key    TEXT NOT NULL UNIQUE,
    origin      TEXT NOT NULL,
    review      TEXT NOT NULL,
    merged_into INTEGER,
    body        TEXT NOT NULL,
    machine     TEXT,
    stale       TEXT,
    version     INTEGER NOT NULL,
    reviewed_by TEXT,
    reviewed_at TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX monitor_tasks_review ON monitor_tasks (review);

-- Every version of every register entry: what it was, who made it and when.
CREATE TABLE monitor_history (
    item_kind  TEXT NOT NULL,           -- indicator | task
    item_id    INTEGER NOT NULL,
    version    INTEGER NOT NULL,
    action     TEXT NOT NULL,           -- seed | reseed | confirm | edit | reject | merge | merged | add | sources
    review     TEXT NOT NULL,
    body       TEXT NOT NULL,
    changed_by TEXT,
    changed_at TEXT NOT NULL,
    note       TEXT,
    PRIMARY KEY (item_kind, item_id, version)
);

-- Actual values, one row per report: the current value of an indicator for a
-- year is its highest version; earlier versions are the history.
CREATE TABLE monitor_actuals (
    indicator_id   INTEGER NOT NULL REFERENCES monitor_indicators (id),
    year           INTEGER NOT NULL,
    version        INTEGER NOT NULL,
    reported_value DOUBLE PRECISION,    -- null for a qualitative indicator (see assessment)
    assessment     TEXT,                -- achieved | on_track | at_risk | off_track, or null
    note           TEXT,
    attachment     TEXT,
    origin         TEXT NOT NULL,       -- manual | import:FILE | merge:ID
    reported_by    TEXT NOT NULL,
    reported_at    TEXT NOT NULL,
    PRIMARY KEY (indicator_id, year, version)
);

-- Task progress reports, likewise versioned.
CREATE TABLE monitor_task_reports (
    task_id     INTEGER NOT NULL REFERENCES monitor_tasks (id),
    version     INTEGER NOT NULL,
    status      TEXT NOT NULL,          -- 未开始 | 推进中 | 已完成 | 滞后
    progress    TEXT,
    evidence    TEXT,
    attachment  TEXT,
    reported_by TEXT NOT NULL,
    reported_at TEXT NOT NULL,
    PRIMARY KEY (task_id, version)
);

CREATE TABLE monitor_users (
    id            {{ID_PK}},
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT,
    role          TEXT NOT NULL,        -- admin | department | viewer
    password_hash TEXT NOT NULL,        -- scrypt$N$r$p$salt$hash (users.py)
    disabled      INTEGER NOT NULL,     -- 0 | 1
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

-- The units a department user belongs to (canonical names, as in the registers).
CREATE TABLE monitor_user_units (
    user_id INTEGER NOT NULL REFERENCES monitor_users (id) ON DELETE CASCADE,
    unit    TEXT NOT NULL,
    PRIMARY KEY (user_id, unit)
);

-- Login sessions and API tokens.  Only a SHA-256 of the token is stored.
CREATE TABLE monitor_sessions (
    token_hash   TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES monitor_users (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,         -- session | api
    label        TEXT,
    csrf_token   TEXT,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    revoked_at   TEXT,
    last_seen_at TEXT
);
CREATE INDEX monitor_sessions_user ON monitor_sessions (user_id);

CREATE TABLE monitor_audit (
    id        {{ID_PK}},
    logged_at TEXT NOT NULL,
    username  TEXT,
    action    TEXT NOT NULL,
    item_kind TEXT,
    item_id   TEXT,
    outcome   TEXT NOT NULL,            -- ok | refused | failed
    detail    TEXT NOT NULL             -- JSON object
);
CREATE INDEX monitor_audit_user ON monitor_audit (username, id);
CREATE INDEX monitor_audit_item ON monitor_audit (item_kind, item_id);
