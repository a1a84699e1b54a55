//! Switchboard's spend reports as files people keep: charts drawn with plotters (SVG, and PNG
//! rasterized from that SVG with resvg) and the table behind each chart as CSV.
//!
//! Pure functions of a [`switchboard_core::SpendReport`] (the ledger) or a
//! [`switchboard_core::TeamSpend`] (OpenRouter's figures for the team's keys); the engine gathers
//! the figures and decides where files go.

mod chart;
mod money;
mod table;
mod team;
mod theme;

pub use chart::{ChartView, spend_svg};
pub use table::spend_csv;
pub use team::{TeamChart, team_spend_csv, team_spend_svg};
pub use theme::ChartTheme;

/// A file a spend report can be saved as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum SpendFile {
    /// The table.
    Csv,
    /// The chart, as drawn.
    Svg,
    /// The chart at twice its size, for documents and slides.
    Png,
}

/// A report that could not be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    /// plotters could not draw the chart.
    #[error("could not draw the chart: {0}")]
    Draw(String),
    /// The SVG could not be rasterized.
    #[error("could not make a PNG of the chart: {0}")]
    Raster(String),
}

/// Rasterizes an SVG (one of ours) to PNG bytes at `scale` × its size, with the system's
/// fonts for the text.
pub fn svg_to_png(svg: &str, scale: f32) -> Result<Vec<u8>, ReportError> {
    use resvg::{tiny_skia, usvg};
    let mut options = usvg::Options::default();
    options.fontdb_mut().load_system_fonts();
    let tree =
        usvg::Tree::from_str(svg, &options).map_err(|e| ReportError::Raster(e.to_string()))?;
    let size = tree
        .size()
        .to_int_size()
        .scale_by(scale)
        .ok_or_else(|| ReportError::Raster(format!("cannot scale the chart by {scale}")))?;
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height())
        .ok_or_else(|| ReportError::Raster("the chart has no area".to_owned()))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| ReportError::Raster(e.to_string()))
}
