//! Full-text search at scale: builds (once, reused under `target/fts-bench/`) a database of
//! 1,000,000 messages of varied pseudo-random sentences, then times ~200 searches of 1–3 words
//! and the load of a 10,000-turn conversation.
//!
//! `cargo bench -p switchboard-store --bench fts`; `FTS_BENCH_MESSAGES=n` scales it.

// A benchmark binary: its report is its stdout, and a failed setup may simply panic.
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::time::Instant;

use switchboard_core::{AnswerStats, AnswerStatus, ColumnSpec, ModelParams, Usd};
use switchboard_store::{
    ExportedAnswer, ExportedColumn, ExportedConversation, ExportedTurn, Store,
};

const WORDS: &[&str] = &[
    "the",
    "model",
    "answer",
    "question",
    "river",
    "mountain",
    "compile",
    "rust",
    "memory",
    "latency",
    "token",
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
    "database",
    "index",
    "query",
    "transaction",
    "commit",
    "branch",
    "merge",
    "conflict",
    "python",
    "function",
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
    "tea",
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
    "and",
    "or",
    "with",
    "without",
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
    "server",
    "client",
    "network",
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

    /// Zipf-ish word choice: common words much more often than rare ones.
    fn word(&mut self) -> &'static str {
        let a = self.below(WORDS.len());
        let b = self.below(WORDS.len());
        WORDS[a.min(b)]
    }

    fn sentence(&mut self, min: usize, max: usize) -> String {
        let n = min + self.below(max - min + 1);
        let mut s = String::new();
        for i in 0..n {
            if i > 0 {
                s.push(' ');
            }
            s.push_str(self.word());
        }
        s.push('.');
        s
    }
}

fn conversation(rng: &mut Rng, turns: usize) -> ExportedConversation {
    let stats = AnswerStats {
        prompt_tokens: 100,
        completion_tokens: 200,
        cost: Some(Usd::from_pico(1_000_000)),
        cost_source: "provider".into(),
        ..AnswerStats::default()
    };
    ExportedConversation {
        title: rng.sentence(3, 6),
        renamed: false,
        pinned: false,
        created_ms: 1,
        updated_ms: 1,
        columns: vec![ExportedColumn {
            spec: ColumnSpec {
                provider: "openrouter".parse().expect("a builtin provider id"),
                model: "bench/model".into(),
                params: ModelParams::default(),
            },
            active: true,
        }],
        turns: (0..turns)
            .map(|i| ExportedTurn {
                parent: i.checked_sub(1),
                text: rng.sentence(5, 25),
                attachments: Vec::new(),
                created_ms: 1,
                answers: vec![ExportedAnswer {
                    column: 0,
                    attempt: 1,
                    selected: true,
                    content: format!("{} {}", rng.sentence(10, 40), rng.sentence(5, 30)),
                    reasoning: String::new(),
                    reasoning_details: None,
                    tool_calls: Vec::new(),
                    status: AnswerStatus::Complete,
                    error: None,
                    stats: stats.clone(),
                    created_ms: 1,
                }],
            })
            .collect(),
        displayed_leaf: turns.checked_sub(1),
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn main() {
    let messages: usize = std::env::var("FTS_BENCH_MESSAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../target"),
        PathBuf::from,
    );
    let path = target
        .join("fts-bench")
        .join(format!("messages-{messages}.db"));
    let fresh = !path.exists();
    let store = Store::open(&path).expect("open the bench database");
    let big_id = if fresh {
        let started = Instant::now();
        let mut rng = Rng(0x5EED_CAFE_F00D_BEEF);
        // 500 turns + 500 answers per conversation; each conversation is one transaction.
        let per = 500;
        for _ in 0..messages.div_ceil(2 * per) {
            store
                .import_conversation(&conversation(&mut rng, per))
                .unwrap();
        }
        let big = store
            .import_conversation(&conversation(&mut rng, 10_000))
            .unwrap();
        store.rename_conversation(&big, "the big one").unwrap();
        println!(
            "built {messages} messages + a 10,000-turn conversation in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        big
    } else {
        store
            .conversation_summaries()
            .unwrap()
            .into_iter()
            .find(|s| s.title == "the big one")
            .expect("the reused database has the big conversation")
            .id
    };

    let mut rng = Rng(42);
    let mut times = Vec::new();
    let mut total_hits = 0;
    for _ in 0..200 {
        let words = 1 + rng.below(3);
        let query: Vec<&str> = (0..words).map(|_| WORDS[rng.below(WORDS.len())]).collect();
        let query = query.join(" ");
        let started = Instant::now();
        total_hits += store.search(&query, 20).unwrap().len();
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "search over {messages} messages, 200 queries of 1-3 words, top 20: p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms ({total_hits} hits)",
        percentile(&times, 0.5),
        percentile(&times, 0.95),
        times[times.len() - 1]
    );

    let started = Instant::now();
    let view = store.conversation_view(&big_id).unwrap();
    println!(
        "loading a {}-turn conversation view: {:.1} ms",
        view.turns.len(),
        started.elapsed().as_secs_f64() * 1000.0
    );
}
