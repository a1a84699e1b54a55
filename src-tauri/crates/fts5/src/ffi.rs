//! Registering and serving [`crate::RANK`] through FTS5's C API.
//!
//! Each `unsafe` block makes one call or one dereference, and says why it holds. Nothing here
//! may panic: a panic cannot unwind out of a function SQLite calls, it aborts the process. So
//! no indexing, and every failure is an SQLite result code handed back to SQLite.
#![allow(
    unsafe_code,
    reason = "FTS5 auxiliary functions exist only in SQLite's C API"
)]

use std::ffi::{c_int, c_void};
use std::ptr::{self, NonNull};

use rusqlite::ffi::{
    self, Fts5Context, Fts5ExtensionApi, SQLITE_DONE, SQLITE_MISUSE, SQLITE_NOMEM, SQLITE_OK,
    SQLITE_ROW, fts5_api, sqlite3_context, sqlite3_value,
};

/// [`crate::RANK`], NUL-terminated for C.
pub(crate) const RANK_C: &std::ffi::CStr = c"switchboard_bm25";

pub(crate) fn register(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    let api = fts5_api(conn)?;
    // SAFETY: `api` is the non-null pointer SQLite's `fts5()` wrote for this connection; it
    // stays valid while the connection is open, and `conn` is borrowed for this call.
    let create = unsafe { (*api).xCreateFunction };
    let create = create.ok_or_else(|| failure(SQLITE_MISUSE, "FTS5 cannot add functions"))?;
    // SAFETY: the name is NUL-terminated and static; no user data, so nothing to destroy.
    let rc = unsafe { create(api, RANK_C.as_ptr(), ptr::null_mut(), Some(rank), None) };
    if rc == SQLITE_OK {
        Ok(())
    } else {
        Err(failure(rc, "registering the search ranking function"))
    }
}

fn failure(rc: c_int, what: &str) -> rusqlite::Error {
    rusqlite::Error::SqliteFailure(ffi::Error::new(rc), Some(what.to_owned()))
}

/// SQLite hands out a connection's FTS5 API through a pointer bound to `SELECT fts5(?1)`
/// (<https://sqlite.org/fts5.html#extending_fts5>).
fn fts5_api(conn: &rusqlite::Connection) -> rusqlite::Result<*mut fts5_api> {
    let mut api: *mut fts5_api = ptr::null_mut();
    // SAFETY: the handle is used only for the statement below, which is finalized before
    // returning, while `conn` is borrowed.
    let db = unsafe { conn.handle() };
    let mut stmt = ptr::null_mut();
    // SAFETY: `db` is open; the SQL is NUL-terminated; `stmt` receives the statement.
    let rc = unsafe {
        ffi::sqlite3_prepare_v2(
            db,
            c"SELECT fts5(?1)".as_ptr(),
            -1,
            &mut stmt,
            ptr::null_mut(),
        )
    };
    if rc != SQLITE_OK {
        return Err(failure(rc, "reaching FTS5"));
    }
    // SAFETY: `stmt` was prepared above; the bound address is `api`'s, which outlives the
    // statement; the type name is the one `fts5()` checks, and nothing is to be freed.
    let mut rc = unsafe {
        ffi::sqlite3_bind_pointer(
            stmt,
            1,
            (&raw mut api).cast(),
            c"fts5_api_ptr".as_ptr(),
            None,
        )
    };
    if rc == SQLITE_OK {
        // SAFETY: `stmt` is prepared and bound.
        rc = unsafe { ffi::sqlite3_step(stmt) };
    }
    // SAFETY: `stmt` was prepared above and is not used again.
    unsafe { ffi::sqlite3_finalize(stmt) };
    if rc != SQLITE_ROW || api.is_null() {
        return Err(failure(rc, "reaching FTS5"));
    }
    Ok(api)
}

