//! Reading and acting on the page without racing the UI.
//!
//! The app re-renders while a test looks at it: the streaming renderer replaces an answer's
//! nodes every frame, lists are keyed and virtualized. A WebDriver element reference found by
//! one command and read by the next can be detached in between, which WebKitWebDriver reports
//! as an error with an empty message. So every read here is one script that finds *and* reads
//! in the same turn of the page's event loop (nothing can re-render in between), and every
//! action that needs an element reference retries on a stale or not-yet-interactable element
//! until its deadline. Waits poll for a state, never for a time.

use std::time::{Duration, Instant};

use fantoccini::error::CmdError;
use fantoccini::{Client, Locator};
use serde_json::Value;

use crate::driver::TestResult;

/// How long a wait for the UI to reach a state may take before the test fails.
pub(crate) const DEADLINE: Duration = Duration::from_secs(20);

/// How often a wait looks again.
const POLL: Duration = Duration::from_millis(100);

/// The rendered text of every element matching `css`, read in one script. `innerText`
/// reflects only what CSS renders, like WebDriver's text; it is trimmed and non-breaking
/// spaces become spaces, as WebDriver's text does.
pub(crate) async fn texts(c: &Client, css: &str) -> TestResult<Vec<String>> {
    let found = c
        .execute(
            "return Array.from(document.querySelectorAll(arguments[0]), \
             (e) => (e.innerText || '').replace(/\\u00a0/g, ' ').trim());",
            vec![Value::from(css)],
        )
        .await
        .map_err(|e| describe(&e, css))?;
    Ok(strings(found))
}

/// The value of attribute `name` on every element matching `css` (empty when absent).
pub(crate) async fn attrs(c: &Client, css: &str, name: &str) -> TestResult<Vec<String>> {
    let found = c
        .execute(
            "return Array.from(document.querySelectorAll(arguments[0]), \
             (e) => e.getAttribute(arguments[1]) || '');",
            vec![Value::from(css), Value::from(name)],
        )
        .await
        .map_err(|e| describe(&e, css))?;
    Ok(strings(found))
}

/// The current `value` of the first form control matching `css`.
pub(crate) async fn value(c: &Client, css: &str) -> TestResult<Option<String>> {
    let found = c
        .execute(
            "const e = document.querySelector(arguments[0]); return e ? String(e.value) : null;",
            vec![Value::from(css)],
        )
        .await
        .map_err(|e| describe(&e, css))?;
    Ok(found.as_str().map(str::to_owned))
}

