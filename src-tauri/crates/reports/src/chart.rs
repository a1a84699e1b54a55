//! Spend charts drawn with plotters into SVG.
//!
//! Bar heights are floats because pixels are; the total in the title is rounded from the exact
//! decimal amount by the app's scan rule (see `money.rs`). Labels are provider data (model names, conversation titles), so they
//! are cut short and stripped of markup characters before plotters writes them.

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use serde::{Deserialize, Serialize};
use switchboard_core::{SpendReport, SpendRow};

use crate::ReportError;
use crate::money::{money_scan, money_scan_f64};
use crate::theme::{ChartTheme, Palette};

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

/// What each layer of the tokens stack is, in [`Palette::stack`] order.
const STACK_NAMES: [&str; 4] = ["input", "cached input", "output", "reasoning"];

/// Text sizes in plotters' units; its SVG backend writes `size / 1.24` px. The app shows an
/// 800-px-wide chart scaled to its card, about 680 to 1000 px wide, so ticks at 18 (14.5 px
/// drawn) stay at 12 px or more on screen.
const CAPTION_SIZE: f64 = 22.0;
const TICK_SIZE: f64 = 18.0;
/// At most this many dates under a time chart; more would overlap at the tick size.
const MAX_TIME_LABELS: usize = 7;

/// Draws `report` as an SVG document of `width` × `height` pixels in `theme`'s colours.
pub fn spend_svg(
    report: &SpendReport,
    view: ChartView,
    theme: ChartTheme,
    width: u32,
    height: u32,
) -> Result<String, ReportError> {
    draw_report(report, view, theme, (width, height), title(report, view))
}

/// [`spend_svg`] under a caption of the caller's: the team's spend charts (`team.rs`) draw
/// OpenRouter's figures with the same bars, axes and palettes as the ledger's.
pub(crate) fn draw_report(
    report: &SpendReport,
    view: ChartView,
    theme: ChartTheme,
    (width, height): (u32, u32),
    title: String,
) -> Result<String, ReportError> {
    let rows = fold_tail(report);
    let palette = theme.palette();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        root.fill(&palette.background).map_err(draw)?;
        if rows.is_empty() {
            let centre = Pos::new(HPos::Center, VPos::Center);
            root.draw(&Text::new(
                "No requests in this range",
                (
                    i32::try_from(width / 2).unwrap_or(0),
                    i32::try_from(height / 2).unwrap_or(0),
                ),
                ("sans-serif", CAPTION_SIZE)
                    .into_font()
                    .color(&palette.ink)
                    .pos(centre),
            ))
            .map_err(draw)?;
        } else {
            let bars = Bars::new(title, &rows, view, &palette);
            if report.grouping.is_time() {
                draw_columns(&root, &bars)?;
            } else {
                draw_rows(&root, &bars)?;
            }
        }
        root.present().map_err(draw)?;
    }
    Ok(svg)
}

/// What both orientations draw: one bar per row, in layers, on a scale with headroom.
///
/// Bars sit on a plain numeric axis, bar `i` spanning `i..i + 1` with its label at `i + 0.5`, so
/// a single bar fills the plot rather than sharing it with an empty neighbour.
struct Bars<'a> {
    title: String,
    labels: Vec<String>,
    values: Vec<[f64; 4]>,
    top: f64,
    view: ChartView,
    palette: &'a Palette,
}

impl<'a> Bars<'a> {
    fn new(title: String, rows: &[SpendRow], view: ChartView, palette: &'a Palette) -> Self {
        let values: Vec<[f64; 4]> = rows.iter().map(|r| stack(r, view)).collect();
        let top = values
            .iter()
            .map(|v| v.iter().sum::<f64>())
            .fold(0.0_f64, f64::max);
        // Headroom past the longest bar; more for the tokens legend, which sits out there.
        let headroom = if view == ChartView::Tokens { 1.35 } else { 1.1 };
        Self {
            title,
            labels: rows.iter().map(|r| clean_label(&r.label)).collect(),
            values,
            top: if top > 0.0 { top * headroom } else { 1.0 },
            view,
            palette,
        }
    }

