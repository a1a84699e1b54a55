//! A BM25 ranking function for SQLite FTS5 that skips the counting which cannot change the
//! order of the results; registered on a connection with [`register`], named [`RANK`].
//!
//! FTS5's own `bm25()` weighs each phrase of a query by its inverse document frequency, and
//! gets that by counting every row of the index that matches the phrase, on every query. For a
//! word found in most of a long history ("the" is in 895,000 of the 1,020,000 messages of the
//! store's benchmark) that count is most of the search's time, although:
//! - with one phrase, the weight multiplies every row's score alike, so it cannot change the
//!   order: [`RANK`] does not count at all;
//! - a phrase in half the rows or more gets FTS5's smallest weight (1e-6) however many more rows
//!   it is in, so counting stops there.
//!
//! Everything else is `bm25()`'s arithmetic, step for step (k1 = 1.2, b = 0.75, every column
//! weighted 1): with two phrases or more the scores are `bm25()`'s to the bit, and with one
//! they are `bm25()`'s divided by the phrase's weight.
//!
//! This crate holds the workspace's only `unsafe` code, in `ffi.rs`: FTS5 registers and calls
//! auxiliary functions through SQLite's C API, which rusqlite does not wrap. Every other crate
//! forbids `unsafe`.

mod ffi;

/// The SQL name of the ranking function, for `rank MATCH 'switchboard_bm25()'` in a query
/// ordered by `rank`, or called as `switchboard_bm25(<table>)`.
pub const RANK: &str = "switchboard_bm25";

/// Registers [`RANK`] on `conn`, for every FTS5 table it opens. A connection needs it once.
pub fn register(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    ffi::register(conn)
}

/// BM25's constants, as FTS5's `bm25()` has them.
const K1: f64 = 1.2;
const B: f64 = 0.75;

/// FTS5's inverse document frequency of a phrase found in `hits` of `rows` rows. It is never
/// below 1e-6, which every phrase in at least half the rows gets.
fn idf(rows: i64, hits: i64) -> f64 {
    // As FTS5 computes it: the integer difference first, then doubles.
    let idf = (((rows - hits) as f64 + 0.5) / (hits as f64 + 0.5)).ln();
    if idf <= 0.0 { 1e-6 } else { idf }
}

/// The fewest hits from which [`idf`] is its floor (`2 × hits ≥ rows`): counting further cannot
/// change it.
fn enough_hits(rows: i64) -> i64 {
    rows / 2 + rows % 2
}

/// A row's score: lower is better, as FTS5 sorts `rank`. `weights` and `freqs` are per phrase;
/// `tokens` is the row's length and `average` the table's average row length, in tokens.
fn score(weights: &[f64], freqs: &[f64], tokens: f64, average: f64) -> f64 {
    let mut score = 0.0;
    for (weight, freq) in weights.iter().zip(freqs) {
        score += weight * ((freq * (K1 + 1.0)) / (freq + K1 * (1.0 - B + B * tokens / average)));
    }
    -score
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_weight_floors_exactly_from_half_the_rows() {
        for rows in [1_i64, 2, 3, 10, 11, 1_020_008] {
            let enough = enough_hits(rows);
            assert_eq!(idf(rows, enough), 1e-6, "rows {rows}");
            assert_eq!(idf(rows, rows), 1e-6, "rows {rows}");
            if enough > 1 {
                assert!(idf(rows, enough - 1) > 1e-6, "rows {rows}");
            }
        }
    }

    #[test]
    fn the_name_given_to_sqlite_is_the_public_one() {
        assert_eq!(ffi::RANK_C.to_str(), Ok(RANK));
    }

    #[test]
    fn more_of_a_phrase_in_a_shorter_row_scores_better() {
        let weights = [2.0];
        let once = score(&weights, &[1.0], 10.0, 10.0);
        let twice = score(&weights, &[2.0], 10.0, 10.0);
        let once_longer = score(&weights, &[1.0], 40.0, 10.0);
        assert!(twice < once && once < once_longer && once_longer < 0.0);
    }
}
