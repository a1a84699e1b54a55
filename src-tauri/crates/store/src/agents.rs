//! The `agent`, `agent_run` and `mcp_server` tables. Specs, memory, tasks and reports are JSON
//! the agents crate defines; the store keeps them whole and knows only names and statuses.

use rusqlite::{OptionalExtension, params};
use switchboard_core::{RunId, RunStatus};

use crate::{Store, StoreError, now_ms};

/// A run as listed: its JSON task and report, and how it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRow {
    /// Its id.
    pub id: RunId,
    /// The agent's name when it ran.
    pub agent: String,
    /// The task, JSON.
    pub task: String,
    /// The report so far, JSON (`None` before the first step ended).
    pub report: Option<String>,
    /// Where it stands.
    pub status: RunStatus,
    /// When it started, unix ms.
    pub started_ms: i64,
    /// When it ended.
    pub finished_ms: Option<i64>,
}

/// A stored status word as a [`RunStatus`]. The table's CHECK admits only the words this
/// version knows, so another word means a newer version widened it. Such a run is listed as
/// `interrupted` rather than failing the whole list: it is not running under this version, its
/// report is kept and shown, and nothing here can say more about how it ended. (A typed error
/// would hide every other run on the Agents screen over one row.)
fn stored_status(word: &str) -> RunStatus {
    RunStatus::parse(word).unwrap_or_else(|| {
        tracing::warn!(
            status = word,
            "an agent run has a status this version does not know"
        );
        RunStatus::Interrupted
    })
}

impl Store {
    /// Every agent's name and spec JSON, by name.
    pub fn agents(&self) -> Result<Vec<(String, String)>, StoreError> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare("SELECT name, spec FROM agent ORDER BY name COLLATE NOCASE")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// One agent's spec and memory JSON.
    pub fn agent(&self, name: &str) -> Result<(String, String), StoreError> {
        self.conn()?
            .query_row(
                "SELECT spec, memory FROM agent WHERE name = ?1",
                params![name],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .ok_or_else(|| StoreError::not_found("agent", name))
    }

    /// Creates or updates an agent. `previous` is its name before an edit (a rename moves its
    /// memory with it); `None` creates one, and a taken name is `Duplicate`.
    pub fn put_agent(
        &self,
        previous: Option<&str>,
        name: &str,
        spec: &str,
    ) -> Result<(), StoreError> {
        let conn = self.conn()?;
        let now = now_ms();
        match previous {
            Some(old) => {
                let changed = conn
                    .execute(
                        "UPDATE agent SET name = ?2, spec = ?3, updated_ms = ?4 WHERE name = ?1",
                        params![old, name, spec, now],
                    )
                    .map_err(|e| StoreError::unique_violation(e, "agent", name))?;
                if changed == 0 {
                    return Err(StoreError::not_found("agent", old));
                }
            }
            None => {
                conn.execute(
                    "INSERT INTO agent (name, spec, created_ms, updated_ms) VALUES (?1, ?2, ?3, ?3)",
                    params![name, spec, now],
                )
                .map_err(|e| StoreError::unique_violation(e, "agent", name))?;
            }
        }
        Ok(())
    }

    /// Deletes an agent and its memory; its runs and ledger rows stay (they are history).
    pub fn delete_agent(&self, name: &str) -> Result<(), StoreError> {
        let n = self
            .conn()?
            .execute("DELETE FROM agent WHERE name = ?1", params![name])?;
        if n == 0 {
            return Err(StoreError::not_found("agent", name));
        }
        Ok(())
    }

    /// Replaces an agent's memory JSON.
    pub fn put_agent_memory(&self, name: &str, memory: &str) -> Result<(), StoreError> {
        let n = self.conn()?.execute(
            "UPDATE agent SET memory = ?2 WHERE name = ?1",
            params![name, memory],
        )?;
        if n == 0 {
            return Err(StoreError::not_found("agent", name));
        }
        Ok(())
    }

    /// Records a run as started.
    pub fn start_run(&self, id: &RunId, agent: &str, task: &str) -> Result<(), StoreError> {
        self.conn()?.execute(
            "INSERT INTO agent_run (id, agent, task, status, started_ms)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                id.as_str(),
                agent,
                task,
                RunStatus::Running.as_str(),
                now_ms()
            ],
        )?;
        Ok(())
    }

    /// Saves a run's report so far; a `status` other than `running` ends it.
    pub fn save_run(&self, id: &RunId, report: &str, status: RunStatus) -> Result<(), StoreError> {
        let finished = status.is_finished().then(now_ms);
        self.conn()?.execute(
            "UPDATE agent_run SET report = ?2, status = ?3, finished_ms = ?4 WHERE id = ?1",
            params![id.as_str(), report, status.as_str(), finished],
        )?;
        Ok(())
    }

    /// The newest `limit` runs of an agent (all agents when `agent` is `None`).
    pub fn runs(&self, agent: Option<&str>, limit: u32) -> Result<Vec<RunRow>, StoreError> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare(
            "SELECT id, agent, task, report, status, started_ms, finished_ms FROM agent_run
             WHERE ?1 IS NULL OR agent = ?1 ORDER BY started_ms DESC, id DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![agent, limit], |r| {
            Ok(RunRow {
                id: RunId::from(r.get::<_, String>(0)?),
                agent: r.get(1)?,
                task: r.get(2)?,
                report: r.get(3)?,
                status: stored_status(&r.get::<_, String>(4)?),
                started_ms: r.get(5)?,
                finished_ms: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Marks runs still `running` as `interrupted` (the app died mid-run); their reports so
    /// far are kept. Run at startup.
    pub fn interrupt_running_runs(&self) -> Result<usize, StoreError> {
        Ok(self.conn()?.execute(
            "UPDATE agent_run SET status = ?2, finished_ms = ?1 WHERE status = ?3",
            params![
                now_ms(),
                RunStatus::Interrupted.as_str(),
                RunStatus::Running.as_str()
            ],
        )?)
    }

    /// Every MCP server's name and config JSON, by name.
    pub fn mcp_servers(&self) -> Result<Vec<(String, String)>, StoreError> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare("SELECT name, config FROM mcp_server ORDER BY name")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Creates or replaces an MCP server's config.
    pub fn put_mcp_server(&self, name: &str, config: &str) -> Result<(), StoreError> {
        self.conn()?.execute(
            "INSERT INTO mcp_server (name, config) VALUES (?1, ?2)
             ON CONFLICT (name) DO UPDATE SET config = excluded.config",
            params![name, config],
        )?;
        Ok(())
    }

    /// Forgets an MCP server.
    pub fn delete_mcp_server(&self, name: &str) -> Result<(), StoreError> {
        self.conn()?
            .execute("DELETE FROM mcp_server WHERE name = ?1", params![name])?;
        Ok(())
    }
}
