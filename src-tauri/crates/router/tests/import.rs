//! Route files that would hang a request, stall every command or wipe the configuration are
//! refused at import, naming the line (D15), and names that could rewrite a terminal are
//! refused (D17).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use switchboard_router::bounds::{
    MAX_ATTEMPTS, MAX_FILE_BYTES, MAX_NAME_CHARS, MAX_ROUTES, MAX_RULES, MAX_TARGETS, MAX_WAIT_MS,
};
use switchboard_router::{ConfigError, NameError, check_name, from_toml, is_blank};

/// A valid file; the tests change one thing in it. Line 2 is the route, 4 its first target,
/// 8 its failover table, 11 the rule, 16 the limit.
const BASE: &str = r#"
[[routes]]
name = "code"
[[routes.targets]]
provider = "openrouter"
model = "deepseek/deepseek-chat"

[routes.failover]
mode = "delayed"

[[rules]]
name = "code questions"
when = { task = ["code"] }
then = { route = "code" }

[[limits]]
provider = "openrouter"
rpm = 60
"#;

fn refused(text: &str) -> ConfigError {
    match from_toml(text) {
        Ok(config) => panic!("accepted: {config:?}"),
        Err(err) => err,
    }
}

fn with_failover(line: &str) -> String {
    BASE.replace("mode = \"delayed\"", &format!("mode = \"delayed\"\n{line}"))
}

#[test]
fn the_base_file_is_accepted() {
    let config = from_toml(BASE).unwrap();
    assert_eq!(config.routes.len(), 1);
    let at_bounds = with_failover(&format!(
        "wait_ms = {MAX_WAIT_MS}\nbase_ms = {MAX_WAIT_MS}\nmax_ms = {MAX_WAIT_MS}\n\
         max_attempts = {MAX_ATTEMPTS}\nretries_per_target = {MAX_ATTEMPTS}"
    ));
    assert!(
        from_toml(&at_bounds).is_ok(),
        "the bounds themselves are allowed"
    );
}

#[test]
fn failover_waits_past_ten_minutes_are_refused_on_the_routes_line() {
    for key in ["wait_ms", "base_ms", "max_ms", "max_retry_after_ms"] {
        for value in [u64::from(MAX_WAIT_MS) + 1, u64::from(u32::MAX)] {
            let err = refused(&with_failover(&format!("{key} = {value}")));
            assert_eq!(err.line, Some(2), "{key} = {value}: {err}");
            assert!(
                err.message
                    .contains(&format!("failover.{key} {value} is above 600000")),
                "{err}"
            );
        }
    }
}

#[test]
fn attempts_and_retries_past_twenty_are_refused() {
    for (key, value) in [
        ("max_attempts", 0_u64),
        ("max_attempts", 21),
        ("max_attempts", u64::from(u32::MAX)),
        ("retries_per_target", 21),
        ("retries_per_target", u64::from(u32::MAX)),
    ] {
        let err = refused(&with_failover(&format!("{key} = {value}")));
        assert_eq!(err.line, Some(2), "{key} = {value}: {err}");
        assert!(
            err.message.contains(&format!("failover.{key} {value}")),
            "{err}"
        );
    }
}

#[test]
fn a_limit_of_zero_per_minute_is_refused_on_its_line() {
    for (from, to) in [("rpm = 60", "rpm = 0"), ("rpm = 60", "tpm = 0")] {
        let err = refused(&BASE.replace(from, to));
        assert_eq!(err.line, Some(16), "{to}: {err}");
        assert!(err.message.contains("would refuse every request"), "{err}");
    }
    assert!(from_toml(&BASE.replace("rpm = 60", "rpm = 1")).is_ok());
    assert!(from_toml(&BASE.replace("rpm = 60", "tpm = 1")).is_ok());
}

#[test]
fn a_file_over_one_mebibyte_is_refused_before_it_is_parsed() {
    let padding = "#".repeat(MAX_FILE_BYTES);
    let err = refused(&format!("{BASE}{padding}"));
    assert_eq!(err.line, None);
    assert!(
        err.message.contains("at most 1048576 bytes (1 MiB)"),
        "{err}"
    );
    // Just under the cap it is read as usual (the padding is a comment).
    let fits = format!("{BASE}{}", &padding[..MAX_FILE_BYTES - BASE.len()]);
    assert!(from_toml(&fits).is_ok());
}