    fn count(&self) -> usize {
        self.values.len()
    }

    /// The axis the bars stand on.
    fn slots(&self) -> Slots {
        Slots(self.count())
    }

    fn layers(&self) -> usize {
        if self.view == ChartView::Tokens { 4 } else { 1 }
    }

    fn color(&self, layer: usize) -> RGBColor {
        if self.view == ChartView::Tokens {
            self.palette.stack[layer]
        } else {
            self.palette.bar
        }
    }

    /// A value on the scale: money by the app's scan rule, counts shortened.
    fn value_label(&self, v: &f64) -> String {
        match self.view {
            ChartView::Cost => money_scan_f64(*v),
            ChartView::Tokens | ChartView::Requests => count_label(*v),
        }
    }

    fn unit(&self) -> &'static str {
        match self.view {
            ChartView::Cost => "USD",
            ChartView::Tokens => "tokens",
            ChartView::Requests => "requests",
        }
    }

    /// Bar `i`'s layer `layer` as `(from, to)` along the value axis.
    fn span(&self, i: usize, layer: usize) -> (f64, f64) {
        let v = &self.values[i];
        let base: f64 = v[..layer].iter().sum();
        (base, base + v[layer])
    }

    fn caption(&self) -> TextStyle<'static> {
        ("sans-serif", CAPTION_SIZE)
            .into_font()
            .color(&self.palette.ink)
    }

    fn ticks(&self) -> TextStyle<'static> {
        ("sans-serif", TICK_SIZE)
            .into_font()
            .color(&self.palette.ink)
    }
}

/// The axis bars stand on: `n` slots, bar `i` spanning `i..i + 1` with its tick and label at
/// `i + 0.5`. Hand-written because plotters' own ways to place ticks either give a lone bar an
/// empty neighbour (segmented integers) or refuse label formatters (`WithKeyPoints`).
struct Slots(usize);

impl Ranged for Slots {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let n = self.0.max(1) as f64;
        let span = f64::from(limit.1 - limit.0);
        limit.0 + (value / n * span).round() as i32
    }

    fn key_points<H: KeyPointHint>(&self, _hint: H) -> Vec<f64> {
        (0..self.0).map(|i| i as f64 + 0.5).collect()
    }

    fn range(&self) -> std::ops::Range<f64> {
        0.0..self.0 as f64
    }
}

/// The slot a tick or bar position falls in (positions are never negative).
fn slot(position: f64) -> usize {
    position.max(0.0).floor() as usize
}

type Area<'a> = DrawingArea<SVGBackend<'a>, plotters::coord::Shift>;

/// Time runs left to right; a label on every k-th bar keeps dates from overlapping.
fn draw_columns(root: &Area<'_>, bars: &Bars<'_>) -> Result<(), ReportError> {
    let n = bars.count();
    let every = n.div_ceil(MAX_TIME_LABELS).max(1);
    let time_label = |x: &f64| {
        let i = slot(*x);
        if i.is_multiple_of(every) {
            bars.labels.get(i).cloned().unwrap_or_default()
        } else {
            String::new()
        }
    };
    let value_label = |v: &f64| bars.value_label(v);
    let mut chart = ChartBuilder::on(root)
        .caption(&bars.title, bars.caption())
        .margin(14)
        .x_label_area_size(44)
        .y_label_area_size(104)
        .build_cartesian_2d(bars.slots(), 0.0..bars.top)
        .map_err(draw)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(bars.palette.grid)
        .bold_line_style(bars.palette.grid_bold)
        .axis_style(bars.palette.ink)
        .label_style(bars.ticks())
        .x_labels(n)
        .y_labels(6)
        .x_label_formatter(&time_label)
        .y_label_formatter(&value_label)
        .y_desc(bars.unit())
        .draw()
        .map_err(draw)?;
    draw_bars(&mut chart, bars, |i, from, to, style| {
        let mut bar = Rectangle::new([(i as f64, from), (i as f64 + 1.0, to)], style);
        bar.set_margin(0, 0, 6, 6);
        bar
    })
}

