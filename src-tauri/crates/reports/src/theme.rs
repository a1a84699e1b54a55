//! The chart's two palettes, one per app theme.

use plotters::style::RGBColor;
use serde::{Deserialize, Serialize};

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
pub(crate) struct Palette {
    pub(crate) background: RGBColor,
    pub(crate) ink: RGBColor,
    pub(crate) grid: RGBColor,
    pub(crate) grid_bold: RGBColor,
    pub(crate) bar: RGBColor,
    /// Input, cached input, output, reasoning.
    pub(crate) stack: [RGBColor; 4],
}

impl Palette {
    pub(crate) const fn light() -> Self {
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
    pub(crate) const fn dark() -> Self {
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
    pub(crate) const fn palette(self) -> Palette {
        match self {
            Self::Light => Palette::light(),
            Self::Dark => Palette::dark(),
        }
    }
}
