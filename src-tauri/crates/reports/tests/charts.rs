//! Charts against committed snapshots (rerun with `SWITCHBOARD_BLESS=1` after an intended
//! change and review the SVG), PNG rasterizing, CSV exactness, and hostile labels.

#![allow(clippy::unwrap_used)]

use std::path::Path;

use switchboard_core::{SpendGrouping, SpendReport, SpendRow, Usd};
use switchboard_reports::{ChartTheme, ChartView, spend_csv, spend_svg, svg_to_png};

fn row(key: &str, label: &str, cost: &str, requests: u64) -> SpendRow {
    SpendRow {
        key: key.into(),
        label: label.into(),
        cost: Usd::parse(cost).unwrap(),
        unknown_requests: 0,
        requests,
        prompt_tokens: requests * 1_200,
        completion_tokens: requests * 400,
        reasoning_tokens: requests * 100,
        cached_tokens: requests * 300,
    }
}

fn report(grouping: SpendGrouping, rows: Vec<SpendRow>) -> SpendReport {
    SpendReport {
        grouping,
        since_ms: None,
        until_ms: None,
        total: rows.iter().map(|r| r.cost).sum(),
        unknown_requests: rows.iter().map(|r| r.unknown_requests).sum(),
        rows,
    }
}

fn days() -> SpendReport {
    report(
        SpendGrouping::Day,
        vec![
            row("2026-11-20", "2026-11-20", "0.4213", 12),
            row("2026-11-21", "2026-11-21", "1.0507", 31),
            row("2026-11-22", "2026-11-22", "0.0931", 3),
            row("2026-11-23", "2026-11-23", "2.5", 58),
            row("2026-11-24", "2026-11-24", "0.77", 20),
        ],
    )
}

fn snapshot(name: &str, svg: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(name);
    if std::env::var_os("SWITCHBOARD_BLESS").is_some() {
        std::fs::write(&path, svg).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        expected == svg,
        "{} differs from the chart drawn now; if the change is intended, rerun with \
         SWITCHBOARD_BLESS=1 and review the new file",
        path.display()
    );
}

#[test]
fn spend_by_day_matches_its_snapshot() {
    let svg = spend_svg(&days(), ChartView::Cost, ChartTheme::Light, 800, 400).unwrap();
    assert!(svg.starts_with("<svg"), "{}", &svg[..80]);
    assert!(
        svg.contains("Spend by day: $4.84 in all"),
        "the total by the app's scan rule (the table beside it is exact)"
    );
    snapshot("spend-by-day.svg", &svg);
}

/// Twenty models, so the tail past thirteen is folded into "7 others".
fn models() -> SpendReport {
    let rows: Vec<SpendRow> = (0..20)
        .map(|i| {
            row(
                &format!("vendor/model-{i}"),
                &format!("vendor/model-{i}"),
                "0.1",
                20 - i,
            )
        })
        .collect();
    report(SpendGrouping::Model, rows)
}

#[test]
fn tokens_by_model_matches_its_snapshot_and_folds_the_tail() {
    let svg = spend_svg(&models(), ChartView::Tokens, ChartTheme::Light, 800, 400).unwrap();
    assert!(
        svg.contains("7 others"),
        "categories past 13 are summed into one bar"
    );
    assert!(
        svg.contains("reasoning") && svg.contains("cached input"),
        "a legend of kinds"
    );
    snapshot("tokens-by-model.svg", &svg);
}

#[test]
fn dark_charts_match_their_snapshots() {
    let days = spend_svg(&days(), ChartView::Cost, ChartTheme::Dark, 800, 400).unwrap();
    let tokens = spend_svg(&models(), ChartView::Tokens, ChartTheme::Dark, 800, 400).unwrap();
    assert!(
        days.contains("Spend by day: $4.84 in all"),
        "the same chart, recoloured"
    );
    assert!(tokens.contains("7 others") && tokens.contains("cached input"));
    snapshot("spend-by-day-dark.svg", &days);
    snapshot("tokens-by-model-dark.svg", &tokens);
}