/// Waits until the first form control matching `css` has the value `want`.
pub(crate) async fn wait_for_value(c: &Client, css: &str, want: &str) -> TestResult {
    let deadline = std::time::Instant::now() + DEADLINE;
    loop {
        let got = value(c, css).await?;
        if got.as_deref() == Some(want) {
            return Ok(());
        }
        if std::time::Instant::now() > deadline {
            return Err(format!("{css} has value {got:?}, not {want:?}").into());
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// How many elements match `css` now.
pub(crate) async fn count(c: &Client, css: &str) -> usize {
    texts_len(c, css).await.unwrap_or(0)
}

async fn texts_len(c: &Client, css: &str) -> TestResult<usize> {
    let n = c
        .execute(
            "return document.querySelectorAll(arguments[0]).length;",
            vec![Value::from(css)],
        )
        .await
        .map_err(|e| describe(&e, css))?;
    Ok(n.as_u64()
        .and_then(|n| usize::try_from(n).ok())
        .unwrap_or(0))
}

/// Waits until exactly `n` elements match `css`.
pub(crate) async fn wait_for_count(c: &Client, css: &str, n: usize) -> TestResult {
    let deadline = Instant::now() + DEADLINE;
    loop {
        let now = texts_len(c, css).await?;
        if now == n {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("expected {n} × {css}, found {now}").into());
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Waits until nothing matches `css`.
pub(crate) async fn wait_gone(c: &Client, css: &str) -> TestResult {
    wait_for_count(c, css, 0).await
}

/// Waits until the first element matching `css` shows text for which `ok` holds; returns
/// that text.
pub(crate) async fn wait_for_text(
    c: &Client,
    css: &str,
    ok: impl Fn(&str) -> bool,
) -> TestResult<String> {
    let deadline = Instant::now() + DEADLINE;
    loop {
        let now = texts(c, css).await?;
        if let Some(first) = now.first()
            && ok(first)
        {
            return Ok(first.clone());
        }
        if Instant::now() > deadline {
            let html = c
                .execute(
                    "const e = document.querySelector(arguments[0]); \
                     return e ? e.outerHTML : '(no such element)';",
                    vec![Value::from(css)],
                )
                .await
                .unwrap_or_default();
            return Err(format!(
                "timed out waiting on {css}; last text: {:?}; html: {}",
                now.first(),
                html.as_str().unwrap_or_default()
            )
            .into());
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Waits until the first element matching `css` has attribute `name` equal to `want`.
pub(crate) async fn wait_for_attr(c: &Client, css: &str, name: &str, want: &str) -> TestResult {
    let deadline = Instant::now() + DEADLINE;
    loop {
        let now = attrs(c, css, name).await?;
        if now.first().map(String::as_str) == Some(want) {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("{css} [{name}] is {:?}, not {want:?}", now.first()).into());
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Waits until exactly `n` elements match `css` and every one's text satisfies `ok`;
/// returns their texts.
pub(crate) async fn wait_all(
    c: &Client,
    css: &str,
    n: usize,
    ok: impl Fn(&str) -> bool,
) -> TestResult<Vec<String>> {
    let deadline = Instant::now() + DEADLINE;
    loop {
        let now = texts(c, css).await?;
        if now.len() == n && now.iter().all(|t| ok(t)) {
            return Ok(now);
        }
        if Instant::now() > deadline {
            return Err(format!("timed out on {css}: {now:?}").into());
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Waits until at least `n` elements match `css` with text satisfying `ok`.
pub(crate) async fn wait_some(
    c: &Client,
    css: &str,
    n: usize,
    ok: impl Fn(&str) -> bool,
) -> TestResult<Vec<String>> {
    let deadline = Instant::now() + DEADLINE;
    loop {
        let now = texts(c, css).await?;
        if now.iter().filter(|t| ok(t)).count() >= n {
            return Ok(now);
        }
        if Instant::now() > deadline {
            return Err(format!("timed out waiting for {n} × {css}: {now:?}").into());
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Clicks the first element matching `css` once it exists and can be clicked. A reference
/// that went stale (the element was re-rendered between finding and clicking) or an element
/// not yet interactable is looked up again; any other error fails at once.
pub(crate) async fn click(c: &Client, css: &str) -> TestResult {
    act(c, css, |el| async move { el.click().await.map(drop) }).await
}

/// Types `text` into the first element matching `css`, retrying like [`click`].
pub(crate) async fn type_into(c: &Client, css: &str, text: &str) -> TestResult {
    act(c, css, |el| async move { el.send_keys(text).await }).await
}

/// Clears the first form control matching `css`, then types `text` into it.
pub(crate) async fn replace_text(c: &Client, css: &str, text: &str) -> TestResult {
    act(c, css, |el| async move {
        el.clear().await?;
        el.send_keys(text).await
    })
    .await
}

/// Chooses the `<option>` with `value` in the `<select>` matching `css`.
pub(crate) async fn select(c: &Client, css: &str, value: &str) -> TestResult {
    act(c, css, |el| async move {
        el.select_by_value(value).await.map(drop)
    })
    .await
}

/// Runs `action` on the first element matching `css`, looking it up again while it is
/// missing, stale or not interactable, until [`DEADLINE`].
pub(crate) async fn act<F, Fut>(c: &Client, css: &str, action: F) -> TestResult
where
    F: Fn(fantoccini::elements::Element) -> Fut,
    Fut: std::future::Future<Output = Result<(), CmdError>>,
{
    act_on(c, Locator::Css(css), action).await
}

/// [`act`] for any locator (an XPath that matches by text, say).
pub(crate) async fn act_on<F, Fut>(c: &Client, at: Locator<'_>, action: F) -> TestResult
where
    F: Fn(fantoccini::elements::Element) -> Fut,
    Fut: std::future::Future<Output = Result<(), CmdError>>,
{
    let deadline = Instant::now() + DEADLINE;
    loop {
        let outcome = match c.find(at).await {
            Ok(el) => action(el).await,
            Err(e) => Err(e),
        };
        match outcome {
            Ok(()) => return Ok(()),
            Err(e) if retryable(&e) && Instant::now() < deadline => {
                tokio::time::sleep(POLL).await;
            }
            Err(e) => return Err(describe(&e, &format!("{at:?}")).into()),
        }
    }
}

/// Clicks the first button whose visible text is `name`.
pub(crate) async fn click_button(c: &Client, name: &str) -> TestResult {
    let xpath = format!("//button[normalize-space()='{name}']");
    act_on(c, Locator::XPath(&xpath), |el| async move {
        el.click().await.map(drop)
    })
    .await
}

/// Errors that mean "the element is not there or not ready yet", not "the test is wrong".
fn retryable(e: &CmdError) -> bool {
    e.is_stale_element_reference()
        || e.is_no_such_element()
        || e.is_element_not_interactable()
        || e.is_invalid_element_state()
}

/// A WebDriver error with its kind: WebKitWebDriver often sends an empty message, so the
/// plain `Display` ("webdriver returned error: ") would not say what went wrong.
fn describe(e: &CmdError, css: &str) -> String {
    match e {
        CmdError::Standard(w) => format!("{css}: {} ({:?})", w.error, w.message),
        other => format!("{css}: {other} ({other:?})"),
    }
}

fn strings(v: Value) -> Vec<String> {
    match v {
        Value::Array(items) => items
            .into_iter()
            .map(|i| i.as_str().unwrap_or_default().to_owned())
            .collect(),
        _ => Vec::new(),
    }
}

/// Waits until the page has painted what it holds now, so a screenshot (or a colour check)
/// sees a settled screen rather than a frame mid-update: every finite CSS transition and
/// animation has ended (a theme switch fades colours; read mid-fade they are neither theme's),
/// then two animation frames. Endless ones (a spinner) are not waited for.
pub(crate) async fn settle(c: &Client) -> TestResult {
    c.execute_async(
        "const done = arguments[arguments.length - 1]; \
         const deadline = Date.now() + 5000; \
         const moving = () => document.getAnimations().some((a) => a.playState === 'running' \
           && a.effect && a.effect.getComputedTiming().iterations !== Infinity); \
         const check = () => { \
           if (moving() && Date.now() < deadline) requestAnimationFrame(check); \
           else requestAnimationFrame(() => requestAnimationFrame(() => done(true))); \
         }; \
         check();",
        Vec::new(),
    )
    .await
    .map_err(|e| describe(&e, "requestAnimationFrame"))?;
    Ok(())
}

/// Saves a screenshot of the settled page as `tests/artifacts/<name>`.
pub(crate) async fn screenshot(c: &Client, name: &str) -> TestResult {
    settle(c).await?;
    std::fs::write(crate::driver::artifact(name), c.screenshot().await?)?;
    Ok(())
}

/// Starts recording uncaught errors and unhandled rejections in the page, so a test can
/// check that an interaction threw nothing (a handler that throws leaves no other trace).
pub(crate) async fn record_errors(c: &Client) -> TestResult {
    c.execute(
        "window.__e2eErrors = [];
         window.addEventListener('error', (e) => window.__e2eErrors.push(String(e.message)));
         window.addEventListener('unhandledrejection',
           (e) => window.__e2eErrors.push(String(e.reason)));",
        Vec::new(),
    )
    .await
    .map_err(|e| describe(&e, "window"))?;
    Ok(())
}

/// What [`record_errors`] caught so far.
pub(crate) async fn recorded_errors(c: &Client) -> TestResult<Vec<String>> {
    let v = c
        .execute(
            "return window.__e2eErrors ?? ['errors were not being recorded'];",
            Vec::new(),
        )
        .await
        .map_err(|e| describe(&e, "window"))?;
    Ok(strings(v))
}
