//! What a person sees, on every screen, in both themes, at the default size and the smallest
//! window: nothing overflows the window, the navigation and the chat list fold away at
//! 800×600, axe-core finds no serious or critical accessibility fault, and every screen is
//! saved as `tests/artifacts/look-<theme>-<size>-<screen>.png` to be looked at.
//!
//! Screens are reached with their keyboard shortcuts (Ctrl+1…7, Ctrl+, for Settings), so the
//! shortcuts are tested on every pass.

use fantoccini::Client;
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use serde::Deserialize;
use switchboard_tests::{FakeUpstream, Reply};

use crate::chat::{open_new_chat, type_and_send};
use crate::driver::{Driver, TestResult, app_binary, finish};
use crate::page::{
    click, replace_text, screenshot, type_into, wait_all, wait_for_attr, wait_for_count,
    wait_for_value, wait_some,
};
// The route and rule the Dark-mode test seeds, so Routing has cards to draw.
use crate::theme::ROUTING;

const KEY: &str = "sk-or-v1-e2e-look-0000000000000000000000000";

/// One screen: its shortcut key, its name in file names, and what shows once it has loaded.
struct Screen {
    id: &'static str,
    key: char,
    ready: &'static str,
}

const SCREENS: &[Screen] = &[
    Screen {
        id: "chat",
        key: '1',
        ready: "[data-testid=\"answer-status\"]",
    },
    Screen {
        id: "models",
        key: '2',
        ready: "[data-testid=\"model-row\"]",
    },
    Screen {
        id: "routing",
        key: '3',
        ready: "[data-testid=\"route-card\"]",
    },
    Screen {
        id: "agents",
        key: '4',
        ready: "[data-testid=\"agent-new\"]",
    },
    Screen {
        id: "spend",
        key: '5',
        ready: "[data-testid=\"spend-chart\"] svg",
    },
    Screen {
        id: "localApi",
        key: '6',
        ready: "[data-testid=\"local-api-server\"]",
    },
    // Without a management key: what team mode is and the field to save one.
    Screen {
        id: "team",
        key: '7',
        ready: "[data-testid=\"team-management-key-form\"]",
    },
    Screen {
        id: "settings",
        key: ',',
        ready: "input[name=\"theme\"]",
    },
];

const SIZES: &[(u32, u32)] = &[(1280, 800), (800, 600)];

#[tokio::test]
async fn every_screen_fits_passes_axe_and_is_saved_in_both_themes_at_both_sizes() {
    let Some((app, _turn)) = app_binary().await else {
        return;
    };
    let fake = FakeUpstream::start(KEY);
    let data = tempfile::tempdir().unwrap();
    let driver = Driver::for_fake_with_routing(data.path(), &fake, KEY, ROUTING)
        .await
        .unwrap();
    let c = driver.launch(&app).await.unwrap();
    let result = every_screen(&c, &fake).await;
    finish(c, result, "look-failed.png").await;
}

async fn every_screen(c: &Client, fake: &FakeUpstream) -> TestResult {
    c.set_window_size(1280, 800).await?;
    // Three models side by side, answered, so Chat and Spend have something to show.
    open_new_chat(c, 3).await?;
    for id in ["7DnrB604rYW", "UKtNtbos06U", "WxMod1TWsXr"] {
        fake.enqueue(Reply::fixture(id));
    }
    type_and_send(c, "Compare three models side by side").await?;
    wait_all(c, "[data-testid=\"answer-status\"]", 3, |t| {
        t.contains("Complete")
    })
    .await?;
    let axe = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../node_modules/axe-core/axe.min.js"
    ))
    .map_err(|e| format!("axe-core is an npm dev dependency of ui (npm ci): {e}"))?;
    c.execute(&axe, Vec::new()).await?;

    let mut faults = Vec::new();
    for theme in ["light", "dark"] {
        set_theme(c, theme).await?;
        for &(width, height) in SIZES {
            c.set_window_size(width, height).await?;
            wait_for_width(c, width).await?;
            for screen in SCREENS {
                shortcut(c, screen.key).await?;
                wait_for_attr(c, &format!("#nav-{}", screen.id), "aria-current", "page").await?;
                wait_some(c, screen.ready, 1, |_| true).await?;
                let name = format!("{theme}-{width}x{height}-{}", screen.id);
                crate::page::settle(c).await?;
                let fit = measure(c).await?;
                if fit.scroll_width > fit.width {
                    faults.push(format!(
                        "{name}: the page is {} px wide in a {} px window; past the edge: {:?}",
                        fit.scroll_width, fit.width, fit.past_edge
                    ));
                }
                if width <= 800 && fit.nav_width > 80.0 {
                    faults.push(format!(
                        "{name}: the navigation should fold to icons, it is {} px wide",
                        fit.nav_width
                    ));
                }
                if screen.id == "chat" && width <= 800 && fit.columns_left > 120.0 {
                    faults.push(format!(
                        "{name}: the chat list should fold away; the columns start at {} px",
                        fit.columns_left
                    ));
                }
                for v in axe_run(c).await? {
                    faults.push(format!("{name}: axe {v}"));
                }
                screenshot(c, &format!("look-{name}.png")).await?;
                if width == 1280 {
                    for f in tab_through(c).await? {
                        faults.push(format!("{name}: keyboard: {f}"));
                    }
                }
            }
        }
        c.set_window_size(1280, 800).await?;
    }
    assert!(faults.is_empty(), "{}", faults.join("\n"));
    Ok(())
}

