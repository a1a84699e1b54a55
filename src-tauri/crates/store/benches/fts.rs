//! Long history at scale: builds once (cached under `/tmp/switchboard-store-bench/`, rebuilt
//! only when missing; about 5 minutes) a database of 1,000,000 messages in about 31,000
//! conversations of 1 to 120 turns and 1 to 3 columns, with a Zipf-distributed vocabulary of
//! 100,000 words, every answer backed by a ledger row as a live chat leaves it, plus one
//! 10,000-turn conversation; then prints, as wall and on-CPU times:
//! - full-text search p50/p95 over a mix of common words, rare words, prefixes and two-word
//!   queries (top 50, as the app asks), checking every hit is highlighted;
//! - opening the database and listing the sidebar's first 50 conversations;
//! - the first page (50 turns) of the 10,000-turn conversation on a freshly opened database.
//!
//! `cargo bench -p switchboard-store --bench fts`; `FTS_BENCH_MESSAGES=n` scales it,
//! `FTS_BENCH_DIR` moves the cache, `FTS_BENCH_ONLY=sidebar|page|search` runs one part and
//! `FTS_BENCH_RUNS=n` repeats the sidebar and page parts n times (7), e.g. under `perf record`,
//! and `FTS_BENCH_DUMP=file` writes every hit, to compare two builds' results.
//! The database is about 2.4 GB; delete the directory when done. A cache built by an older
//! schema is migrated on first use, which is timed and printed apart.

// A benchmark binary: its report is its stdout, and a failed setup may simply panic.
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::time::Instant;

use rusqlite::Connection;
use switchboard_core::{AnswerStats, AnswerStatus, ColumnSpec, ModelParams, Usd};
use switchboard_store::{
    ExportedAnswer, ExportedColumn, ExportedConversation, ExportedTurn, Store, title_from,
};

/// Bumped whenever the generated corpus changes, so a stale cache is never measured.
const CORPUS: u32 = 2;
const BIG_TITLE: &str = "Ten thousand turns";
const BIG_TURNS: usize = 10_000;
/// Rows per search, sidebar entries and turns per page, as the app asks for them.
const SEARCH_LIMIT: u32 = 50;
const SIDEBAR: usize = 50;
const PAGE_TURNS: usize = 50;

/// Real words for the head of the distribution, most frequent first; the long tail is made of
/// generated words.
const HEAD: &[&str] = &[
    "the",
    "to",
    "and",
    "of",
    "a",
    "in",
    "is",
    "it",
    "you",
    "that",
    "for",
    "this",
    "with",
    "on",
    "be",
    "are",
    "as",
    "can",
    "not",
    "or",
    "your",
    "if",
    "an",
    "use",
    "by",
    "from",
    "at",
    "will",
    "model",
    "data",
    "function",
    "code",
    "example",
    "value",
    "which",
    "would",
    "file",
    "need",
    "error",
    "answer",
    "question",
    "return",
    "time",
    "rust",
    "python",
    "memory",
    "query",
    "index",
    "database",
    "server",
    "client",
    "network",
    "request",
    "response",
    "token",
    "latency",
    "budget",
    "invoice",
    "garden",
    "recipe",
    "butter",
    "flour",
    "oven",
    "protein",
    "enzyme",
    "galaxy",
    "orbit",
    "telescope",
    "photon",
    "quantum",
    "lattice",
    "transaction",
    "commit",
    "branch",
    "merge",
    "conflict",
    "closure",
    "iterator",
    "vector",
    "matrix",
    "gradient",
    "neural",
    "weather",
    "storm",
    "harbor",
    "sailing",
    "anchor",
    "island",
    "volcano",
    "glacier",
    "history",
    "empire",
    "treaty",
    "revolution",
    "poetry",
    "sonnet",
    "novel",
    "chapter",
    "market",
    "price",
    "inflation",
    "interest",
    "mortgage",
    "salary",
    "contract",
    "lawyer",
    "doctor",
    "symptom",
    "vaccine",
    "diagnosis",
    "therapy",
    "exercise",
    "marathon",
    "bicycle",
    "guitar",
    "melody",
    "rhythm",
    "concert",
    "painting",
    "sculpture",
    "museum",
    "gallery",
    "coffee",
    "espresso",
    "kettle",
    "breakfast",
    "dinner",
    "spinach",
    "tomato",
    "walrus",
    "narwhal",
    "penguin",
    "falcon",
    "salmon",
    "octopus",
    "coral",
    "reef",
    "forest",
    "because",
    "however",
    "therefore",
    "quickly",
    "slowly",
    "carefully",
    "explain",
    "compare",
    "summarize",
    "translate",
    "improve",
    "debug",
    "deploy",
    "packet",
    "router",
    "firewall",
    "certificate",
    "password",
    "keyboard",
    "monitor",
    "battery",
    "charger",
    "screen",
    "pixel",
    "camera",
    "lens",
];
const SYLLABLES: &[&str] = &[
    "ka", "lo", "mi", "ren", "tas", "vo", "bri", "zen", "dul", "fa", "gor", "hu", "ix", "jo",
    "ple", "qua", "ris", "sto", "tun", "wex", "ny", "os", "cra", "del", "ep", "fiu", "gla", "har",
    "im", "kel",
];
const VOCABULARY: usize = 100_000;

