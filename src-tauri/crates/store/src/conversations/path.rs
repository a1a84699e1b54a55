//! A conversation's displayed path: the chain of turns from the displayed leaf up to a first
//! turn, each with its place among its versions.

use std::collections::HashMap;

use rusqlite::Connection;

use crate::StoreError;

/// A turn on the displayed path; its text and attachments are read only if it is shown.
pub(super) struct PathTurn {
    pub(super) id: String,
    pub(super) created_ms: i64,
    /// Its place (1-based) among the turns that share its parent, oldest first.
    pub(super) version: u32,
    /// How many turns share its parent (itself included).
    pub(super) versions: u32,
}

/// The displayed path of conversation `id`, first turn first: the chain from `leaf` up to a
/// first turn. Every turn's links are read from the index `turn_tree` (never its text). Ids
/// are hashed into one map of positions and siblings counted by position: the maps this
/// replaced (each id copied into three, siblings gathered by id) took a third of the time to
/// open a 10,000-turn conversation.
pub(super) fn displayed_path(
    conn: &Connection,
    id: &str,
    leaf: Option<&str>,
) -> Result<Vec<PathTurn>, StoreError> {
    struct Row {
        id: String,
        parent: Option<String>,
        created_ms: i64,
    }
    let mut rows: Vec<Row> = conn
        .prepare_cached(
            "SELECT id, parent_id, created_ms FROM turn WHERE conversation_id = ?1 ORDER BY n",
        )?
        .query_map([id], |r| {
            Ok(Row {
                id: r.get(0)?,
                parent: r.get(1)?,
                created_ms: r.get(2)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    let missing = |turn: &str| StoreError::Corrupt {
        detail: format!("turn {turn} of conversation {id} is missing"),
    };
    // Each turn's parent as a position in `rows` (`root` for a first turn; None for a parent
    // that is not there, an error only if the path reaches it), and its place among its
    // siblings, counted in order of creation.
    let root = rows.len();
    let mut parent: Vec<Option<usize>> = Vec::with_capacity(rows.len());
    let mut version = vec![0u32; rows.len()];
    let mut children = vec![0u32; rows.len() + 1];
    let path = {
        let index: HashMap<&str, usize> = rows
            .iter()
            .enumerate()
            .map(|(i, row)| (row.id.as_str(), i))
            .collect();
        for (i, row) in rows.iter().enumerate() {
            let slot = match &row.parent {
                None => Some(root),
                Some(p) => index.get(p.as_str()).copied(),
            };
            if let Some(slot) = slot {
                children[slot] += 1;
                version[i] = children[slot];
            }
            parent.push(slot);
        }
        let mut path = Vec::new();
        let mut next = match leaf {
            None => None,
            Some(leaf) => Some(*index.get(leaf).ok_or_else(|| missing(leaf))?),
        };
        while let Some(i) = next {
            if path.len() == rows.len() {
                return Err(StoreError::Corrupt {
                    detail: format!("the turns of conversation {id} form a loop"),
                });
            }
            path.push(i);
            next = match parent[i] {
                Some(slot) if slot == root => None,
                Some(slot) => Some(slot),
                None => return Err(missing(rows[i].parent.as_deref().unwrap_or_default())),
            };
        }
        path.reverse();
        path
    };
    Ok(path
        .into_iter()
        .map(|i| {
            let versions = parent[i].map_or(0, |slot| children[slot]);
            PathTurn {
                id: std::mem::take(&mut rows[i].id),
                created_ms: rows[i].created_ms,
                version: version[i],
                versions,
            }
        })
        .collect())
}