/// What [`rank`] keeps for the length of one query: a weight per phrase, the table's average
/// row length, and room for a row's phrase frequencies.
struct Query {
    weights: Vec<f64>,
    average: f64,
    freqs: Vec<f64>,
}

/// One FTS5 cursor's API, as FTS5 passes it to an auxiliary function for one call.
struct Cursor<'a> {
    api: &'a Fts5ExtensionApi,
    fts: *mut Fts5Context,
}

type Sqlite<T> = Result<T, c_int>;

fn present<F>(f: Option<F>) -> Sqlite<F> {
    f.ok_or(SQLITE_MISUSE)
}

fn ok(rc: c_int) -> Sqlite<()> {
    if rc == SQLITE_OK { Ok(()) } else { Err(rc) }
}

impl Cursor<'_> {
    fn phrases(&self) -> Sqlite<usize> {
        let f = present(self.api.xPhraseCount)?;
        // SAFETY: `fts` is the context FTS5 passed with this API, valid for the call.
        let n = unsafe { f(self.fts) };
        usize::try_from(n).map_err(|_| SQLITE_MISUSE)
    }

    fn rows(&self) -> Sqlite<i64> {
        let f = present(self.api.xRowCount)?;
        let mut rows = 0;
        // SAFETY: as in `phrases`; `rows` is a valid out-pointer.
        ok(unsafe { f(self.fts, &mut rows) })?;
        Ok(rows)
    }

    /// Tokens in the whole table (every column).
    fn table_tokens(&self) -> Sqlite<i64> {
        let f = present(self.api.xColumnTotalSize)?;
        let mut tokens = 0;
        // SAFETY: as in `phrases`; column -1 means every column.
        ok(unsafe { f(self.fts, -1, &mut tokens) })?;
        Ok(tokens)
    }

    /// Tokens in the current row (every column).
    fn row_tokens(&self) -> Sqlite<c_int> {
        let f = present(self.api.xColumnSize)?;
        let mut tokens = 0;
        // SAFETY: as in `table_tokens`.
        ok(unsafe { f(self.fts, -1, &mut tokens) })?;
        Ok(tokens)
    }

    fn instances(&self) -> Sqlite<c_int> {
        let f = present(self.api.xInstCount)?;
        let mut n = 0;
        // SAFETY: as in `phrases`; `n` is a valid out-pointer.
        ok(unsafe { f(self.fts, &mut n) })?;
        Ok(n)
    }

    /// The phrase that the current row's instance `i` (below [`Self::instances`]) matches.
    fn instance_phrase(&self, i: c_int) -> Sqlite<usize> {
        let f = present(self.api.xInst)?;
        let (mut phrase, mut column, mut offset) = (0, 0, 0);
        // SAFETY: as in `phrases`; the three out-pointers are valid.
        ok(unsafe { f(self.fts, i, &mut phrase, &mut column, &mut offset) })?;
        usize::try_from(phrase).map_err(|_| SQLITE_MISUSE)
    }

    /// Rows matching `phrase` alone, counted up to `enough`.
    fn phrase_rows(&self, phrase: usize, enough: i64) -> Sqlite<i64> {
        let f = present(self.api.xQueryPhrase)?;
        let phrase = c_int::try_from(phrase).map_err(|_| SQLITE_MISUSE)?;
        let mut count = Count { hits: 0, enough };
        // SAFETY: as in `phrases`; `count` outlives the call, which is the only user of the
        // pointer, and `count_hit` reads it as the `Count` it is.
        ok(unsafe { f(self.fts, phrase, (&raw mut count).cast(), Some(count_hit)) })?;
        Ok(count.hits)
    }

    /// This query's [`Query`], set up on its first row and then owned by FTS5.
    fn query(&self) -> Sqlite<NonNull<Query>> {
        let get = present(self.api.xGetAuxdata)?;
        // SAFETY: as in `phrases`; 0 leaves the data in place.
        let mut data = unsafe { get(self.fts, 0) };
        if data.is_null() {
            let set = present(self.api.xSetAuxdata)?;
            let query = Box::into_raw(Box::new(self.new_query()?));
            // SAFETY: as in `phrases`; FTS5 owns the box from here and frees it with
            // `drop_query` (also when this call fails), so it is never freed here.
            ok(unsafe { set(self.fts, query.cast(), Some(drop_query)) })?;
            // SAFETY: as above.
            data = unsafe { get(self.fts, 0) };
        }
        NonNull::new(data.cast::<Query>()).ok_or(SQLITE_NOMEM)
    }

    fn new_query(&self) -> Sqlite<Query> {
        let phrases = self.phrases()?;
        let rows = self.rows()?;
        let average = self.table_tokens()? as f64 / rows as f64;
        let weights = if phrases == 1 {
            // One weight scales every row alike: no need to count.
            vec![1.0]
        } else {
            let enough = crate::enough_hits(rows);
            (0..phrases)
                .map(|p| {
                    self.phrase_rows(p, enough)
                        .map(|hits| crate::idf(rows, hits))
                })
                .collect::<Sqlite<_>>()?
        };
        Ok(Query {
            weights,
            average,
            freqs: vec![0.0; phrases],
        })
    }

    fn score(&self) -> Sqlite<f64> {
        let instances = self.instances()?;
        let mut query = self.query()?;
        // SAFETY: the data is the `Query` that `query` boxed for this cursor, alive until FTS5
        // calls `drop_query` when the query ends; FTS5 runs one function at a time on a
        // connection, so nothing else holds it while this reference lives.
        let query = unsafe { query.as_mut() };
        query.freqs.fill(0.0);
        for i in 0..instances {
            let phrase = self.instance_phrase(i)?;
            if let Some(freq) = query.freqs.get_mut(phrase) {
                *freq += 1.0;
            }
        }
        let tokens = f64::from(self.row_tokens()?);
        Ok(crate::score(
            &query.weights,
            &query.freqs,
            tokens,
            query.average,
        ))
    }
}

