//! Spend charts drawn with plotters into SVG.
//!
//! Bar heights are floats because pixels are; every number written on the chart comes from the
//! exact decimal amounts. Labels are provider data (model names, conversation titles), so they
//! are cut short and stripped of markup characters before plotters writes them.

use plotters::prelude::*;
use serde::{Deserialize, Serialize};
use switchboard_core::{SpendReport, SpendRow};

use crate::ReportError;

/// What a chart shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ChartView {
    /// Dollars per group.
    Cost,
    /// Tokens per group, stacked by kind (input, cached input, output, reasoning).
    Tokens,
    /// Requests per group.
    Requests,
}

/// Categories beyond this many are summed into "other" so bars stay readable.
const MAX_BARS: usize = 14;
const LABEL_CHARS: usize = 18;

/// Which palette a chart is drawn in: the app's light or dark theme. Files people keep are
/// always drawn light (they go into documents); only the chart shown in the app follows the theme.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ChartTheme {
    /// Dark ink on white.
    #[default]
    Light,
    /// Light ink on the dark theme's surface colour.
    Dark,
}

/// The colours of one theme. The dark background is the UI's dark `--surface` (`ui/src/app.css`)
/// so the chart sits on its card without a seam; `spend.test.ts` holds the two together.
struct Palette {
    background: RGBColor,
    ink: RGBColor,
    grid: RGBColor,
    grid_bold: RGBColor,
    bar: RGBColor,
    /// Input, cached input, output, reasoning.
    stack: [RGBColor; 4],
}

impl Palette {
    const fn light() -> Self {
        Self {
            background: RGBColor(255, 255, 255),
            ink: RGBColor(40, 44, 52),
            grid: RGBColor(236, 238, 242),
            grid_bold: RGBColor(220, 223, 230),
            bar: RGBColor(79, 110, 247),
            stack: [
                RGBColor(79, 110, 247),
                RGBColor(140, 160, 250),
                RGBColor(242, 153, 74),
                RGBColor(235, 87, 87),
            ],
        }
    }

    /// Every colour drawn on the background keeps at least 3:1 contrast with it (bars and
    /// lines) or 4.5:1 (text); the grid alone stays faint, as in the light palette.
    const fn dark() -> Self {
        Self {
            background: RGBColor(29, 32, 39),
            ink: RGBColor(230, 232, 238),
            grid: RGBColor(40, 44, 53),
            grid_bold: RGBColor(56, 61, 73),
            bar: RGBColor(126, 162, 255),
            stack: [
                RGBColor(126, 162, 255),
                RGBColor(91, 120, 232),
                RGBColor(242, 166, 90),
                RGBColor(255, 122, 110),
            ],
        }
    }
}

impl ChartTheme {
    const fn palette(self) -> Palette {
        match self {
            Self::Light => Palette::light(),
            Self::Dark => Palette::dark(),
        }
    }
}

/// What each layer of the tokens stack is, in [`Palette::stack`] order.
const STACK_NAMES: [&str; 4] = ["input", "cached input", "output", "reasoning"];

