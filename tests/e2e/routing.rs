//! Routing: a configuration imported through the engine shows up on the Routing screen; the
//! explain view says why a sample request matched no rule, and after the rule is edited and
//! saved it says the rule matched and names the route.

use fantoccini::Client;
use switchboard_tests::FakeUpstream;

use crate::driver::{Driver, TestResult, app_binary, finish};
use crate::page::{
    click, count, replace_text, screenshot, texts, type_into, wait_for_count, wait_for_text,
};

const KEY: &str = "sk-or-v1-e2e-routing-00000000000000000000";

const ROUTING: &str = r#"
[[routes]]
name = "code"
strategy = "priority"
[[routes.targets]]
provider = "openrouter"
model = "anthropic/claude-sonnet-4"
[[routes.targets]]
provider = "openrouter"
model = "openai/gpt-4o-mini"

[[routes]]
name = "chat"
[[routes.targets]]
provider = "openrouter"
model = "openai/gpt-4o-mini"

[[rules]]
name = "code questions"
when = { task = ["code"] }
then = { route = "code" }
"#;

const RULE: &str = "[data-testid=\"rule-row\"]";
const TRACE: &str = "[data-testid=\"explain-rule\"]";

#[tokio::test]
async fn editing_a_rule_and_saving_changes_what_the_explain_view_says() {
    let Some((app, _turn)) = app_binary().await else {
        return;
    };
    let fake = FakeUpstream::start(KEY);
    let data = tempfile::tempdir().unwrap();
    let driver = Driver::for_fake_with_routing(data.path(), &fake, KEY, ROUTING)
        .await
        .unwrap();

    let c = driver.launch(&app).await.unwrap();
    let result = edit_rule_and_explain(&c).await;
    finish(c, result, "routing-failed.png").await;
}

async fn edit_rule_and_explain(c: &Client) -> TestResult {
    click(c, "#nav-routing").await?;
    wait_for_text(
        c,
        "[data-testid=\"route-card\"][data-route=\"chat\"]",
        |t| t.contains("gpt-4o-mini"),
    )
    .await?;
    let rule = format!("{RULE}[data-rule=\"code questions\"]");
    wait_for_text(c, &rule, |t| t.contains("use route \"code\"")).await?;

    // A sample request tagged "review": the only rule wants "code", so nothing matches.
    type_into(c, "[data-testid=\"explain-task\"]", "review").await?;
    wait_for_text(c, &format!("{TRACE}[data-verdict=\"no_match\"]"), |t| {
        t.contains("code questions")
    })
    .await?;
    wait_for_text(c, "[data-testid=\"explain-summary\"]", |t| !t.is_empty()).await?;

    // Retag the rule, save, and the explain view re-runs against the saved configuration.
    replace_text(
        c,
        &format!("{rule} [data-testid=\"rule-task-input\"]"),
        "review",
    )
    .await?;
    click(c, "[data-testid=\"routing-save\"]").await?;
    wait_for_text(c, &format!("{TRACE}[data-verdict=\"matched\"]"), |t| {
        t.contains("code questions")
    })
    .await?;
    wait_for_text(c, "[data-testid=\"explain-summary\"]", |t| {
        t.contains("rule \"code questions\" → route \"code\"")
    })
    .await?;
    assert_eq!(
        count(c, "[data-testid=\"routing-error\"]").await,
        0,
        "the save was accepted"
    );
    assert!(
        count(
            c,
            "[data-testid=\"explain-candidate\"][data-eligible=\"true\"]"
        )
        .await
            > 0,
        "the code route has eligible targets"
    );

    // Scroll the explain panel into view, let layout settle, keep it for the README.
    c.execute(
        "document.querySelector('[data-testid=\"explain-summary\"]').scrollIntoView({block: 'center'});",
        vec![],
    )
    .await?;
    screenshot(c, "routing-explain.png").await?;
    export_asks_where(c).await
}

/// Export asks where to save in the native dialog (it used to write to Downloads without
/// asking); cancelled, nothing is said to be exported.
async fn export_asks_where(c: &Client) -> TestResult {
    let export = "[data-testid=\"routing-export\"]";
    click(c, export).await?;
    let dialog = crate::consent::wait_for_window("Save export").await?;
    std::fs::write(
        crate::driver::artifact("routing-export-dialog.png"),
        crate::consent::root_screenshot()?,
    )?;
    // Escape answers a GTK dialog with Cancel.
    let status = std::process::Command::new("xdotool")
        .args(["windowfocus", "--sync", &dialog, "key", "Escape"])
        .status()?;
    assert!(status.success(), "xdotool reached the dialog");
    // The button is disabled while the dialog is open: enabled again, the answer is in.
    wait_for_count(c, &format!("{export}:not(:disabled)"), 1).await?;
    let notices = texts(c, "p.notice").await?;
    assert!(
        !notices.iter().any(|n| n.contains("Exported")),
        "a cancelled export says it exported nothing: {notices:?}"
    );
    Ok(())
}