struct Count {
    hits: i64,
    enough: i64,
}

/// `xQueryPhrase`'s callback: one call per matching row; `SQLITE_DONE` stops the scan.
unsafe extern "C" fn count_hit(
    _api: *const Fts5ExtensionApi,
    _fts: *mut Fts5Context,
    data: *mut c_void,
) -> c_int {
    // SAFETY: `data` is the `Count` that `phrase_rows` passed, alive for the whole scan and
    // used by nothing else meanwhile.
    let Some(count) = (unsafe { data.cast::<Count>().as_mut() }) else {
        return SQLITE_MISUSE;
    };
    count.hits += 1;
    if count.hits >= count.enough {
        SQLITE_DONE
    } else {
        SQLITE_OK
    }
}

unsafe extern "C" fn drop_query(data: *mut c_void) {
    if !data.is_null() {
        // SAFETY: FTS5 calls this once, with the pointer `Cursor::query` made by
        // `Box::into_raw`.
        drop(unsafe { Box::from_raw(data.cast::<Query>()) });
    }
}

/// The ranking function FTS5 calls once per row; extra arguments are ignored.
unsafe extern "C" fn rank(
    api: *const Fts5ExtensionApi,
    fts: *mut Fts5Context,
    ctx: *mut sqlite3_context,
    _argc: c_int,
    _argv: *mut *mut sqlite3_value,
) {
    // SAFETY: FTS5 passes its API table, valid for the call.
    let result = match unsafe { api.as_ref() } {
        Some(api) => Cursor { api, fts }.score(),
        None => Err(SQLITE_MISUSE),
    };
    match result {
        // SAFETY: `ctx` is the function context SQLite passed for this call.
        Ok(score) => unsafe { ffi::sqlite3_result_double(ctx, score) },
        // SAFETY: as above.
        Err(rc) => unsafe { ffi::sqlite3_result_error_code(ctx, rc) },
    }
}