#[test]
fn too_many_routes_rules_or_targets_are_refused_at_the_first_one_past_the_cap() {
    let route = |i: usize| {
        format!(
            "[[routes]]\nname = \"r{i}\"\n[[routes.targets]]\nprovider = \"openai\"\nmodel = \"m\"\n"
        )
    };
    let routes: String = (0..=MAX_ROUTES).map(route).collect();
    let err = refused(&routes);
    assert_eq!(err.line, Some(5 * MAX_ROUTES + 1), "{err}");
    assert!(
        err.message
            .contains("1001 routes; a configuration holds at most 1000"),
        "{err}"
    );
    let under: String = (0..MAX_ROUTES).map(route).collect();
    assert!(from_toml(&under).is_ok(), "1,000 routes are allowed");

    let rule = |i: usize| format!("[[rules]]\nname = \"x{i}\"\nthen = {{ route = \"code\" }}\n");
    let rules: String = (0..MAX_RULES).map(rule).collect();
    let err = refused(&format!("{BASE}{rules}"));
    assert!(err.message.contains("1001 rules"), "{err}");

    let target = "[[routes.targets]]\nprovider = \"openai\"\nmodel = \"m\"\n";
    let many = format!(
        "[[routes]]\nname = \"wide\"\n{}",
        target.repeat(MAX_TARGETS + 1)
    );
    let err = refused(&many);
    assert_eq!(err.line, Some(3 + 3 * MAX_TARGETS), "{err}");
    assert!(err.message.contains("101 targets"), "{err}");
}

#[test]
fn long_names_are_refused_without_being_echoed() {
    let long = "n".repeat(MAX_NAME_CHARS + 1);
    let err = refused(&BASE.replace("name = \"code\"", &format!("name = \"{long}\"")));
    assert_eq!(err.line, Some(2), "{err}");
    assert!(
        err.message.contains("is 201 characters long; at most 200"),
        "{err}"
    );
    assert!(
        !err.message.contains(&long),
        "the name itself is not repeated"
    );

    let err = refused(&BASE.replace("name = \"code questions\"", &format!("name = \"{long}\"")));
    assert_eq!(err.line, Some(11), "{err}");
    let err = refused(&BASE.replace("deepseek/deepseek-chat", &long));
    assert_eq!(err.line, Some(4), "{err}");
    assert!(
        err.message.contains("the model id is 201 characters long"),
        "{err}"
    );
    let at_cap = "n".repeat(MAX_NAME_CHARS);
    assert!(from_toml(&BASE.replace("deepseek/deepseek-chat", &at_cap)).is_ok());
}

#[test]
fn control_characters_and_bidi_overrides_in_names_are_refused() {
    for (bad, code) in [
        ("\\u001b[31mred", "U+001B"),
        ("nul\\u0000", "U+0000"),
        ("\\u202Eevil", "U+202E"),
        ("\\u2066isolate", "U+2066"),
        ("c1\\u009b", "U+009B"),
    ] {
        let err = refused(&BASE.replace("name = \"code\"", &format!("name = \"{bad}\"")));
        assert_eq!(err.line, Some(2), "{bad}: {err}");
        assert!(err.message.contains(code), "{bad}: {err}");
        let err = refused(&BASE.replace("deepseek/deepseek-chat", bad));
        assert_eq!(err.line, Some(4), "{bad}: {err}");
    }
}

#[test]
fn the_name_rule_is_shared() {
    assert_eq!(check_name("  "), Err(NameError::Empty));
    assert_eq!(check_name(&"x".repeat(201)), Err(NameError::TooLong(201)));
    assert_eq!(check_name("a\u{1b}b"), Err(NameError::Control('\u{1b}')));
    assert_eq!(
        check_name("日本語のルート"),
        Ok(()),
        "any visible text is fine"
    );
}

#[test]
fn blank_documents_are_recognised() {
    assert!(is_blank(""));
    assert!(is_blank("  \n\t\n"));
    assert!(is_blank("# routing\n   # all gone\n\r\n"));
    assert!(is_blank("\u{feff}# a file saved with a byte-order mark\n"));
    assert!(!is_blank(BASE));
    assert!(
        !is_blank("[breaker]\n"),
        "a table, even empty, is a configuration"
    );
    assert!(!is_blank("routes = []"));
}

#[test]
fn client_conditions_are_read_and_checked_like_every_other_list() {
    let with_client = |client: &str| {
        BASE.replace(
            "when = { task = [\"code\"] }",
            &format!(
                "when = {{ client = [\"{client}\"], model = [\"anthropic/claude-sonnet-*\"] }}"
            ),
        )
    };
    let config = from_toml(&with_client("claude-code")).unwrap();
    assert_eq!(config.rules[0].when.client, ["claude-code"]);
    let err = refused(&with_client("\\u202Eedoc-edualc"));
    assert_eq!(err.line, Some(11), "{err}");
    assert!(err.message.contains("when.client"), "{err}");
    assert!(err.message.contains("U+202E"), "{err}");
}