/// Presses Ctrl+`key` as a person would: modifier down, key down, both up.
pub(crate) async fn shortcut(c: &Client, key: char) -> TestResult {
    let ctrl = char::from(Key::Control);
    let keys = KeyActions::new("keyboard".to_owned())
        .then(KeyAction::Down { value: ctrl })
        .then(KeyAction::Down { value: key })
        .then(KeyAction::Up { value: key })
        .then(KeyAction::Up { value: ctrl });
    c.perform_actions(keys).await?;
    c.release_actions().await?;
    Ok(())
}

/// The most Tab presses one screen gets to go round all its controls.
const MAX_TABS: usize = 200;

/// Presses Tab until the focus comes back round (or [`MAX_TABS`]); faults are controls that
/// showed no focus ring when reached, and visible, enabled controls Tab never reached (one
/// radio per group suffices: arrows move within a group).
async fn tab_through(c: &Client) -> TestResult<Vec<String>> {
    c.execute(
        "window.__tab = { seen: new Set(), first: null, noRing: [] }; return true;",
        Vec::new(),
    )
    .await?;
    let tab = char::from(Key::Tab);
    for _ in 0..MAX_TABS {
        let keys = KeyActions::new("keyboard".to_owned())
            .then(KeyAction::Down { value: tab })
            .then(KeyAction::Up { value: tab });
        c.perform_actions(keys).await?;
        let round = c
            .execute(&format!("{TAB_COMMON}{TAB_RECORD}"), Vec::new())
            .await
            .map_err(|e| format!("reading the focused element: {e}"))?;
        if round.as_bool() == Some(true) {
            break;
        }
    }
    c.release_actions().await?;
    let v = c
        .execute(&format!("{TAB_COMMON}{TAB_REPORT}"), Vec::new())
        .await
        .map_err(|e| format!("reading what Tab reached: {e}"))?;
    Ok(serde_json::from_value(v)?)
}

/// What the Tab walk's two scripts share: a control's signature, the same for an element
/// re-rendered mid-walk (a list refreshed in the background), and text safe to return (whole
/// code points only: a lone surrogate makes WebDriver unable to parse the result).
const TAB_COMMON: &str = "
const safe = (s) => Array.from(String(s)).slice(0, 120).join('').replace(/[\\uD800-\\uDFFF]/g, '');
const base = (e) => [e.tagName, e.id, e.getAttribute('data-testid'), e.getAttribute('aria-label'),
  e.getAttribute('name'), e.getAttribute('value'), e.getAttribute('title'),
  (e.textContent || '').trim().slice(0, 40)].join('|');
const sig = (e) => {
  const b = base(e);
  const twins = [...document.querySelectorAll(e.tagName)].filter((x) => base(x) === b);
  return b + '#' + twins.indexOf(e);
};
";

/// Records the focused control; true once the focus is back on the first one reached.
const TAB_RECORD: &str = "
const t = window.__tab;
const e = document.activeElement;
if (!e || e === document.body || e === document.documentElement) return false;
const key = sig(e);
if (t.first === key) return true;
if (!t.first) t.first = key;
if (!t.seen.has(key)) {
  t.seen.add(key);
  const s = getComputedStyle(e);
  const ring = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 1)
    || (s.boxShadow && s.boxShadow !== 'none');
  if (!ring) t.noRing.push(safe(e.outerHTML));
}
return false;";

/// The faults: controls without a ring, and controls Tab never reached.
const TAB_REPORT: &str = "
const t = window.__tab;
const visible = (e) => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden'
  && !e.closest('[inert], [aria-hidden=\"true\"]');