/// Categories are named: bars lie down so their names can be read, biggest on top.
fn draw_rows(root: &Area<'_>, bars: &Bars<'_>) -> Result<(), ReportError> {
    let n = bars.count();
    // Slot 0 is the bottom of the plot; row 0 (the biggest) goes in the top slot.
    let row_of = |s: usize| (n - 1).checked_sub(s);
    let name = |y: &f64| {
        row_of(slot(*y))
            .and_then(|i| bars.labels.get(i))
            .cloned()
            .unwrap_or_default()
    };
    let value_label = |v: &f64| bars.value_label(v);
    let mut chart = ChartBuilder::on(root)
        .caption(&bars.title, bars.caption())
        .margin(14)
        .x_label_area_size(44)
        .y_label_area_size(176)
        .build_cartesian_2d(0.0..bars.top, bars.slots())
        .map_err(draw)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .light_line_style(bars.palette.grid)
        .bold_line_style(bars.palette.grid_bold)
        .axis_style(bars.palette.ink)
        .label_style(bars.ticks())
        .y_labels(n)
        .x_labels(6)
        .y_label_formatter(&name)
        .x_label_formatter(&value_label)
        .x_desc(bars.unit())
        .draw()
        .map_err(draw)?;
    draw_bars(&mut chart, bars, |i, from, to, style| {
        let s = (n - 1 - i) as f64;
        let mut bar = Rectangle::new([(from, s), (to, s + 1.0)], style);
        bar.set_margin(3, 3, 0, 0);
        bar
    })
}