/// Draws `report` as an SVG document of `width` × `height` pixels in `theme`'s colours.
pub fn spend_svg(
    report: &SpendReport,
    view: ChartView,
    theme: ChartTheme,
    width: u32,
    height: u32,
) -> Result<String, ReportError> {
    let rows = fold_tail(report);
    let labels: Vec<String> = rows.iter().map(|r| clean_label(&r.label)).collect();
    let title = title(report, view);
    let palette = theme.palette();
    let ink = palette.ink;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        root.fill(&palette.background).map_err(draw)?;
        if rows.is_empty() {
            root.draw(&Text::new(
                "No requests in this range",
                (
                    i32::try_from(width / 2).unwrap_or(0) - 90,
                    i32::try_from(height / 2).unwrap_or(0),
                ),
                ("sans-serif", 16).into_font().color(&ink),
            ))
            .map_err(draw)?;
            root.present().map_err(draw)?;
            drop(root);
            return Ok(svg);
        }
        let values: Vec<[f64; 4]> = rows.iter().map(|r| stack(r, view)).collect();
        let top = values
            .iter()
            .map(|v| v.iter().sum::<f64>())
            .fold(0.0_f64, f64::max);
        // Headroom past the longest bar; more for the tokens legend, which sits out there.
        let headroom = if view == ChartView::Tokens { 1.35 } else { 1.1 };
        let top = if top > 0.0 { top * headroom } else { 1.0 };
        let caption = ("sans-serif", 18).into_font().color(&ink);
        let ticks = ("sans-serif", 12).into_font().color(&ink);
        let value_label = |v: &f64| match view {
            ChartView::Cost if top < 0.1 => format!("${v:.4}"),
            ChartView::Cost => format!("${v:.2}"),
            ChartView::Tokens | ChartView::Requests => count_label(*v),
        };
        let unit = match view {
            ChartView::Cost => "USD",
            ChartView::Tokens => "tokens",
            ChartView::Requests => "requests",
        };
        let n = rows.len();
        // A segmented `a..b` has a segment for `b` too, so `0..n - 1` gives exactly n bars; a
        // range of one value has no tick to label, so a single bar gets an empty neighbour.
        let slots = (0..(n - 1).max(1)).into_segmented();
        let n_slots = n.max(2);
        let layers = if view == ChartView::Tokens { 4 } else { 1 };
        let color = |layer: usize| {
            if view == ChartView::Tokens {
                palette.stack[layer]
            } else {
                palette.bar
            }
        };
        if report.grouping.is_time() {
            // Time runs left to right; a label on every k-th bar keeps dates from overlapping.
            let every = n.div_ceil(12).max(1);
            let time_label = |seg: &SegmentValue<usize>| match seg {
                SegmentValue::CenterOf(i) if i % every == 0 => {
                    labels.get(*i).cloned().unwrap_or_default()
                }
                _ => String::new(),
            };
            let mut chart = ChartBuilder::on(&root)
                .caption(title, caption)
                .margin(14)
                .x_label_area_size(40)
                .y_label_area_size(80)
                .build_cartesian_2d(slots, 0.0..top)
                .map_err(draw)?;
            chart
                .configure_mesh()
                .disable_x_mesh()
                .light_line_style(palette.grid)
                .bold_line_style(palette.grid_bold)
                .axis_style(ink)
                .label_style(ticks)
                .x_labels(n + 1)
                .x_label_formatter(&time_label)
                .y_label_formatter(&value_label)
                .y_desc(unit)
                .draw()
                .map_err(draw)?;
            for layer in 0..layers {
                let c = color(layer);
                let bars = values.iter().enumerate().map(move |(i, v)| {
                    let base: f64 = v[..layer].iter().sum();
                    let mut bar = Rectangle::new(
                        [
                            (SegmentValue::Exact(i), base),
                            (SegmentValue::Exact(i + 1), base + v[layer]),
                        ],
                        c.filled(),
                    );
                    bar.set_margin(0, 0, 6, 6);
                    bar
                });
                let series = chart.draw_series(bars).map_err(draw)?;
                if view == ChartView::Tokens {
                    series.label(STACK_NAMES[layer]).legend(move |(x, y)| {
                        Rectangle::new([(x, y - 5), (x + 10, y + 5)], c.filled())
                    });
                }
            }
            legend(&mut chart, view, &palette)?;
        } else {
            // Categories are named: bars lie down so their names can be read, biggest on top.
            let name = |seg: &SegmentValue<usize>| match seg {
                SegmentValue::CenterOf(i) => (n_slots - 1)
                    .checked_sub(*i)
                    .and_then(|k| labels.get(k))
                    .cloned()
                    .unwrap_or_default(),
                _ => String::new(),
            };
            let mut chart = ChartBuilder::on(&root)
                .caption(title, caption)
                .margin(14)
                .x_label_area_size(40)
                .y_label_area_size(150)
                .build_cartesian_2d(0.0..top, slots)
                .map_err(draw)?;
            chart
                .configure_mesh()
                .disable_y_mesh()
                .light_line_style(palette.grid)
                .bold_line_style(palette.grid_bold)
                .axis_style(ink)
                .label_style(ticks)
                .y_labels(n + 1)
                .y_label_formatter(&name)
                .x_label_formatter(&value_label)
                .x_desc(unit)
                .draw()
                .map_err(draw)?;
            for layer in 0..layers {
                let c = color(layer);
                let bars = values.iter().enumerate().map(move |(i, v)| {
                    let base: f64 = v[..layer].iter().sum();
                    let slot = n_slots - 1 - i;
                    let mut bar = Rectangle::new(
                        [
                            (base, SegmentValue::Exact(slot)),
                            (base + v[layer], SegmentValue::Exact(slot + 1)),
                        ],
                        c.filled(),
                    );
                    bar.set_margin(3, 3, 0, 0);
                    bar
                });
                let series = chart.draw_series(bars).map_err(draw)?;
                if view == ChartView::Tokens {
                    series.label(STACK_NAMES[layer]).legend(move |(x, y)| {
                        Rectangle::new([(x, y - 5), (x + 10, y + 5)], c.filled())
                    });
                }
            }
            legend(&mut chart, view, &palette)?;
        }
        root.present().map_err(draw)?;
    }
    Ok(svg)
}

