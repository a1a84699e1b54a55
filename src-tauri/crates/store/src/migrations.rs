//! Forward-only schema migrations, tracked in `PRAGMA user_version`.
//!
//! Rules: a migration is never edited after it ships; changes are additive (new tables, new
//! nullable columns, backfills), so that no migration can drop data. Each migration runs in its
//! own transaction together with the version bump, so a failure leaves the file as it was.

use std::path::Path;

use rusqlite::Connection;

use crate::StoreError;

/// One step of the schema's history.
#[derive(Debug)]
pub struct Migration {
    /// The `user_version` after this step.
    pub version: u32,
    /// What it adds, for the log.
    pub name: &'static str,
    /// The statements.
    pub sql: &'static str,
}

/// The schema's whole history, oldest first. Versions are 1, 2, 3... without gaps.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
    version: 1,
    name: "settings and custom providers",
    sql: "
        CREATE TABLE setting (
            key        TEXT PRIMARY KEY NOT NULL,
            value      TEXT NOT NULL,
            updated_ms INTEGER NOT NULL
        ) STRICT;

        CREATE TABLE custom_provider (
            id         TEXT PRIMARY KEY NOT NULL,
            name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
            base_url   TEXT NOT NULL,
            created_ms INTEGER NOT NULL
        ) STRICT;
    ",
    },
    Migration {
        version: 2,
        name: "request ledger and model catalogue cache",
        // One row per request, whatever its outcome: budgets, totals, charts and reports all
        // read this table. Money is integer picodollars (exact sums in SQL); NULL cost means
        // unknown, which is not zero and is never summed as zero.
        sql: "
        CREATE TABLE ledger (
            id                 TEXT PRIMARY KEY NOT NULL,
            created_ms         INTEGER NOT NULL,
            provider_id        TEXT NOT NULL,
            model              TEXT NOT NULL,
            served_model       TEXT,
            served_by          TEXT,
            generation_id      TEXT,
            key_label          TEXT,
            prompt_tokens      INTEGER NOT NULL DEFAULT 0,
            completion_tokens  INTEGER NOT NULL DEFAULT 0,
            cached_tokens      INTEGER NOT NULL DEFAULT 0,
            cache_write_tokens INTEGER NOT NULL DEFAULT 0,
            reasoning_tokens   INTEGER NOT NULL DEFAULT 0,
            cost_pico          INTEGER,
            cost_source        TEXT NOT NULL CHECK (cost_source IN ('provider', 'estimate', 'unknown')),
            ttft_ms            INTEGER,
            latency_ms         INTEGER,
            outcome            TEXT NOT NULL CHECK (outcome IN ('ok', 'error', 'cancelled', 'interrupted')),
            finish_reason      TEXT,
            error_code         TEXT
        ) STRICT;
        CREATE INDEX ledger_by_time ON ledger (created_ms);
        CREATE INDEX ledger_by_generation ON ledger (generation_id) WHERE generation_id IS NOT NULL;

        CREATE TABLE catalogue (
            provider_id TEXT PRIMARY KEY NOT NULL,
            fetched_ms  INTEGER NOT NULL,
            models_json TEXT NOT NULL
        ) STRICT;
    ",
    },
    Migration {
        version: 3,
        name: "conversations, turns, answers and their search index",
        // Turns form a tree (editing adds a sibling); `n` is an integer key so the search index
        // can address rows by rowid (turn n -> 2n, answer n -> 2n+1) without scanning. Answers
        // point at their ledger row for numbers (one truth with the spend reports); imported
        // answers have none and carry their recorded stats in `stats_json`/`stats_cost_pico`.
        sql: "
        CREATE TABLE conversation (
            id           TEXT PRIMARY KEY NOT NULL,
            title        TEXT NOT NULL,
            renamed      INTEGER NOT NULL DEFAULT 0,
            pinned       INTEGER NOT NULL DEFAULT 0,
            created_ms   INTEGER NOT NULL,
            updated_ms   INTEGER NOT NULL,
            leaf_turn_id TEXT
        ) STRICT;
        CREATE INDEX conversation_by_recency ON conversation (pinned DESC, updated_ms DESC);

        CREATE TABLE conversation_column (
            id              TEXT PRIMARY KEY NOT NULL,
            conversation_id TEXT NOT NULL REFERENCES conversation (id) ON DELETE CASCADE,
            position        INTEGER NOT NULL,
            provider_id     TEXT NOT NULL,
            model           TEXT NOT NULL,
            params_json     TEXT NOT NULL,
            active          INTEGER NOT NULL DEFAULT 1
        ) STRICT;
        CREATE INDEX column_by_conversation ON conversation_column (conversation_id, position);

        CREATE TABLE turn (
            n                INTEGER PRIMARY KEY,
            id               TEXT NOT NULL UNIQUE,
            conversation_id  TEXT NOT NULL REFERENCES conversation (id) ON DELETE CASCADE,
            parent_id        TEXT,
            text             TEXT NOT NULL,
            attachments_json TEXT NOT NULL DEFAULT '[]',
            created_ms       INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX turn_by_conversation ON turn (conversation_id);
        CREATE INDEX turn_by_parent ON turn (parent_id);

        CREATE TABLE answer (
            n                      INTEGER PRIMARY KEY,
            id                     TEXT NOT NULL UNIQUE,
            turn_id                TEXT NOT NULL REFERENCES turn (id) ON DELETE CASCADE,
            column_id              TEXT NOT NULL REFERENCES conversation_column (id) ON DELETE CASCADE,
            attempt                INTEGER NOT NULL,
            selected               INTEGER NOT NULL DEFAULT 0,
            content                TEXT NOT NULL DEFAULT '',
            reasoning              TEXT NOT NULL DEFAULT '',
            reasoning_details_json TEXT,
            tool_calls_json        TEXT NOT NULL DEFAULT '[]',
            status                 TEXT NOT NULL CHECK (status IN
                ('streaming', 'complete', 'cancelled', 'failed', 'interrupted')),
            error_json             TEXT,
            ledger_id              TEXT,
            stats_json             TEXT,
            stats_cost_pico        INTEGER,
            created_ms             INTEGER NOT NULL,
            UNIQUE (turn_id, column_id, attempt)
        ) STRICT;
        CREATE INDEX answer_by_column ON answer (column_id);
        CREATE INDEX answer_streaming ON answer (status) WHERE status = 'streaming';

        CREATE VIRTUAL TABLE message_search USING fts5 (
            body, tokenize = 'unicode61 remove_diacritics 2'
        );
        CREATE TRIGGER turn_indexed AFTER INSERT ON turn BEGIN
            INSERT INTO message_search (rowid, body) VALUES (new.n * 2, new.text);
        END;
        CREATE TRIGGER turn_reindexed AFTER UPDATE OF text ON turn BEGIN
            DELETE FROM message_search WHERE rowid = old.n * 2;
            INSERT INTO message_search (rowid, body) VALUES (new.n * 2, new.text);
        END;
        CREATE TRIGGER turn_unindexed AFTER DELETE ON turn BEGIN
            DELETE FROM message_search WHERE rowid = old.n * 2;
        END;
        CREATE TRIGGER answer_indexed AFTER INSERT ON answer BEGIN
            INSERT INTO message_search (rowid, body) VALUES (new.n * 2 + 1, new.content);
        END;
        CREATE TRIGGER answer_reindexed AFTER UPDATE OF content ON answer BEGIN
            DELETE FROM message_search WHERE rowid = old.n * 2 + 1;
            INSERT INTO message_search (rowid, body) VALUES (new.n * 2 + 1, new.content);
        END;
        CREATE TRIGGER answer_unindexed AFTER DELETE ON answer BEGIN
            DELETE FROM message_search WHERE rowid = old.n * 2 + 1;
        END;
    ",
    },
    Migration {
        version: 4,
        name: "routing in the ledger, several keys per provider",
        // A routed request can take several attempts (failover, retries): each is its own row,
        // grouped by `request_id`, numbered by `attempt`, labelled with the route that chose it.
        // The index serves the Routing screen's per-target figures and the router's warm start.
        sql: "
        ALTER TABLE ledger ADD COLUMN route TEXT;
        ALTER TABLE ledger ADD COLUMN request_id TEXT;
        ALTER TABLE ledger ADD COLUMN attempt INTEGER;
        CREATE INDEX ledger_by_target ON ledger (provider_id, model, created_ms);

        -- Spend by conversation and by agent, and budgets scoped to them, read these.
        -- Requests made before this version learn their conversation from their answer.
        ALTER TABLE ledger ADD COLUMN conversation_id TEXT;
        ALTER TABLE ledger ADD COLUMN agent TEXT;
        -- A join, not a correlated subquery: answer has no index on ledger_id, so the
        -- subquery would scan every answer for each ledger row.
        UPDATE ledger SET conversation_id = c.conversation_id
        FROM answer a JOIN conversation_column c ON c.id = a.column_id
        WHERE a.ledger_id = ledger.id;

        -- Spending limits. Amounts are picodollars like the ledger's, so limits compare
        -- exactly with sums. `alerts` is a JSON array of percentages.
        CREATE TABLE budget (
            id          TEXT PRIMARY KEY NOT NULL,
            name        TEXT NOT NULL,
            scope       TEXT NOT NULL CHECK (scope IN
                ('global', 'provider', 'model', 'agent', 'conversation')),
            scope_value TEXT,
            period      TEXT NOT NULL CHECK (period IN ('day', 'week', 'month', 'all')),
            limit_pico  INTEGER NOT NULL CHECK (limit_pico >= 0),
            alerts      TEXT NOT NULL DEFAULT '[50,80,100]',
            hard        INTEGER NOT NULL DEFAULT 1,
            created_ms  INTEGER NOT NULL
        ) STRICT;
        -- Which alert thresholds already fired in which period, so each fires once.
        CREATE TABLE budget_alert (
            budget_id    TEXT NOT NULL REFERENCES budget (id) ON DELETE CASCADE,
            period_start INTEGER NOT NULL,
            threshold    INTEGER NOT NULL,
            fired_ms     INTEGER NOT NULL,
            PRIMARY KEY (budget_id, period_start, threshold)
        ) STRICT;

        -- Keys beyond each provider's main one (their secrets are in the OS keychain under
        -- `<provider>#<label>`), and keys the provider refused. The main key has a row,
        -- labelled `default`, only while it is disabled.
        CREATE TABLE provider_key (
            provider_id     TEXT NOT NULL,
            label           TEXT NOT NULL,
            created_ms      INTEGER NOT NULL,
            disabled_reason TEXT,
            disabled_ms     INTEGER,
            PRIMARY KEY (provider_id, label)
        ) STRICT;
    ",
    },
    Migration {
        version: 5,
        name: "agents, their memory and runs, MCP servers",
        // Specs, memory and reports are JSON the agents crate owns; the store keeps them whole
        // so a newer app can add fields without a migration. A run's report is rewritten after
        // every step, so a run cut short by a crash still shows what it did.
        sql: "
        CREATE TABLE agent (
            name       TEXT PRIMARY KEY NOT NULL,
            spec       TEXT NOT NULL,
            memory     TEXT NOT NULL DEFAULT '{}',
            created_ms INTEGER NOT NULL,
            updated_ms INTEGER NOT NULL
        ) STRICT;
        CREATE TABLE agent_run (
            id          TEXT PRIMARY KEY NOT NULL,
            agent       TEXT NOT NULL,
            task        TEXT NOT NULL,
            report      TEXT,
            status      TEXT NOT NULL CHECK (status IN
                ('running', 'done', 'failed', 'stopped', 'interrupted')),
            started_ms  INTEGER NOT NULL,
            finished_ms INTEGER
        ) STRICT;
        CREATE INDEX agent_run_by_agent ON agent_run (agent, started_ms DESC);
        CREATE TABLE mcp_server (
            name   TEXT PRIMARY KEY NOT NULL,
            config TEXT NOT NULL
        ) STRICT;
    ",
    },
    Migration {
        version: 6,
        name: "requests in flight in the ledger, votes and sources on answers, model prices",
        // A request is a ledger row from before it is sent: `pending`, holding its worst-case
        // cost in `bound_pico`, inserted in the same IMMEDIATE transaction that checks the hard
        // budgets, so every process on this file sees every reservation; it settles to its real
        // outcome and cost when it ends. A crash leaves the row, which the next start marks
        // `interrupted` once `session` (the engine that owned it) is gone, and reconciles
        // through its generation id. An attempt the provider answered with an error and no
        // usage is `not_billed`: $0, said as such, not an unknown cost. SQLite cannot change a
        // CHECK constraint in place, so the table is copied whole into the new shape.
        sql: "
        CREATE TABLE ledger_v6 (
            id                 TEXT PRIMARY KEY NOT NULL,
            created_ms         INTEGER NOT NULL,
            provider_id        TEXT NOT NULL,
            model              TEXT NOT NULL,
            served_model       TEXT,
            served_by          TEXT,
            generation_id      TEXT,
            key_label          TEXT,
            prompt_tokens      INTEGER NOT NULL DEFAULT 0,
            completion_tokens  INTEGER NOT NULL DEFAULT 0,
            cached_tokens      INTEGER NOT NULL DEFAULT 0,
            cache_write_tokens INTEGER NOT NULL DEFAULT 0,
            reasoning_tokens   INTEGER NOT NULL DEFAULT 0,
            cost_pico          INTEGER,
            cost_source        TEXT NOT NULL CHECK (cost_source IN
                ('provider', 'estimate', 'unknown', 'not_billed')),
            ttft_ms            INTEGER,
            latency_ms         INTEGER,
            outcome            TEXT NOT NULL CHECK (outcome IN
                ('pending', 'ok', 'error', 'cancelled', 'interrupted')),
            finish_reason      TEXT,
            error_code         TEXT,
            route              TEXT,
            request_id         TEXT,
            attempt            INTEGER,
            conversation_id    TEXT,
            agent              TEXT,
            bound_pico         INTEGER,
            session            TEXT
        ) STRICT;
        INSERT INTO ledger_v6 (id, created_ms, provider_id, model, served_model, served_by,
            generation_id, key_label, prompt_tokens, completion_tokens, cached_tokens,
            cache_write_tokens, reasoning_tokens, cost_pico, cost_source, ttft_ms, latency_ms,
            outcome, finish_reason, error_code, route, request_id, attempt, conversation_id, agent)
        SELECT id, created_ms, provider_id, model, served_model, served_by,
            generation_id, key_label, prompt_tokens, completion_tokens, cached_tokens,
            cache_write_tokens, reasoning_tokens, cost_pico, cost_source, ttft_ms, latency_ms,
            outcome, finish_reason, error_code, route, request_id, attempt, conversation_id, agent
        FROM ledger;
        DROP TABLE ledger;
        ALTER TABLE ledger_v6 RENAME TO ledger;
        CREATE INDEX ledger_by_time ON ledger (created_ms);
        CREATE INDEX ledger_by_generation ON ledger (generation_id) WHERE generation_id IS NOT NULL;
        CREATE INDEX ledger_by_target ON ledger (provider_id, model, created_ms);
        -- An answer's attempts (failover, retries) are found through its request.
        CREATE INDEX ledger_by_request ON ledger (request_id) WHERE request_id IS NOT NULL;
        CREATE INDEX ledger_pending ON ledger (session) WHERE outcome = 'pending';

        -- A thumb on an answer, and the answer picked as the best of its turn: both kept with
        -- the answer, so they show pressed when the conversation is opened again. Web-search
        -- sources (OpenRouter's url_citation annotations) are kept as JSON.
        ALTER TABLE answer ADD COLUMN thumb TEXT CHECK (thumb IN ('up', 'down'));
        ALTER TABLE answer ADD COLUMN best INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE answer ADD COLUMN citations_json TEXT;

        -- Prices the user gives for models whose provider publishes none (a local or
        -- third-party OpenAI-compatible server), per million tokens in picodollars. `model`
        -- '*' is the provider's default for models without their own row.
        CREATE TABLE model_price (
            provider_id     TEXT NOT NULL,
            model           TEXT NOT NULL,
            prompt_pico     INTEGER NOT NULL CHECK (prompt_pico >= 0),
            completion_pico INTEGER NOT NULL CHECK (completion_pico >= 0),
            updated_ms      INTEGER NOT NULL,
            PRIMARY KEY (provider_id, model)
        ) STRICT;
    ",
    },
    Migration {
        version: 7,
        name: "client keys for the local API, spend and budgets by client",
        // One key per tool that calls the local API (Claude Code, Cursor, a script). Only the
        // hex SHA-256 of each key is kept, never the key: a key is 256 random bits, so nothing
        // can be guessed from the hash and a fast hash is right (as GitHub and Stripe store
        // their tokens); a slow password hash would only slow every request down. `hash` is
        // unique, which is also the index a request's key is looked up by. Names are unique
        // regardless of case, revoked keys included: a revoked key keeps its name, so its
        // spend still reads as that tool.
        sql: "
        CREATE TABLE client_key (
            id           TEXT PRIMARY KEY NOT NULL,
            name         TEXT NOT NULL UNIQUE COLLATE NOCASE,
            hash         TEXT NOT NULL UNIQUE,
            last4        TEXT NOT NULL,
            created_ms   INTEGER NOT NULL,
            revoked_ms   INTEGER,
            last_used_ms INTEGER
        ) STRICT;

        -- The client key (its id) that sent a request through the local API; NULL for the
        -- app and the CLI. Budgets scoped to a client sum by it.
        ALTER TABLE ledger ADD COLUMN client TEXT;
        CREATE INDEX ledger_by_client ON ledger (client, created_ms) WHERE client IS NOT NULL;

        -- A budget can be scoped to a client. SQLite cannot change a CHECK constraint in
        -- place, so the table is copied into the new shape. Its alert history is copied too,
        -- before either old table is dropped: dropping `budget` while `budget_alert` still
        -- referred to it would cascade-delete every alert (foreign keys are on). Renaming
        -- `budget_v7` to `budget` rewrites `budget_alert_v7`'s reference to follow it.
        CREATE TABLE budget_v7 (
            id          TEXT PRIMARY KEY NOT NULL,
            name        TEXT NOT NULL,
            scope       TEXT NOT NULL CHECK (scope IN
                ('global', 'provider', 'model', 'agent', 'conversation', 'client')),
            scope_value TEXT,
            period      TEXT NOT NULL CHECK (period IN ('day', 'week', 'month', 'all')),
            limit_pico  INTEGER NOT NULL CHECK (limit_pico >= 0),
            alerts      TEXT NOT NULL DEFAULT '[50,80,100]',
            hard        INTEGER NOT NULL DEFAULT 1,
            created_ms  INTEGER NOT NULL
        ) STRICT;
        INSERT INTO budget_v7 (id, name, scope, scope_value, period, limit_pico, alerts, hard,
            created_ms)
        SELECT id, name, scope, scope_value, period, limit_pico, alerts, hard, created_ms
        FROM budget;
        CREATE TABLE budget_alert_v7 (
            budget_id    TEXT NOT NULL REFERENCES budget_v7 (id) ON DELETE CASCADE,
            period_start INTEGER NOT NULL,
            threshold    INTEGER NOT NULL,
            fired_ms     INTEGER NOT NULL,
            PRIMARY KEY (budget_id, period_start, threshold)
        ) STRICT;
        INSERT INTO budget_alert_v7 (budget_id, period_start, threshold, fired_ms)
        SELECT budget_id, period_start, threshold, fired_ms FROM budget_alert
        WHERE budget_id IN (SELECT id FROM budget_v7);
        DROP TABLE budget_alert;
        DROP TABLE budget;
        ALTER TABLE budget_v7 RENAME TO budget;
        ALTER TABLE budget_alert_v7 RENAME TO budget_alert;
    ",
    },
    Migration {
        version: 8,
        name: "indexes for long histories, prefix indexes for search",
        // Measured on a million messages (benches/fts.rs). Each index below replaces one it
        // extends, so writes pay for no more indexes than before; dropping an index loses no
        // data. The search index is rebuilt from the turns and answers it mirrors.
        sql: "
        -- The sidebar pages in this order (ties by id), so a page is an index range and only
        -- its own conversations are totalled.
        DROP INDEX conversation_by_recency;
        CREATE INDEX conversation_by_recency
            ON conversation (pinned DESC, updated_ms DESC, id DESC);

        -- Opening a conversation reads its whole tree (which turn follows which) to find the
        -- displayed path; from the index alone, it never reads the turns' text.
        DROP INDEX turn_by_conversation;
        CREATE INDEX turn_tree ON turn (conversation_id, n, id, parent_id, created_ms);

        -- Totals (a conversation's, each column's, the sidebar's) read every answer's cost;
        -- from the index alone, they never read the answers' text, often pages long.
        DROP INDEX answer_by_column;
        CREATE INDEX answer_cost
            ON answer (column_id, ledger_id, stats_cost_pico, status, stats_json IS NOT NULL);

        -- Search follows typing, so its last word is a prefix. Without a prefix index FTS5
        -- copies out the document lists of every word that starts with it, three times per
        -- search (the window, the ranking, bm25's document frequency): on a million messages
        -- 200-500 ms for two or three letters, 40-50 ms for a common four-letter word. These
        -- indexes hold those lists ready for prefixes of two to four characters (one-letter
        -- prefixes are searched as whole words, see search.rs; longer ones match few words).
        -- The search index grows about threefold, the whole database by about a fifth.
        -- Snippets need positions, so `detail` stays full. The triggers name the table, so
        -- they follow it.
        DROP TABLE message_search;
        CREATE VIRTUAL TABLE message_search USING fts5 (
            body, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4'
        );
        INSERT INTO message_search (rowid, body)
            SELECT n * 2, text FROM turn
            UNION ALL
            SELECT n * 2 + 1, content FROM answer;
    ",
    },
    Migration {
        version: 9,
        name: "private conversations, BYOK requests",
        // A private conversation asks every OpenRouter request for zero data retention. A BYOK
        // request (served with the person's own provider key) keeps OpenRouter's fee as its
        // cost and what the provider billed their own account apart, never summed as spend.
        sql: "
        ALTER TABLE conversation ADD COLUMN private INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE ledger ADD COLUMN byok INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE ledger ADD COLUMN upstream_cost_pico INTEGER;
    ",
    },
];

/// The version a fully migrated database has.
pub const LATEST_VERSION: u32 = MIGRATIONS.len() as u32;

pub(crate) fn user_version(conn: &Connection) -> rusqlite::Result<u32> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
}

pub(crate) fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let found = user_version(conn)?;
    if found > LATEST_VERSION {
        return Err(StoreError::TooNew {
            found,
            supported: LATEST_VERSION,
        });
    }
    if found == LATEST_VERSION {
        return Ok(());
    }
    if found > 0 {
        backup(conn, path, found)?;
    }
    for m in MIGRATIONS.iter().filter(|m| m.version > found) {
        // Another process (the app and the CLI starting together on a new data directory)
        // may be migrating the same file: the write lock is taken first and the version read
        // again under it, so each step runs exactly once.
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        if user_version(&tx)? >= m.version {
            continue;
        }
        tracing::info!(version = m.version, name = m.name, "migrating database");
        tx.execute_batch(m.sql)
            .and_then(|()| tx.pragma_update(None, "user_version", m.version))
            .map_err(|source| match StoreError::from(source) {
                StoreError::Sqlite(source) => StoreError::Migration {
                    version: m.version,
                    source,
                },
                other => other,
            })?;
        tx.commit()?;
    }
    Ok(())
}

/// Copies the database aside before its schema changes.
fn backup(conn: &Connection, path: &Path, from: u32) -> Result<(), StoreError> {
    let mut target = path.as_os_str().to_owned();
    target.push(format!(".pre-v{LATEST_VERSION}-from-v{from}.bak"));
    let target = std::path::PathBuf::from(target);
    if target.exists() {
        // An earlier attempt already saved the untouched file; keep that one.
        return Ok(());
    }
    conn.execute("VACUUM INTO ?1", [target.to_string_lossy()])?;
    tracing::info!(backup = %target.display(), "saved a copy of the database before migrating");
    Ok(())
}