const controls = document.querySelectorAll('a[href], button:not([disabled]), \\
  input:not([disabled]):not([type=hidden]), select:not([disabled]), \\
  textarea:not([disabled]), [tabindex]:not([tabindex=\"-1\"])');
const reached = [...controls].filter((e) => t.seen.has(sig(e)));
const groups = new Set(reached.filter((e) => e.type === 'radio').map((e) => e.name));
const missed = [...controls].filter((e) => visible(e) && e.tabIndex >= 0 && !t.seen.has(sig(e))
  && !(e.type === 'radio' && groups.has(e.name)));
return [
  ...t.noRing.map((h) => 'no focus ring on ' + h),
  ...missed.slice(0, 8).map((e) => 'Tab never reaches ' + safe(e.outerHTML)),
];";

/// Settings → Appearance → the theme's radio, then waits until the document wears it.
pub(crate) async fn set_theme(c: &Client, theme: &str) -> TestResult {
    click(c, "#nav-settings").await?;
    click(c, &format!("input[name=\"theme\"][value=\"{theme}\"]")).await?;
    wait_for_attr(c, "html", "data-theme", theme).await
}

/// Waits until the page has been laid out at the new window width.
async fn wait_for_width(c: &Client, width: u32) -> TestResult {
    let script = format!(
        "const done = arguments[arguments.length - 1];
         const deadline = Date.now() + 10000;
         const check = () => {{
           if (document.documentElement.clientWidth === {width} || Date.now() > deadline)
             done(document.documentElement.clientWidth);
           else requestAnimationFrame(check);
         }};
         check();"
    );
    let got = c.execute_async(&script, Vec::new()).await?;
    if got.as_u64() != Some(u64::from(width)) {
        return Err(format!("the window did not become {width} px wide: {got}").into());
    }
    Ok(())
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Fit {
    width: f64,
    scroll_width: f64,
    nav_width: f64,
    columns_left: f64,
    past_edge: Vec<String>,
}

/// The document's width against the window's, the widest offenders, and where the
/// navigation and the chat columns sit, read in one script.
async fn measure(c: &Client) -> TestResult<Fit> {
    let v = c
        .execute(
            "const width = document.documentElement.clientWidth;
             const pastEdge = [];
             for (const e of document.querySelectorAll('body *')) {
               const r = e.getBoundingClientRect();
               if (r.width > 0 && r.right > width + 1 && pastEdge.length < 5) {
                 pastEdge.push(e.tagName.toLowerCase() + '.' + [...e.classList].join('.')
                   + ' right=' + Math.round(r.right));
               }
             }
             const nav = document.querySelector('nav[aria-label=\"Main\"]');
             const column = document.querySelector('[data-testid=\"column-header\"]');
             return {
               width,
               scrollWidth: document.documentElement.scrollWidth,
               navWidth: nav ? nav.getBoundingClientRect().width : 0,
               columnsLeft: column ? column.getBoundingClientRect().left : 0,
               pastEdge,
             };",
            Vec::new(),
        )
        .await
        .map_err(|e| format!("measuring the page: {e}"))?;
    Ok(serde_json::from_value(v)?)
}

/// Runs axe-core (injected once per page) on the document; serious and critical violations,
/// each with the first elements it names (and a fault if axe passed no rule, so a run that
/// checked nothing cannot look clean).
async fn axe_run(c: &Client) -> TestResult<Vec<String>> {
    let v = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { resultTypes: ['violations'] }).then(
               (r) => done(r.passes.length === 0 ? ['axe checked no rule at all'] : r.violations
                 .filter((v) => v.impact === 'serious' || v.impact === 'critical')
                 .map((v) => v.id + ' (' + v.impact + '): ' + v.help + ' at '
                   + v.nodes.slice(0, 4).map((n) => n.target.join(' ')
                     + (n.failureSummary ? ' [' + n.failureSummary.split('\\n').slice(1, 2).join('') + ']' : ''))
                     .join(' | '))
                 .map((s) => Array.from(s).slice(0, 600).join(''))),
               (e) => done(['axe failed: ' + e]));",
            Vec::new(),
        )
        .await
        .map_err(|e| format!("running axe: {e}"))?;
    Ok(serde_json::from_value(v)?)
}

/// The chat's keyboard basics: Ctrl+Enter sends by default and Enter makes a new line; with
/// "Enter sends" chosen in Settings, Enter sends. A whole answer copies as Markdown and as
/// plain text, and the open conversation is still open after visiting another screen.
#[tokio::test]
async fn enter_setting_copy_and_the_remembered_conversation_work_in_the_webview() {
    let Some((app, _turn)) = app_binary().await else {
        return;
    };
    let fake = FakeUpstream::start(KEY);
    let data = tempfile::tempdir().unwrap();
    let driver = Driver::for_fake(data.path(), &fake, KEY).unwrap();
    let c = driver.launch(&app).await.unwrap();
    let result = keyboard_and_copy(&c, &fake).await;
    finish(c, result, "look-basics-failed.png").await;

    // After a restart the same conversation is open without clicking it.
    let c = driver.launch(&app).await.unwrap();
    let result = reopened(&c).await;
    finish(c, result, "look-reopened-failed.png").await;
}

const COMPOSER: &str = "textarea[aria-label=\"Message\"]";

async fn keyboard_and_copy(c: &Client, fake: &FakeUpstream) -> TestResult {
    open_new_chat(c, 1).await?;
    // The default: Enter is a new line, nothing is sent.
    type_into(c, COMPOSER, "first line").await?;
    type_into(c, COMPOSER, &Key::Enter.to_string()).await?;
    type_into(c, COMPOSER, "second line").await?;
    wait_for_value(c, COMPOSER, "first line\nsecond line").await?;
    assert_eq!(
        crate::page::count(c, "[data-testid=\"user-message\"]").await,
        0,
        "Enter did not send"
    );
    fake.enqueue(Reply::fixture("7DnrB604rYW"));
    type_into(c, COMPOSER, &format!("{}{}", Key::Control, Key::Enter)).await?;
    wait_all(c, "[data-testid=\"answer-status\"]", 1, |t| {
        t.contains("Complete")
    })
    .await?;
    wait_for_count(c, "[data-testid=\"user-message\"]", 1).await?;

    // Copy the answer both ways; what reaches the clipboard is pasted back into the composer.
    let body = crate::page::texts(c, "[data-testid=\"answer-body\"]").await?;
    let shown = body.first().cloned().unwrap_or_default();
    for (how, want_markdown) in [("Copy as Markdown", true), ("Copy as plain text", false)] {
        copy_answer(c, how).await?;
        let pasted = paste_into_composer(c).await?;
        let words: Vec<&str> = shown.split_whitespace().take(4).collect();
        assert!(
            words.iter().all(|w| pasted.contains(w)),
            "{how}: the answer's words were copied: {pasted:?} vs {shown:?}"
        );
        if !want_markdown {
            assert!(
                !pasted.contains("**") && !pasted.contains("```"),
                "plain text has no Markdown syntax: {pasted:?}"
            );
        }
    }

    // Another screen and back: the same conversation is open.
    shortcut(c, '2').await?;
    wait_for_attr(c, "#nav-models", "aria-current", "page").await?;
    shortcut(c, '1').await?;
    wait_some(c, "[data-testid=\"user-message\"]", 1, |t| {
        t.contains("second line")
    })
    .await?;

    // Settings → Chat → Enter sends.
    shortcut(c, ',').await?;
    click(c, "input[name=\"send-key\"][value=\"enter\"]").await?;
    shortcut(c, '1').await?;
    wait_for_attr(c, "#nav-chat", "aria-current", "page").await?;
    wait_for_attr(
        c,
        COMPOSER,
        "placeholder",
        "Message\u{2026} (Enter to send, Shift+Enter for a new line)",
    )
    .await?;
    fake.enqueue(Reply::fixture("UKtNtbos06U"));
    replace_text(c, COMPOSER, "sent with Enter").await?;
    type_into(c, COMPOSER, &Key::Enter.to_string()).await?;
    wait_for_count(c, "[data-testid=\"user-message\"]", 2).await?;
    wait_all(c, "[data-testid=\"answer-status\"]", 2, |t| {
        t.contains("Complete")
    })
    .await?;
    screenshot(c, "look-basics.png").await?;
    Ok(())
}

/// Opens the answer's copy action named `how` (a button, or an item of its menu).
async fn copy_answer(c: &Client, how: &str) -> TestResult {
    let direct = format!("[data-testid=\"answer\"] button[aria-label=\"{how}\"]");
    if crate::page::count(c, &direct).await > 0 {
        return click(c, &direct).await;
    }
    click(c, "[data-testid=\"answer\"] [data-testid=\"answer-copy\"]").await?;
    click(c, &format!("[data-menu-item=\"{how}\"]")).await
}

/// Empties the composer, pastes with Ctrl+V and returns what arrived.
async fn paste_into_composer(c: &Client) -> TestResult<String> {
    clear(c, COMPOSER).await?;
    type_into(c, COMPOSER, &format!("{}v", Key::Control)).await?;
    let v = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const deadline = Date.now() + 10000;
             const check = () => {
               const t = document.querySelector('textarea[aria-label=\"Message\"]');
               if ((t && t.value) || Date.now() > deadline) done(t ? t.value : '');
               else requestAnimationFrame(check);
             };
             check();",
            Vec::new(),
        )
        .await?;
    let pasted = v.as_str().unwrap_or_default().to_owned();
    clear(c, COMPOSER).await?;
    Ok(pasted)
}

/// Empties the form control matching `css`.
async fn clear(c: &Client, css: &str) -> TestResult {
    crate::page::act(c, css, |el| async move { el.clear().await }).await
}

async fn reopened(c: &Client) -> TestResult {
    wait_for_attr(c, "#nav-chat", "aria-current", "page").await?;
    wait_some(c, "[data-testid=\"user-message\"]", 1, |t| {
        t.contains("sent with Enter")
    })
    .await?;
    Ok(())
}