/// The kinds of tokens, for the stacked view.
fn legend<'a, X, Y>(
    chart: &mut ChartContext<'a, SVGBackend<'a>, Cartesian2d<X, Y>>,
    view: ChartView,
    palette: &Palette,
) -> Result<(), ReportError>
where
    X: Ranged,
    Y: Ranged,
{
    if view != ChartView::Tokens {
        return Ok(());
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(palette.background.mix(0.85))
        .border_style(palette.grid_bold)
        .label_font(("sans-serif", 12).into_font().color(&palette.ink))
        .draw()
        .map_err(draw)
}

/// Categories past the first few are summed into one "other" row; time rows are kept whole.
fn fold_tail(report: &SpendReport) -> Vec<SpendRow> {
    if report.grouping.is_time() || report.rows.len() <= MAX_BARS {
        return report.rows.clone();
    }
    let mut rows: Vec<SpendRow> = report.rows[..MAX_BARS - 1].to_vec();
    let rest = &report.rows[MAX_BARS - 1..];
    rows.push(SpendRow {
        key: "other".to_owned(),
        label: format!("{} others", rest.len()),
        cost: rest.iter().map(|r| r.cost).sum(),
        unknown_requests: rest.iter().map(|r| r.unknown_requests).sum(),
        requests: rest.iter().map(|r| r.requests).sum(),
        prompt_tokens: rest.iter().map(|r| r.prompt_tokens).sum(),
        completion_tokens: rest.iter().map(|r| r.completion_tokens).sum(),
        reasoning_tokens: rest.iter().map(|r| r.reasoning_tokens).sum(),
        cached_tokens: rest.iter().map(|r| r.cached_tokens).sum(),
    });
    rows
}

/// The bar's layers: one for cost and requests; input, cached, output, reasoning for tokens
/// (cached input is part of the input count and reasoning part of the output, so both are
/// split out of their totals rather than added to them).
fn stack(r: &SpendRow, view: ChartView) -> [f64; 4] {
    match view {
        ChartView::Cost => [r.cost.to_f64_lossy(), 0.0, 0.0, 0.0],
        ChartView::Requests => [r.requests as f64, 0.0, 0.0, 0.0],
        ChartView::Tokens => {
            let cached = r.cached_tokens.min(r.prompt_tokens);
            let reasoning = r.reasoning_tokens.min(r.completion_tokens);
            [
                (r.prompt_tokens - cached) as f64,
                cached as f64,
                (r.completion_tokens - reasoning) as f64,
                reasoning as f64,
            ]
        }
    }
}

fn title(report: &SpendReport, view: ChartView) -> String {
    let by = report.grouping.as_str();
    match view {
        ChartView::Cost => format!("Spend by {by}: ${} in all", report.total),
        ChartView::Tokens => format!("Tokens by {by}"),
        ChartView::Requests => format!("Requests by {by}"),
    }
}

fn count_label(v: f64) -> String {
    if v >= 1e6 {
        format!("{:.1}M", v / 1e6)
    } else if v >= 1e3 {
        format!("{:.0}k", v / 1e3)
    } else {
        format!("{v:.0}")
    }
}

/// At most [`LABEL_CHARS`] characters, without characters that mean something in markup.
fn clean_label(label: &str) -> String {
    let clean: String = label
        .chars()
        .filter(|c| !matches!(c, '<' | '>' | '&' | '"' | '\'') && !c.is_control())
        .collect();
    if clean.chars().count() > LABEL_CHARS {
        let cut: String = clean.chars().take(LABEL_CHARS - 1).collect();
        format!("{cut}…")
    } else {
        clean
    }
}

fn draw<E: std::fmt::Debug>(e: E) -> ReportError {
    ReportError::Draw(format!("{e:?}"))
}