/// A small deterministic generator (xorshift64*), so every run builds the same corpus.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Words by rank and their cumulative Zipf (s = 1) weights.
struct Vocabulary {
    words: Vec<String>,
    cumulative: Vec<f64>,
}

impl Vocabulary {
    fn new() -> Self {
        let mut words: Vec<String> = HEAD.iter().map(|w| (*w).to_owned()).collect();
        let mut k = 0usize;
        while words.len() < VOCABULARY {
            // Base-30 digits of k as syllables, at least two of them.
            let (mut word, mut rest, mut digits) = (String::new(), k, 0);
            while rest > 0 || digits < 2 {
                word.push_str(SYLLABLES[rest % SYLLABLES.len()]);
                rest /= SYLLABLES.len();
                digits += 1;
            }
            words.push(word);
            k += 1;
        }
        let mut total = 0.0;
        let cumulative = (1..=words.len())
            .map(|rank| {
                total += 1.0 / rank as f64;
                total
            })
            .collect();
        Self { words, cumulative }
    }

    fn word(&self, rng: &mut Rng) -> &str {
        let total = self.cumulative[self.cumulative.len() - 1];
        let at = rng.unit() * total;
        let i = self.cumulative.partition_point(|&c| c < at);
        &self.words[i.min(self.words.len() - 1)]
    }

    fn text(&self, rng: &mut Rng, min: usize, max: usize) -> String {
        let n = min + rng.below(max - min + 1);
        let mut s = String::new();
        for i in 0..n {
            if i > 0 {
                s.push(if rng.below(12) == 0 { '\n' } else { ' ' });
            }
            s.push_str(self.word(rng));
            if rng.below(10) == 0 {
                s.push(',');
            }
        }
        s.push('.');
        s
    }
}

fn conversation(
    vocabulary: &Vocabulary,
    rng: &mut Rng,
    turns: usize,
    columns: usize,
    at_ms: i64,
) -> ExportedConversation {
    let stats = AnswerStats {
        prompt_tokens: 100,
        completion_tokens: 200,
        cost: Some(Usd::from_pico(1_000_000)),
        cost_source: "provider".into(),
        ..AnswerStats::default()
    };
    let turns: Vec<ExportedTurn> = (0..turns)
        .map(|i| ExportedTurn {
            parent: i.checked_sub(1),
            text: vocabulary.text(rng, 4, 30),
            attachments: Vec::new(),
            created_ms: at_ms + i as i64,
            answers: (0..columns)
                .map(|column| ExportedAnswer {
                    column,
                    attempt: 1,
                    selected: true,
                    content: vocabulary.text(rng, 20, 160),
                    reasoning: String::new(),
                    reasoning_details: None,
                    tool_calls: Vec::new(),
                    status: AnswerStatus::Complete,
                    error: None,
                    stats: stats.clone(),
                    created_ms: at_ms + i as i64,
                })
                .collect(),
        })
        .collect();
    ExportedConversation {
        title: title_from(&turns[0].text),
        renamed: false,
        pinned: false,
        created_ms: at_ms,
        updated_ms: at_ms + turns.len() as i64,
        columns: (0..columns)
            .map(|i| ExportedColumn {
                spec: ColumnSpec {
                    provider: "openrouter".parse().expect("a builtin provider id"),
                    model: format!("bench/model-{i}"),
                    params: ModelParams::default(),
                },
                active: true,
            })
            .collect(),
        displayed_leaf: turns.len().checked_sub(1),
        turns,
    }
}

