//! Dark mode is readable: after the theme is switched to Dark in Settings (the radio a person
//! clicks), every screen's selects, checkboxes, radios and placeholders are drawn by our CSS
//! in the theme's colours with enough contrast, and the Spend chart (an SVG drawn in Rust) is
//! drawn dark. Each screen is read in one script (nothing can re-render between reads) and
//! saved as `tests/artifacts/theme-dark-<screen>.png`.

use fantoccini::Client;
use serde::Deserialize;
use serde_json::Value;
use switchboard_tests::FakeUpstream;

use crate::chat::open_new_chat;
use crate::driver::{Driver, TestResult, app_binary, finish};
use crate::page::{click, screenshot, wait_for_attr, wait_for_count, wait_some};

const KEY: &str = "sk-or-v1-e2e-theme-000000000000000000000000";

/// A route with two targets and a rule, so the Routing screen has its selects, checkboxes
/// and radios to look at.
pub(crate) const ROUTING: &str = r#"
[[routes]]
name = "code"
strategy = "priority"
[[routes.targets]]
provider = "openrouter"
model = "anthropic/claude-sonnet-4"
[[routes.targets]]
provider = "openrouter"
model = "openai/gpt-4o-mini"

[[rules]]
name = "code questions"
when = { task = ["code"] }
then = { route = "code" }
"#;

const CHART: &str = "[data-testid=\"spend-chart\"] svg";

#[tokio::test]
async fn dark_mode_keeps_every_control_and_the_spend_chart_readable() {
    let Some((app, _turn)) = app_binary().await else {
        return;
    };
    let fake = FakeUpstream::start(KEY);
    let data = tempfile::tempdir().unwrap();
    let driver = Driver::for_fake_with_routing(data.path(), &fake, KEY, ROUTING)
        .await
        .unwrap();
    let c = driver.launch(&app).await.unwrap();
    let result = dark_screens(&c).await;
    finish(c, result, "theme-dark-failed.png").await;
}

async fn dark_screens(c: &Client) -> TestResult {
    // Settings → Theme → Dark.
    click(c, "#nav-settings").await?;
    click(c, "input[name=\"theme\"][value=\"dark\"]").await?;
    // The preference is saved, then applied to the document.
    wait_for_attr(c, "html", "data-theme", "dark").await?;
    let settings = read(c).await?;
    settings.assert_readable("settings");
    assert!(
        settings.radios.iter().any(|r| r.checked),
        "the Dark radio is drawn checked"
    );
    screenshot(c, "theme-dark-settings.png").await?;

    // Spend: the report form's selects, the budget form's placeholders and checkbox, and the
    // chart, which is asked for in the theme the app shows.
    click(c, "#nav-spend").await?;
    wait_for_count(c, "[data-testid=\"budget-hard\"]", 1).await?;
    wait_for_count(c, CHART, 1).await?;
    let spend = read(c).await?;
    spend.assert_readable("spend");
    assert!(
        !spend.selects.is_empty() && !spend.boxes.is_empty() && !spend.placeholders.is_empty(),
        "the Spend screen has a select, a checkbox and a placeholder to check: {spend:?}"
    );
    let fill = spend
        .chart_fill
        .as_deref()
        .ok_or("the spend chart has no background rect")?;
    let chart = parse(fill)?;
    assert!(
        luminance(chart) < 0.2,
        "the spend chart's background is dark in dark mode, not {fill}"
    );
    screenshot(c, "theme-dark-spend.png").await?;

    // Models: the filters' select and checkboxes beside the catalogue.
    click(c, "#nav-models").await?;
    wait_some(c, "[data-testid=\"model-row\"]", 1, |_| true).await?;
    let models = read(c).await?;
    models.assert_readable("models");
    assert!(
        !models.selects.is_empty(),
        "the Models screen has its filters"
    );
    screenshot(c, "theme-dark-models.png").await?;

    // Routing: route cards (strategy selects) and rule rows (checkboxes, radios).
    click(c, "#nav-routing").await?;
    wait_for_count(c, "[data-testid=\"route-card\"][data-route=\"code\"]", 1).await?;
    wait_for_count(
        c,
        "[data-testid=\"rule-row\"][data-rule=\"code questions\"]",
        1,
    )
    .await?;
    let routing = read(c).await?;
    routing.assert_readable("routing");
    assert!(
        !routing.selects.is_empty() && !routing.boxes.is_empty(),
        "the Routing screen has selects and checkboxes: {routing:?}"
    );
    screenshot(c, "theme-dark-routing.png").await?;

    // Agents: the editor of a new agent from a template.
    click(c, "#nav-agents").await?;
    click(c, "[data-testid=\"agent-new\"]").await?;
    click(
        c,
        "[data-testid=\"template-use\"][data-template=\"translator\"]",
    )
    .await?;
    wait_for_count(c, "[data-testid=\"agent-name\"]", 1).await?;
    let agents = read(c).await?;
    agents.assert_readable("agents");
    assert!(
        !agents.boxes.is_empty(),
        "the agent editor has its tool checkboxes"
    );
    screenshot(c, "theme-dark-agents.png").await?;

    // Local API: the switch, the port, the new-key form and the snippets.
    click(c, "#nav-localApi").await?;
    wait_for_attr(c, "[data-testid=\"local-api-server\"]", "data-state", "off").await?;
    let local = read(c).await?;
    local.assert_readable("local API");
    assert!(
        !local.boxes.is_empty() && !local.placeholders.is_empty(),
        "the Local API screen has its switch and placeholders: {local:?}"
    );
    screenshot(c, "theme-dark-local-api.png").await?;

    // Chat: the composer and the column header.
    open_new_chat(c, 1).await?;
    read(c).await?.assert_readable("chat");
    screenshot(c, "theme-dark-chat.png").await?;
    Ok(())
}

