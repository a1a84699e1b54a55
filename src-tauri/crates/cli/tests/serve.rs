//! `switchboard serve` as a person runs it: it says where it listens once it is ready, and
//! SIGTERM stops it only after the request in flight has had its whole answer.

// Test code: a panic with its message is the failure report, in helpers as in tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use switchboard_tests::{FakeUpstream, Reply};

use crate::harness::{KEY, cli};

const MODEL: &str = "openai/gpt-3.5-turbo";

/// A one-second stream of ten words, so a stop arrives while it is being served.
fn paced_answer() -> switchboard_tests::Scripted {
    let chunks = (0..10)
        .map(|i| {
            let mut c = serde_json::json!({"id": "gen-serve-1", "object": "chat.completion.chunk",
                "model": MODEL, "provider": "OpenAI",
                "choices": [{"index": 0, "delta": {"content": format!("word{i} ")}, "finish_reason": null}]});
            if i == 9 {
                c["choices"][0]["finish_reason"] = "stop".into();
                c["usage"] = serde_json::json!({"prompt_tokens": 8, "completion_tokens": 10,
                    "cost": 0.000019});
            }
            format!("data: {c}\n\n").into_bytes()
        })
        .collect();
    Reply::SsePaced {
        chunks,
        every: Duration::from_millis(100),
    }
    .timed()
}

/// A streamed chat request over a plain socket; the whole response as text.
fn chat(port: u16, key: &str) -> String {
    let body = serde_json::json!({"model": MODEL, "stream": true,
        "messages": [{"role": "user", "content": "Count to ten"}]})
    .to_string();
    let mut socket = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        socket,
        "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\
         Authorization: Bearer {key}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    socket.read_to_string(&mut response).unwrap();
    response
}

#[test]
fn serve_says_where_it_listens_and_sigterm_waits_for_the_request_in_flight() {
    let fake = FakeUpstream::start(KEY);
    let cli = cli(&fake);
    let key = cli.json(&["api-keys", "create", "script", "--json"])["key"]
        .as_str()
        .unwrap()
        .to_owned();
    fake.enqueue(paced_answer());

    let mut cmd = Command::new(env!("CARGO_BIN_EXE_switchboard"));
    for var in switchboard_engine::ENVIRONMENT_VARIABLES {
        cmd.env_remove(var);
    }
    let mut server = cmd
        .args(["serve", "--port", "0"])
        .env("SWITCHBOARD_DATA_DIR", cli.data.path())
        .env("OPENROUTER_BASE_URL", &cli.openrouter_base)
        .env("OPENROUTER_API_KEY", KEY)
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Its first line, once the socket is bound: the address to give the tools.
    let mut first = String::new();
    BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let port: u16 = first
        .trim()
        .strip_prefix("listening on http://127.0.0.1:")
        .unwrap_or_else(|| panic!("the first line names the address: {first:?}"))
        .parse()
        .unwrap();

    let request = std::thread::spawn(move || chat(port, &key));
    // Stop it while the answer is being streamed: once the upstream has the request.
    let deadline = Instant::now() + Duration::from_secs(20);
    while !fake
        .requests()
        .iter()
        .any(|r| r.path.ends_with("/chat/completions"))
    {
        assert!(
            Instant::now() < deadline,
            "the request never reached upstream"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let term = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());

    let response = request.join().unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(
        response.contains("word9") && response.contains("data: [DONE]"),
        "the whole answer, to its end: {response}"
    );
    let status = server.wait().unwrap();
    let mut stderr = String::new();
    server
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(status.success(), "a clean stop: {status}, {stderr}");
    assert!(
        stderr.contains("stopping"),
        "it says it is stopping: {stderr}"
    );
    assert!(
        TcpStream::connect(("127.0.0.1", port)).is_err(),
        "nothing listens after the stop"
    );

    // The answered request is in the ledger under its client, at the provider's cost.
    let spend = cli.json(&["spend", "--by", "client", "--json"]);
    assert!(
        spend.to_string().contains("script") && spend.to_string().contains("0.000019"),
        "{spend}"
    );
}
