//! `switchboard_bm25` against FTS5's own `bm25()` on a real FTS5 table (in memory, with the
//! store's tokenizer and prefix indexes): the same scores to the bit with several phrases, the
//! same order with one.

// A test binary: a failed setup may simply panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use rusqlite::Connection;

/// 3,000 rows from a skewed vocabulary: "the" in most rows, "cat" in about a third, "zebra" in
/// a few, and words sharing the prefix "pl" in many, among 300 filler words. A fixed linear congruential generator, so
/// every run ranks the same rows.
fn table() -> Connection {
    let conn = Connection::open_in_memory().unwrap();
    switchboard_fts5::register(&conn).unwrap();
    conn.execute_batch(
        "CREATE VIRTUAL TABLE doc USING fts5 (
             body, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4'
         );",
    )
    .unwrap();
    let words = [
        "the", "the", "the", "the", "of", "and", "cat", "plan", "plot", "please", "zebra", "file",
        "sync", "data", "to", "a",
    ];
    let mut seed: u64 = 7;
    let mut next = |n: usize| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) as usize % n
    };
    let fillers: Vec<String> = (0..300).map(|i| format!("f{i}")).collect();
    let mut insert = conn.prepare("INSERT INTO doc (body) VALUES (?1)").unwrap();
    for _ in 0..3_000 {
        let len = 1 + next(40);
        let body: Vec<&str> = (0..len)
            .map(|_| {
                // Three words in ten from the list, the rest from 300 fillers.
                if next(10) >= 3 {
                    return fillers[next(fillers.len())].as_str();
                }
                let w = words[next(words.len())];
                // Rarer still: most draws of "zebra" become "horse".
                if w == "zebra" && next(8) != 0 {
                    "horse"
                } else {
                    w
                }
            })
            .collect();
        insert.execute([body.join(" ")]).unwrap();
    }
    drop(insert);
    conn
}

fn scores(conn: &Connection, function: &str, query: &str) -> Vec<(i64, f64)> {
    let sql = format!("SELECT rowid, {function}(doc) FROM doc WHERE doc MATCH ?1 ORDER BY rowid");
    let mut stmt = conn.prepare(&sql).unwrap();
    stmt.query_map([query], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn ranked(conn: &Connection, rank: Option<&str>, query: &str) -> Vec<i64> {
    let sql = match rank {
        Some(f) => format!(
            "SELECT rowid FROM doc WHERE doc MATCH ?1 AND rank MATCH '{f}()' ORDER BY rank, rowid"
        ),
        None => "SELECT rowid FROM doc WHERE doc MATCH ?1 ORDER BY rank, rowid".to_owned(),
    };
    let mut stmt = conn.prepare(&sql).unwrap();
    stmt.query_map([query], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn hits(conn: &Connection, query: &str) -> i64 {
    conn.query_row(
        "SELECT count(*) FROM doc WHERE doc MATCH ?1",
        [query],
        |r| r.get(0),
    )
    .unwrap()
}

#[test]
fn the_corpus_has_common_and_rare_phrases() {
    let conn = table();
    assert!(
        hits(&conn, "the") * 2 > 3_000,
        "\"the\" is in more than half the rows"
    );
    assert!(hits(&conn, "cat") * 2 < 3_000);
    assert!((1..300).contains(&hits(&conn, "zebra")));
}

#[test]
fn with_several_phrases_the_scores_are_bm25s_to_the_bit() {
    let conn = table();
    // "the" is in more than half the rows, so its count stops early; the others count fully.
    for query in [
        "the cat",
        "cat zebra",
        "the zebra",
        "cat pl*",
        "the of and cat",
        "\"the cat\" sync",
    ] {
        let ours = scores(&conn, switchboard_fts5::RANK, query);
        let theirs = scores(&conn, "bm25", query);
        assert!(!ours.is_empty(), "{query}");
        assert_eq!(ours.len(), theirs.len(), "{query}");
        for ((row, a), (row_b, b)) in ours.iter().zip(&theirs) {
            assert_eq!(row, row_b, "{query}");
            assert_eq!(
                a.to_bits(),
                b.to_bits(),
                "{query}, row {row}: {a} against {b}"
            );
        }
        assert_eq!(
            ranked(&conn, Some(switchboard_fts5::RANK), query),
            ranked(&conn, None, query),
            "{query}"
        );
    }
}

#[test]
fn with_one_phrase_the_order_is_bm25s() {
    let conn = table();
    for query in ["the", "cat", "zebra", "pl*", "\"the cat\""] {
        let ours = ranked(&conn, Some(switchboard_fts5::RANK), query);
        assert!(!ours.is_empty(), "{query}");
        assert_eq!(ours, ranked(&conn, None, query), "{query}");
        // The scores are bm25's over the phrase's weight: the same ratio for every row.
        let ours = scores(&conn, switchboard_fts5::RANK, query);
        let theirs = scores(&conn, "bm25", query);
        let ratio = theirs[0].1 / ours[0].1;
        for ((_, a), (_, b)) in ours.iter().zip(&theirs) {
            assert!(
                (b / a - ratio).abs() <= ratio * 1e-12,
                "{query}: {a} against {b}"
            );
        }
    }
}

#[test]
fn a_connection_without_it_cannot_rank_with_it() {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch(
        "CREATE VIRTUAL TABLE doc USING fts5 (body); INSERT INTO doc VALUES ('a b');",
    )
    .unwrap();
    let ranked = |conn: &Connection| {
        conn.query_row(
            "SELECT rowid FROM doc WHERE doc MATCH 'a' AND rank MATCH 'switchboard_bm25()' ORDER BY rank",
            [],
            |r| r.get::<_, i64>(0),
        )
    };
    let err = ranked(&conn).unwrap_err();
    assert!(err.to_string().contains("switchboard_bm25"), "{err}");
    // Registering again replaces the function: harmless.
    switchboard_fts5::register(&conn).unwrap();
    switchboard_fts5::register(&conn).unwrap();
    assert_eq!(ranked(&conn).unwrap(), 1);
}
