//! Full-text search over user messages and answers (FTS5, ranked by bm25).
//!
//! The index rowid encodes the source row: turn `n` is `2n`, answer `n` is `2n + 1`; triggers
//! keep it in step with every insert, update and delete in the same transaction.

use rusqlite::{OptionalExtension, params};
use switchboard_core::{AnswerId, ConversationId, SearchHit, TurnId};

use crate::{Store, StoreError};

/// Marks the start and end of a match inside `snippet()` output; private-use characters, so
/// ordinary text never contains them and no markup is ever produced or interpreted.
const OPEN: char = '\u{E000}';
const CLOSE: char = '\u{E001}';

/// How many of the newest matches are ranked (see [`Store::search`]).
const RANK_WINDOW: i64 = 10_000;

/// How many ranked rows are read per hit asked for, so folding several matches of one turn
/// into one hit still fills the page.
const PER_TURN: i64 = 6;

/// The user's words as an FTS5 query: each term quoted (so `AND`, `-`, `*`, `"`… are just
/// text), all required, the last one a prefix so results follow typing. None if no words.
///
/// A last word of one character is matched whole: as a prefix it would stand for a good part
/// of the vocabulary (every word starting with that letter), which ranks nothing useful and
/// costs hundreds of milliseconds on a long history; the prefix indexes start at two.
pub(crate) fn fts_query(text: &str) -> Option<String> {
    let words: Vec<String> = text
        .split_whitespace()
        .map(|t| t.replace([OPEN, CLOSE], ""))
        .filter(|t| !t.is_empty())
        .collect();
    let (last, _) = words.split_last()?;
    let prefix = last.chars().nth(1).is_some();
    let mut query = words
        .iter()
        .map(|t| format!("\"{}\"", t.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(" ");
    if prefix {
        query.push('*');
    }
    Some(query)
}

/// Removes the sentinels from a snippet, returning the plain text and the byte ranges they
/// enclosed.
pub(crate) fn highlights(marked: &str) -> (String, Vec<(u32, u32)>) {
    let mut plain = String::with_capacity(marked.len());
    let mut ranges = Vec::new();
    let mut start = None;
    for c in marked.chars() {
        match c {
            OPEN => start = Some(plain.len()),
            CLOSE => {
                if let Some(s) = start.take()
                    && plain.len() > s
                {
                    let to = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
                    ranges.push((to(s), to(plain.len())));
                }
            }
            other => plain.push(other),
        }
    }
    (plain, ranges)
}

/// Where an index row comes from: its conversation (id, title), turn and answer (if any).
type Source = (String, String, String, Option<String>);

fn source(conn: &rusqlite::Connection, rowid: i64) -> Result<Option<Source>, StoreError> {
    let sql = if rowid % 2 == 0 {
        "SELECT c.id, c.title, t.id, NULL FROM turn t
         JOIN conversation c ON c.id = t.conversation_id WHERE t.n = ?1"
    } else {
        "SELECT c.id, c.title, t.id, a.id FROM answer a JOIN turn t ON t.id = a.turn_id
         JOIN conversation c ON c.id = t.conversation_id WHERE a.n = ?1"
    };
    Ok(conn
        .prepare_cached(sql)?
        .query_row([rowid / 2], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .optional()?)
}

impl Store {
    /// The best `limit` hits for `query` across every conversation, at most one per turn.
    pub fn search(&self, query: &str, limit: u32) -> Result<Vec<SearchHit>, StoreError> {
        let Some(fts) = fts_query(query) else {
            return Ok(Vec::new());
        };
        let conn = self.conn()?;
        // bm25 over the newest RANK_WINDOW matches only: ranking every match of a word found
        // in half the messages costs seconds on a large history, and among that many matches
        // the recent ones are the likelier target. The window is a rowid floor, which FTS5
        // applies while reading the index.
        let floor: i64 = conn
            .prepare_cached(
                "SELECT rowid FROM message_search WHERE message_search MATCH ?1
                 ORDER BY rowid DESC LIMIT 1 OFFSET ?2",
            )?
            .query_row(params![fts, RANK_WINDOW - 1], |r| r.get(0))
            .optional()?
            .unwrap_or(0);
        // One ranked query that also builds the snippets, so FTS5 sets the term lists up
        // once. It is stepped only until the page is full: FTS5 ranks the whole window before
        // the first row either way, but builds each snippet as its row is stepped to, and
        // snippets for rows folded away or past the page were a fifth of the time.
        // Ranked by `switchboard_bm25`, bm25's order without its counting every row of the
        // index that has a common word (most of such a search's time; see switchboard-fts5).
        let mut ranked = conn.prepare_cached(
            "SELECT rowid, snippet(message_search, 0, char(57344), char(57345), '…', 16)
             FROM message_search WHERE message_search MATCH ?1 AND rowid >= ?3
             AND rank MATCH 'switchboard_bm25()'
             ORDER BY rank LIMIT ?2",
        )?;
        // Up to one row per column and the question itself can match the same turn; a few
        // times the limit leaves enough distinct turns once folded.
        let most = i64::from(limit).saturating_mul(PER_TURN);
        let mut rows = ranked.query(params![fts, most, floor])?;
        let mut hits: Vec<SearchHit> = Vec::new();
        while hits.len() < limit as usize {
            let Some(row) = rows.next()? else {
                break;
            };
            let rowid: i64 = row.get(0)?;
            let Some((conversation_id, title, turn_id, answer_id)) = source(&conn, rowid)? else {
                // An index row without its source would be a bug in the triggers; skip it
                // rather than fail the whole search.
                tracing::warn!(rowid, "search index row without a source row");
                continue;
            };
            // One hit per turn (its best match): three columns answering the same question
            // are one place to go back to, not three.
            if hits.iter().any(|h| h.turn_id == turn_id.as_str()) {
                continue;
            }
            let (snippet, highlights) = highlights(&row.get::<_, String>(1)?);
            hits.push(SearchHit {
                conversation_id: ConversationId::from(conversation_id),
                title,
                turn_id: TurnId::from(turn_id),
                answer_id: answer_id.map(AnswerId::from),
                snippet,
                highlights,
            });
        }
        Ok(hits)
    }
}