#[test]
fn the_dark_chart_is_dark_and_everything_on_it_readable() {
    for (name, svg) in [
        (
            "cost",
            spend_svg(&days(), ChartView::Cost, ChartTheme::Dark, 800, 400),
        ),
        (
            "tokens",
            spend_svg(&models(), ChartView::Tokens, ChartTheme::Dark, 800, 400),
        ),
        (
            "empty",
            spend_svg(
                &report(SpendGrouping::Day, vec![]),
                ChartView::Cost,
                ChartTheme::Dark,
                600,
                300,
            ),
        ),
    ] {
        let svg = svg.unwrap();
        let background = fills(&svg, "<rect")[0];
        assert!(
            luminance(background) < 0.05,
            "{name}: the dark chart's background is dark, not {background:?}"
        );
        assert!(!svg.contains("#FFFFFF"), "{name}: nothing is left white");
        let texts = fills(&svg, "<text");
        assert!(!texts.is_empty(), "{name}: the chart has text");
        for ink in texts {
            assert!(
                contrast(ink, background) >= 4.5,
                "{name}: text {ink:?} on {background:?} is below 4.5:1"
            );
        }
        // Bars (and legend swatches) are filled rects past the background and the legend box.
        for bar in fills(&svg, "<rect")
            .into_iter()
            .skip(1)
            .filter(|&c| c != background)
        {
            assert!(
                contrast(bar, background) >= 3.0,
                "{name}: bar {bar:?} on {background:?} is below 3:1"
            );
        }
    }
}

#[test]
fn the_light_chart_stays_the_one_files_get() {
    let light = spend_svg(&days(), ChartView::Cost, ChartTheme::Light, 800, 400).unwrap();
    assert_eq!(fills(&light, "<rect")[0], [255, 255, 255], "white paper");
    assert_eq!(ChartTheme::default(), ChartTheme::Light);
}

/// The `fill` colours of every element starting with `tag`, in document order (`none` and
/// non-hex fills are left out).
fn fills(svg: &str, tag: &str) -> Vec<[u8; 3]> {
    svg.match_indices(tag)
        .filter_map(|(at, _)| {
            let element = &svg[at..at + svg[at..].find('>')?];
            let hex = element.split(" fill=\"#").nth(1)?.get(..6)?;
            let channel = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
            Some([channel(0)?, channel(2)?, channel(4)?])
        })
        .collect()
}

/// WCAG 2 relative luminance.
fn luminance([r, g, b]: [u8; 3]) -> f64 {
    let linear = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.039_28 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)
}

/// WCAG 2 contrast ratio.
fn contrast(a: [u8; 3], b: [u8; 3]) -> f64 {
    let (a, b) = (luminance(a), luminance(b));
    (a.max(b) + 0.05) / (a.min(b) + 0.05)
}

#[test]
fn hostile_labels_are_cut_and_stripped() {
    let svg = spend_svg(
        &report(
            SpendGrouping::Conversation,
            vec![row("c1", "<script>alert(1)</script> & \"x\"", "1", 1)],
        ),
        ChartView::Cost,
        ChartTheme::Light,
        600,
        300,
    )
    .unwrap();
    assert!(!svg.contains("<script"), "{svg}");
    assert!(
        svg.contains("scriptalert(1)/sc…"),
        "cut at 18 characters: {svg}"
    );
}

#[test]
fn an_empty_range_says_so() {
    let svg = spend_svg(
        &report(SpendGrouping::Day, vec![]),
        ChartView::Cost,
        ChartTheme::Light,
        600,
        300,
    )
    .unwrap();
    assert!(svg.contains("No requests in this range"));
}

#[test]
fn charts_rasterize_to_png_at_scale() {
    let svg = spend_svg(&days(), ChartView::Cost, ChartTheme::Light, 800, 400).unwrap();
    let png = svg_to_png(&svg, 2.0).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(png[20..24].try_into().unwrap());
    assert_eq!((width, height), (1600, 800));
}

#[test]
fn csv_keeps_amounts_exact_and_quotes_labels() {
    let mut r = days();
    r.rows[0].label = "a, \"quoted\" label".into();
    let csv = spend_csv(&r);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "key,label,cost_usd,unknown_cost_requests,requests,prompt_tokens,completion_tokens,reasoning_tokens,cached_tokens"
    );
    assert_eq!(
        lines[1],
        "2026-11-20,\"a, \"\"quoted\"\" label\",0.4213,0,12,14400,4800,1200,3600"
    );
    assert_eq!(lines[6], "total,,4.8351,0,124,148800,49600,12400,37200");
}