/// Draws each layer of every bar (`rect` places bar `i`'s piece from `from` to `to` along the
/// value axis) and, for tokens, the legend naming the layers.
fn draw_bars<'a, X, Y>(
    chart: &mut ChartContext<'a, SVGBackend<'a>, Cartesian2d<X, Y>>,
    bars: &Bars<'_>,
    rect: impl Fn(usize, f64, f64, ShapeStyle) -> Rectangle<(f64, f64)>,
) -> Result<(), ReportError>
where
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    for (layer, name) in STACK_NAMES.iter().enumerate().take(bars.layers()) {
        let c = bars.color(layer);
        let pieces = (0..bars.count()).map(|i| {
            let (from, to) = bars.span(i, layer);
            rect(i, from, to, c.filled())
        });
        let series = chart.draw_series(pieces).map_err(draw)?;
        if bars.view == ChartView::Tokens {
            series
                .label(*name)
                .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 12, y + 6)], c.filled()));
        }
    }
    legend(chart, bars.view, bars.palette)
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
        .label_font(("sans-serif", TICK_SIZE).into_font().color(&palette.ink))
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
        ChartView::Cost => format!("Spend by {by}: {} in all", money_scan(report.total)),
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use switchboard_core::{SpendGrouping, Usd};

    use super::*;

    fn day(label: &str, cost: &str) -> SpendRow {
        SpendRow {
            key: label.into(),
            label: label.into(),
            cost: Usd::parse(cost).unwrap(),
            unknown_requests: 0,
            requests: 3,
            prompt_tokens: 1_000,
            completion_tokens: 400,
            reasoning_tokens: 0,
            cached_tokens: 0,
        }
    }

    fn report(grouping: SpendGrouping, rows: Vec<SpendRow>) -> SpendReport {
        SpendReport {
            grouping,
            since_ms: None,
            until_ms: None,
            total: rows.iter().map(|r| r.cost).sum(),
            unknown_requests: 0,
            rows,
        }
    }

    /// `name="value"` of the first `<tag` element from `at`, as a number.
    fn attr(element: &str, name: &str) -> f64 {
        let key = format!(" {name}=\"");
        let from = element.find(&key).unwrap() + key.len();
        let len = element[from..].find('"').unwrap();
        element[from..from + len].parse().unwrap()
    }

    /// Every element starting with `tag` whose fill is `fill`.
    fn filled<'a>(svg: &'a str, tag: &str, fill: RGBColor) -> Vec<&'a str> {
        let hex = format!("fill=\"#{:02X}{:02X}{:02X}\"", fill.0, fill.1, fill.2);
        svg.match_indices(tag)
            .map(|(at, _)| &svg[at..at + svg[at..].find('>').unwrap()])
            .filter(|e| e.contains(&hex))
            .collect()
    }

    /// The widest horizontal grid line: the plot area's left and right edges.
    fn plot_span(svg: &str) -> (f64, f64) {
        svg.match_indices("<line")
            .map(|(at, _)| &svg[at..at + svg[at..].find('>').unwrap()])
            .filter(|l| attr(l, "y1") == attr(l, "y2"))
            .map(|l| (attr(l, "x1"), attr(l, "x2")))
            .max_by(|a, b| (a.1 - a.0).total_cmp(&(b.1 - b.0)))
            .unwrap()
    }

    #[test]
    fn a_single_day_is_one_bar_across_the_whole_plot() {
        let one = report(SpendGrouping::Day, vec![day("2026-12-06", "0.006004")]);
        let svg = spend_svg(&one, ChartView::Cost, ChartTheme::Light, 800, 360).unwrap();
        let bars = filled(&svg, "<rect", Palette::light().bar);
        assert_eq!(bars.len(), 1, "one bar: {svg}");
        let (left, right) = plot_span(&svg);
        let width = attr(bars[0], "width");
        assert!(
            width >= (right - left) - 16.0,
            "the bar spans the plot ({left}..{right}), not a slot of it: {width} px"
        );
        assert!(svg.contains("2026-12-06"), "its date is written under it");
        let x = attr(bars[0], "x");
        let label_x = svg
            .split("<text")
            .find(|t| t.contains("2026-12-06"))
            .map(|t| attr(t, "x"))
            .unwrap();
        assert!(
            (label_x - (x + width / 2.0)).abs() <= 2.0,
            "the date sits under the bar's centre ({label_x} vs {})",
            x + width / 2.0
        );
    }

    #[test]
    fn a_single_category_is_one_bar_down_the_whole_plot() {
        let one = report(SpendGrouping::Model, vec![day("vendor/model", "1.5")]);
        let svg = spend_svg(&one, ChartView::Cost, ChartTheme::Light, 800, 360).unwrap();
        let bars = filled(&svg, "<rect", Palette::light().bar);
        assert_eq!(bars.len(), 1, "one bar: {svg}");
        let height = attr(bars[0], "height");
        assert!(
            height > 200.0,
            "the bar fills the plot's height, not half of it: {height} px"
        );
    }

    #[test]
    fn the_title_rounds_by_the_scan_rule_while_the_table_keeps_every_digit() {
        let issue = report(SpendGrouping::Day, vec![day("2026-12-06", "0.00703425")]);
        assert_eq!(
            title(&issue, ChartView::Cost),
            "Spend by day: $0.007034 in all",
            "four significant digits below a dollar, as the app's summary chips"
        );
        let days = report(
            SpendGrouping::Day,
            vec![day("2026-11-20", "0.4213"), day("2026-11-21", "4.4138")],
        );
        assert_eq!(title(&days, ChartView::Cost), "Spend by day: $4.84 in all");
    }

    #[test]
    fn text_is_drawn_large_enough_to_read_once_scaled_to_its_card() {
        let days = report(
            SpendGrouping::Day,
            vec![day("2026-11-20", "0.4213"), day("2026-11-21", "1.05")],
        );
        let svg = spend_svg(&days, ChartView::Cost, ChartTheme::Dark, 800, 360).unwrap();
        let sizes: Vec<f64> = svg
            .split("<text")
            .skip(1)
            .map(|t| attr(t, "font-size"))
            .collect();
        assert!(!sizes.is_empty());
        // The narrowest card (an 800×600 window with the navigation collapsed) is about 680 px.
        for size in sizes {
            assert!(
                size * 680.0 / 800.0 >= 12.0,
                "{size} px text would show under 12 px"
            );
        }
    }
}
