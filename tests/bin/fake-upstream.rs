//! The loopback fake upstream as a program, for a person trying the CLI or the app offline:
//!
//! ```text
//! cargo run -p switchboard-tests --bin fake-upstream -- --port 8080
//! OPENROUTER_BASE_URL=http://127.0.0.1:8080/openrouter/api/v1 switchboard ...
//! ```
//!
//! Chat requests get the echo reply in each provider's format. Options: `--port N` (default
//! 8080, 0 for any free port), `--key K` (accept only K; default: any non-empty key),
//! `--management-key K` (may read `/credits`), `--timing` (honour recorded delays), and
//! `--fixture ID` (repeatable: replay these ai-sdk recordings to the first chat requests, then
//! echo). It runs until interrupted (Ctrl-C).

use std::io::Write;
use std::net::SocketAddr;

use switchboard_tests::{FakeUpstream, Reply};

const USAGE: &str =
    "usage: fake-upstream [--port N] [--key K] [--management-key K] [--timing] [--fixture ID]...";

fn main() {
    if let Err(message) = run() {
        eprintln!("fake-upstream: {message}\n{USAGE}");
        std::process::exit(2);
    }
}

fn run() -> Result<(), String> {
    let mut builder = FakeUpstream::builder();
    let mut port: u16 = 8080;
    let mut fixtures = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--port" => {
                let v = value("--port")?;
                port = v.parse().map_err(|e| format!("--port {v}: {e}"))?;
            }
            "--key" => builder = builder.accepted_key(&value("--key")?),
            "--management-key" => builder = builder.management_key(&value("--management-key")?),
            "--timing" => builder = builder.replay_timing(true),
            "--fixture" => fixtures.push(value("--fixture")?),
            "-h" | "--help" => {
                let _ = writeln!(std::io::stdout(), "{USAGE}");
                return Ok(());
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    let fake = builder
        .addr(SocketAddr::from(([127, 0, 0, 1], port)))
        .start()
        .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))?;
    for id in fixtures {
        fake.enqueue(Reply::Fixture(id));
    }
    let mut out = std::io::stdout().lock();
    let lines = [
        format!("fake upstream listening on {}", fake.origin()),
        format!("OPENROUTER_BASE_URL={}", fake.openrouter_base()),
        format!("OPENAI_BASE_URL={}", fake.openai_base()),
        format!("ANTHROPIC_BASE_URL={}", fake.anthropic_base()),
        format!("custom (no key): {}", fake.custom_base()),
        "Ctrl-C to stop".to_owned(),
    ];
    for line in lines {
        writeln!(out, "{line}").map_err(|e| e.to_string())?;
    }
    out.flush().map_err(|e| e.to_string())?;
    drop(out);
    // The server runs on its own thread; this one only keeps the process (and `fake`) alive.
    loop {
        std::thread::park();
    }
}