/// Builds the corpus: conversations of 1 to about 120 turns (most short) and 1 to 3 columns,
/// the 10,000-turn one in the middle of the history, a few pinned.
fn build(path: &Path, messages: usize) {
    let vocabulary = Vocabulary::new();
    let store = Store::open(path).expect("create the bench database");
    let mut rng = Rng(0x5EED_CAFE_F00D_BEEF);
    let (mut written, mut n) = (0usize, 0i64);
    let started = Instant::now();
    let big_at = messages / 2;
    let mut big_done = false;
    while written < messages {
        let at_ms = 1_700_000_000_000 + n * 3_600_000;
        n += 1;
        if !big_done && written >= big_at {
            let id = store
                .import_conversation(&conversation(&vocabulary, &mut rng, BIG_TURNS, 1, at_ms))
                .unwrap();
            store.rename_conversation(&id, BIG_TITLE).unwrap();
            big_done = true;
            continue;
        }
        // Geometric-ish sizes: half the conversations have at most 8 turns.
        let turns = 1 + (-(1.0 - rng.unit()).ln() * 12.0) as usize;
        let turns = turns.min(120);
        let columns = match rng.below(20) {
            0..=11 => 1,
            12..=16 => 2,
            _ => 3,
        };
        let doc = conversation(&vocabulary, &mut rng, turns, columns, at_ms);
        let id = store.import_conversation(&doc).unwrap();
        if rng.below(3000) == 0 {
            store.pin_conversation(&id, true).unwrap();
        }
        written += turns * (1 + columns);
    }
    drop(store);
    // Answers chatted live read their numbers from a ledger row, not from recorded stats.
    let conn = Connection::open(path).unwrap();
    conn.execute_batch(
        "BEGIN;
         INSERT INTO ledger (id, created_ms, provider_id, model, prompt_tokens, completion_tokens,
             cost_pico, cost_source, outcome, conversation_id)
         SELECT a.id, a.created_ms, k.provider_id, k.model, 100, 200, a.stats_cost_pico,
             'provider', 'ok', k.conversation_id
         FROM answer a JOIN conversation_column k ON k.id = a.column_id;
         UPDATE answer SET ledger_id = id, stats_json = NULL, stats_cost_pico = NULL;
         COMMIT;
         PRAGMA wal_checkpoint(TRUNCATE);",
    )
    .unwrap();
    println!(
        "built {written} messages in {n} conversations, one of {BIG_TURNS} turns, in {:.0} s",
        started.elapsed().as_secs_f64()
    );
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(started: Instant) -> f64 {
    started.elapsed().as_secs_f64() * 1000.0
}

/// This thread's time on a CPU so far, in ms (NaN where there is no such clock). The machine
/// this runs on is shared, and wall time there mostly measures the neighbours; SQLite does
/// all its work on the calling thread, so on-CPU time is the figure that compares between
/// runs.
fn cpu_ms() -> f64 {
    #[cfg(unix)]
    {
        let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
        t.tv_sec as f64 * 1e3 + t.tv_nsec as f64 / 1e6
    }
    #[cfg(not(unix))]
    {
        f64::NAN
    }
}

/// Wall and on-CPU milliseconds of a series of runs.
#[derive(Default)]
struct Times {
    wall: Vec<f64>,
    cpu: Vec<f64>,
}

impl Times {
    fn time<T>(&mut self, work: impl FnOnce() -> T) -> T {
        let (started, cpu) = (Instant::now(), cpu_ms());
        let out = work();
        self.cpu.push(cpu_ms() - cpu);
        self.wall.push(ms(started));
        out
    }

    /// The 95th percentile of wall time, ms.
    fn p95(&self) -> f64 {
        let mut wall = self.wall.clone();
        wall.sort_by(f64::total_cmp);
        percentile(&wall, 0.95)
    }

    fn last_cpu(&self) -> f64 {
        self.cpu.last().copied().unwrap_or(f64::NAN)
    }

    /// `p50 a ms, p95 b ms, max c ms (on-CPU: p50 d, p95 e, max f)`.
    fn summary(&self) -> String {
        let sorted = |v: &[f64]| {
            let mut v = v.to_vec();
            v.sort_by(f64::total_cmp);
            v
        };
        let (wall, cpu) = (sorted(&self.wall), sorted(&self.cpu));
        let max = |v: &[f64]| v[v.len() - 1];
        format!(
            "p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms (on-CPU p50 {:.1}, p95 {:.1}, max {:.1})",
            percentile(&wall, 0.5),
            percentile(&wall, 0.95),
            max(&wall),
            percentile(&cpu, 0.5),
            percentile(&cpu, 0.95),
            max(&cpu),
        )
    }
}

/// The query mix, by kind: what people type into a search box.
fn queries(vocabulary: &Vocabulary) -> Vec<(&'static str, String)> {
    let mut rng = Rng(42);
    let mut rank = |from: usize, to: usize| vocabulary.words[from + rng.below(to - from)].clone();
    let mut out = Vec::new();
    for i in 0..100 {
        out.push(("common word", rank(0, 150)));
        out.push(("rare word", rank(20_000, VOCABULARY)));
        let word = rank(28, 3_000);
        let cut = 2 + i % 3;
        let prefix: String = word.chars().take(cut).collect();
        out.push(("prefix", prefix));
        let two = if i % 2 == 0 {
            format!("{} {}", rank(0, 150), rank(150, 5_000))
        } else {
            format!("{} {}", rank(150, 5_000), rank(150, 20_000))
        };
        out.push(("two words", two));
    }
    out
}

fn search(store: &Store, vocabulary: &Vocabulary, messages: usize) {
    let mut by_kind: Vec<(&str, Times)> = Vec::new();
    let mut all = Times::default();
    let mut slowest: Vec<(f64, String)> = Vec::new();
    let (mut hits, mut empty) = (0usize, 0usize);
    let mut dump = String::new();
    // One warm-up pass over a few queries: the app's search box is used after launch, not as
    // the very first statement on a cold connection.
    for (_, q) in queries(vocabulary).iter().take(8) {
        store.search(q, SEARCH_LIMIT).unwrap();
    }
    for (kind, query) in queries(vocabulary) {
        let times = match by_kind.iter().position(|(k, _)| *k == kind) {
            Some(i) => &mut by_kind[i].1,
            None => {
                by_kind.push((kind, Times::default()));
                &mut by_kind.last_mut().unwrap().1
            }
        };
        let found = times.time(|| store.search(&query, SEARCH_LIMIT).unwrap());
        let cpu = times.last_cpu();
        all.wall.push(times.wall[times.wall.len() - 1]);
        all.cpu.push(cpu);
        slowest.push((cpu, query.clone()));
        hits += found.len();
        empty += usize::from(found.is_empty());
        for hit in &found {
            assert!(
                !hit.highlights.is_empty(),
                "hit for {query:?} without highlights: {}",
                hit.snippet
            );
            use std::fmt::Write as _;
            let _ = writeln!(
                dump,
                "{query}\t{}\t{:?}\t{:?}\t{:?}",
                hit.turn_id, hit.answer_id, hit.snippet, hit.highlights
            );
        }
    }
    println!(
        "search, {} queries, top {SEARCH_LIMIT}: {}  (goal p95 <= 50 ms; {hits} hits, {empty} found nothing)",
        all.wall.len(),
        all.summary()
    );
    println!(
        "BENCH|search over {messages} messages p95|{:.1}|ms|-|<= 50",
        all.p95()
    );
    for (kind, times) in &by_kind {
        println!("  {kind:<12} {}", times.summary());
    }
    if let Some(file) = std::env::var_os("FTS_BENCH_DUMP") {
        std::fs::write(file, dump).unwrap();
    }
    slowest.sort_by(|a, b| b.0.total_cmp(&a.0));
    let slowest: Vec<String> = slowest
        .iter()
        .take(5)
        .map(|(cpu, q)| format!("{q:?} {cpu:.0}"))
        .collect();
    println!("  slowest on-CPU (ms): {}", slowest.join(", "));
}

fn main() {
    let messages: usize = std::env::var("FTS_BENCH_MESSAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = std::env::var_os("FTS_BENCH_DIR").map_or_else(
        || PathBuf::from("/tmp/switchboard-store-bench"),
        PathBuf::from,
    );
    let path = dir.join(format!("messages-{messages}-corpus{CORPUS}.db"));
    if !path.exists() {
        std::fs::create_dir_all(&dir).unwrap();
        build(&path, messages);
    }
    // A cache built by an older schema migrates on its first open; that is timed apart.
    let started = Instant::now();
    let store = Store::open(&path).expect("open the bench database");
    let opened = ms(started);
    if opened > 1_000.0 {
        println!("first open (migrating the cached database): {opened:.0} ms");
    }
    for entry in std::fs::read_dir(&dir).unwrap().flatten() {
        if entry.file_name().to_string_lossy().ends_with(".bak") {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    drop(store);
    // Found directly: listing every conversation would cost more than all that is measured.
    let big = Connection::open(&path)
        .unwrap()
        .query_row(
            "SELECT id FROM conversation WHERE title = ?1",
            [BIG_TITLE],
            |r| r.get::<_, String>(0),
        )
        .map(switchboard_core::ConversationId::from)
        .expect("the cached database has the big conversation");

    println!("database: {} ({messages} messages)", path.display());
    let vocabulary = Vocabulary::new();

    let only = std::env::var("FTS_BENCH_ONLY").ok();
    let part = |name: &str| only.as_deref().is_none_or(|o| o == name);
    let runs: usize = std::env::var("FTS_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(7);

    // Opening and the sidebar, each on a fresh connection (an empty SQLite page cache; the
    // file itself is in the OS cache, as after any recent use).
    let (mut open_list, mut open_only) = (Times::default(), Times::default());
    for _ in 0..runs * usize::from(part("sidebar")) {
        open_list.time(|| {
            let store = open_only.time(|| Store::open(&path).unwrap());
            let first = store.conversation_summaries_after(None, SIDEBAR).unwrap();
            assert_eq!(first.len(), SIDEBAR);
        });
    }
    if part("sidebar") {
        println!(
            "open + first {SIDEBAR} conversations of the sidebar: {}  (goal <= 100 ms)",
            open_list.summary()
        );
        println!("  open alone: {}", open_only.summary());
        println!(
            "BENCH|open {messages} messages + first {SIDEBAR} sidebar rows p95|{:.1}|ms|-|<= 100",
            open_list.p95()
        );
    }

    let (mut first_page, mut again) = (Times::default(), Times::default());
    for _ in 0..runs * usize::from(part("page")) {
        let store = Store::open(&path).unwrap();
        let (view, skipped) =
            first_page.time(|| store.conversation_window(&big, None, PAGE_TURNS).unwrap());
        assert_eq!(
            (view.turns.len(), skipped),
            (PAGE_TURNS, BIG_TURNS - PAGE_TURNS)
        );
        again.time(|| store.conversation_window(&big, None, PAGE_TURNS).unwrap());
    }
    if part("page") {
        println!(
            "first page ({PAGE_TURNS} turns) of a {BIG_TURNS}-turn conversation, fresh connection: {}  (goal: the app's first painted turn <= 150 ms)",
            first_page.summary()
        );
        println!("  again, same connection: {}", again.summary());
        println!(
            "BENCH|store: first {PAGE_TURNS} of {BIG_TURNS} turns, fresh connection p95|{:.1}|ms|-|-",
            first_page.p95()
        );
    }

    if part("search") {
        let store = Store::open(&path).unwrap();
        search(&store, &vocabulary, messages);
    }
}