/// What one screen's controls look like now, read in one script.
#[derive(Debug, Deserialize)]
struct Screen {
    selects: Vec<Select>,
    boxes: Vec<Checkbox>,
    radios: Vec<Radio>,
    placeholders: Vec<Placeholder>,
    chart_fill: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Select {
    what: String,
    appearance: String,
    color: String,
    background: String,
    behind: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct Checkbox {
    what: String,
    appearance: String,
    border: String,
    checked_fill: String,
    behind: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct Radio {
    what: String,
    appearance: String,
    border: String,
    checked: bool,
    behind: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct Placeholder {
    what: String,
    color: String,
    via: String,
    text: String,
    background: String,
    behind: Vec<String>,
}

/// Reads every visible select, checkbox, radio and shown placeholder, and the spend chart's
/// background fill. `behind` lists the backgrounds of an element's ancestors, nearest first,
/// up to the first opaque one (or the root), so Rust can composite what shows through.
///
/// WebKit answers `getComputedStyle(el, '::placeholder')` with the element's own style, so
/// when the two agree the placeholder colour is taken from the last `::placeholder` rule that
/// matches the element, resolved (variables and all) on a probe element next to it. A
/// checkbox's checked fill is read by setting its `checked` property (no events, so the UI's
/// state is untouched) and restoring it in the same turn.
const READ: &str = r#"
const visible = (e) => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
const what = (e) => e.outerHTML.slice(0, 160);
const alpha = (c) => {
  if (c === 'transparent') return 0;
  const m = c.match(/rgba?\(([^)]*)\)/);
  if (!m) return 1;
  const parts = m[1].split(/[\s,\/]+/).filter(Boolean);
  return parts.length > 3 ? parseFloat(parts[3]) : 1;
};
const behind = (e) => {
  const layers = [];
  for (let n = e.parentElement; n; n = n.parentElement) {
    const c = getComputedStyle(n).backgroundColor;
    if (alpha(c) > 0) layers.push(c);
    if (alpha(c) >= 1) return layers;
  }
  layers.push(getComputedStyle(document.documentElement).backgroundColor);
  return layers;
};
const rules = [];
const collect = (list) => {
  for (const r of list) {
    if (r.cssRules) collect(r.cssRules);
    if (r.selectorText && r.selectorText.includes('::placeholder')) rules.push(r);
  }
};
for (const sheet of document.styleSheets) {
  try { collect(sheet.cssRules); } catch (_) { /* not ours to read */ }
}
const placeholderColor = (e) => {
  const direct = getComputedStyle(e, '::placeholder').color;
  if (direct && direct !== getComputedStyle(e).color) return [direct, 'getComputedStyle'];
  let value = null;
  for (const r of rules) {
    for (const sel of r.selectorText.split(',')) {
      if (!sel.includes('::placeholder')) continue;
      const base = sel.replace(/::placeholder/g, '').trim() || '*';
      try { if (e.matches(base) && r.style.color) value = r.style.color; } catch (_) {}
    }
  }
  if (value === null) return [getComputedStyle(e).color, 'none'];
  const probe = document.createElement('span');
  probe.style.color = value;
  e.parentElement.append(probe);
  const color = getComputedStyle(probe).color;
  probe.remove();
  return [color, 'stylesheet'];
};
const all = (css) => Array.from(document.querySelectorAll(css)).filter(visible);
const chart = document.querySelector(arguments[0] + ' rect');
return {
  selects: all('select').map((e) => {
    const s = getComputedStyle(e);
    return { what: what(e), appearance: s.appearance, color: s.color,
             background: s.backgroundColor, behind: behind(e) };
  }),
  boxes: all('input[type="checkbox"]').map((e) => {
    const s = getComputedStyle(e);
    const border = s.borderTopColor;
    const was = e.checked;
    e.checked = true;
    const checkedFill = getComputedStyle(e).backgroundColor;
    e.checked = was;
    return { what: what(e), appearance: s.appearance, border, checked_fill: checkedFill,
             behind: behind(e) };
  }),
  radios: all('input[type="radio"]').map((e) => {
    const s = getComputedStyle(e);
    return { what: what(e), appearance: s.appearance, border: s.borderTopColor,
             checked: e.checked, behind: behind(e) };
  }),
  placeholders: all('input[placeholder], textarea[placeholder]')
    .filter((e) => e.placeholder && !e.value)
    .map((e) => {
      const [color, via] = placeholderColor(e);
      const s = getComputedStyle(e);
      return { what: what(e), color, via, text: s.color, background: s.backgroundColor,
               behind: behind(e) };
    }),
  chart_fill: chart ? chart.getAttribute('fill') : null,
};
"#;

async fn read(c: &Client) -> TestResult<Screen> {
    let found = c.execute(READ, vec![Value::from(CHART)]).await?;
    Ok(serde_json::from_value(found)?)
}

impl Screen {
    /// WCAG 2: text 4.5:1 on its background; a control's edge or fill 3:1 against what it
    /// sits on (1.4.11); a placeholder 3:1 on its field and plainly apart from entered text.
    fn assert_readable(&self, screen: &str) {
        for s in &self.selects {
            assert_eq!(
                s.appearance, "none",
                "{screen}: the select is drawn by our CSS, not the engine: {}",
                s.what
            );
            let bg = layered(&s.background, &s.behind);
            let ratio = contrast(colour(&s.color), bg);
            assert!(
                ratio >= 4.5,
                "{screen}: select text {} on {} is {ratio:.2}:1, under 4.5:1: {}",
                s.color,
                s.background,
                s.what
            );
        }
        for b in &self.boxes {
            assert_eq!(
                b.appearance, "none",
                "{screen}: the checkbox is drawn by our CSS: {}",
                b.what
            );
            let surface = layered("transparent", &b.behind);
            for (part, value) in [("edge", &b.border), ("checked fill", &b.checked_fill)] {
                let ratio = contrast(colour(value), surface);
                assert!(
                    ratio >= 3.0,
                    "{screen}: checkbox {part} {value} is {ratio:.2}:1 against its surface, \
                     under 3:1: {}",
                    b.what
                );
            }
        }
        for r in &self.radios {
            assert_eq!(
                r.appearance, "none",
                "{screen}: the radio is drawn by our CSS: {}",
                r.what
            );
            let ratio = contrast(colour(&r.border), layered("transparent", &r.behind));
            assert!(
                ratio >= 3.0,
                "{screen}: radio edge {} is {ratio:.2}:1 against its surface: {}",
                r.border,
                r.what
            );
        }
        for p in &self.placeholders {
            assert_ne!(
                p.via, "none",
                "{screen}: a placeholder colour is set for {}",
                p.what
            );
            let field = layered(&p.background, &p.behind);
            let on_field = contrast(colour(&p.color), field);
            assert!(
                on_field >= 3.0,
                "{screen}: placeholder {} on {} is {on_field:.2}:1, under 3:1 (via {}): {}",
                p.color,
                p.background,
                p.via,
                p.what
            );
            let apart = contrast(colour(&p.color), colour(&p.text));
            assert!(
                apart >= 1.5,
                "{screen}: placeholder {} is too close to entered text {} ({apart:.2}:1): {}",
                p.color,
                p.text,
                p.what
            );
        }
    }
}

/// An sRGB colour with alpha: channels 0–255, alpha 0–1.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Rgba([f64; 3], f64);

/// Parses a computed colour (`rgb(…)`, `rgba(…)`, space-separated with `/ a`, `transparent`)
/// or a hex fill (`#RRGGBB`, `#RGB`).
fn parse(s: &str) -> TestResult<Rgba> {
    let s = s.trim();
    if s == "transparent" {
        return Ok(Rgba([0.0; 3], 0.0));
    }
    if let Some(hex) = s.strip_prefix('#') {
        let hex: String = match hex.len() {
            3 => hex.chars().flat_map(|c| [c, c]).collect(),
            6 => hex.to_owned(),
            _ => return Err(format!("not a colour: {s}").into()),
        };
        let channel = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).map(f64::from);
        return Ok(Rgba([channel(0)?, channel(2)?, channel(4)?], 1.0));
    }
    let inner = s
        .strip_prefix("rgba(")
        .or_else(|| s.strip_prefix("rgb("))
        .and_then(|rest| rest.strip_suffix(')'))
        .ok_or_else(|| format!("not a colour: {s}"))?;
    let parts: Vec<f64> = inner
        .split([',', '/', ' '])
        .filter(|p| !p.is_empty())
        .map(str::parse)
        .collect::<Result<_, _>>()
        .map_err(|e| format!("not a colour: {s}: {e}"))?;
    match parts[..] {
        [r, g, b] => Ok(Rgba([r, g, b], 1.0)),
        [r, g, b, a] => Ok(Rgba([r, g, b], a)),
        _ => Err(format!("not a colour: {s}").into()),
    }
}

fn colour(s: &str) -> Rgba {
    parse(s).unwrap_or_else(|e| panic!("{e}"))
}

/// `top` painted over `bottom` (which is opaque).
fn over(top: Rgba, bottom: Rgba) -> Rgba {
    let Rgba(t, a) = top;
    let Rgba(b, _) = bottom;
    Rgba(
        [
            t[0] * a + b[0] * (1.0 - a),
            t[1] * a + b[1] * (1.0 - a),
            t[2] * a + b[2] * (1.0 - a),
        ],
        1.0,
    )
}

/// What shows where an element with background `own` sits: its own colour over its
/// ancestors' (`behind`, nearest first, the last one opaque).
fn layered(own: &str, behind: &[String]) -> Rgba {
    let mut layers: Vec<Rgba> = std::iter::once(own)
        .chain(behind.iter().map(String::as_str))
        .map(colour)
        .collect();
    let mut shown = layers.pop().map_or(Rgba([255.0; 3], 1.0), |base| {
        // Should the root itself be see-through, the webview paints white under it.
        over(base, Rgba([255.0; 3], 1.0))
    });
    while let Some(top) = layers.pop() {
        shown = over(top, shown);
    }
    shown
}

/// WCAG 2 relative luminance (alpha ignored: composite first).
fn luminance(Rgba(rgb, _): Rgba) -> f64 {
    let linear = |c: f64| {
        let c = c / 255.0;
        if c <= 0.039_28 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * linear(rgb[0]) + 0.7152 * linear(rgb[1]) + 0.0722 * linear(rgb[2])
}

/// WCAG 2 contrast ratio; a see-through foreground is composited onto `bg` first.
fn contrast(fg: Rgba, bg: Rgba) -> f64 {
    let fg = over(fg, bg);
    let (a, b) = (luminance(fg), luminance(bg));
    (a.max(b) + 0.05) / (a.min(b) + 0.05)
}

#[test]
fn contrast_follows_wcag() {
    let black = colour("rgb(0, 0, 0)");
    let white = colour("#fff");
    assert!((contrast(black, white) - 21.0).abs() < 1e-9);
    assert!((contrast(white, white) - 1.0).abs() < 1e-9);
    // #767676 on white is the classic 4.54:1.
    assert!((contrast(colour("#767676"), white) - 4.54).abs() < 0.01);
    assert_eq!(colour("rgba(255, 0, 0, 0.5)"), Rgba([255.0, 0.0, 0.0], 0.5));
    assert_eq!(colour("rgb(1 2 3 / 0.25)"), Rgba([1.0, 2.0, 3.0], 0.25));
    let half_black = layered("rgba(0, 0, 0, 0.5)", &["rgb(255, 255, 255)".to_owned()]);
    assert!((half_black.0[0] - 127.5).abs() < 1e-9);
    assert!(luminance(colour("#1D2027")) < 0.2 && luminance(white) > 0.9);
}
