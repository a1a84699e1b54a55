//! Spend reports over the ledger: the table, its chart (SVG and PNG) and its CSV.

use switchboard_core::{SpendGrouping, SpendReport};
use switchboard_reports::{ChartTheme, ChartView, SpendFile};

use crate::EngineError;

handle! {
    /// Spend: reports, charts and exports of the ledger, and budgets.
    Spend, spend
}

impl crate::Spend<'_> {
    /// Spend grouped by `grouping` over `[since_ms, until_ms)`, with its exact total.
    pub async fn report(
        &self,
        grouping: SpendGrouping,
        since_ms: Option<i64>,
        until_ms: Option<i64>,
    ) -> Result<SpendReport, EngineError> {
        if let (Some(a), Some(b)) = (since_ms, until_ms)
            && a >= b
        {
            return Err(EngineError::invalid(
                "the start of the range must be before its end",
            ));
        }
        let rows = self
            .blocking(move |inner| Ok(inner.store.spend_rows(grouping, since_ms, until_ms)?))
            .await?;
        Ok(SpendReport {
            grouping,
            since_ms,
            until_ms,
            total: rows.iter().map(|r| r.cost).sum(),
            unknown_requests: rows.iter().map(|r| r.unknown_requests).sum(),
            rows,
        })
    }

    /// Local midnight at the start of `date` (`YYYY-MM-DD`), Unix ms; with `next_day`, the
    /// midnight after it (an inclusive "until").
    pub async fn local_date_ms(&self, date: &str, next_day: bool) -> Result<i64, EngineError> {
        let date = date.trim().to_owned();
        let shown = date.clone();
        let at = self
            .blocking(move |inner| Ok(inner.store.local_midnight_ms(&date)?))
            .await?
            .ok_or_else(|| {
                EngineError::invalid(format!("\"{shown}\" is not a date like 2026-11-24"))
            })?;
        if !next_day {
            return Ok(at);
        }
        // The next local midnight: a day later, corrected for a daylight-saving change.
        let day_later = at + 86_400_000 + 3 * 3_600_000;
        self.blocking(move |inner| {
            Ok(inner
                .store
                .period_start(switchboard_core::BudgetPeriod::Day, day_later)?)
        })
        .await
    }

    /// The report's chart as an SVG document in the colours of the app's `theme`.
    pub async fn chart(
        &self,
        grouping: SpendGrouping,
        since_ms: Option<i64>,
        until_ms: Option<i64>,
        view: ChartView,
        theme: ChartTheme,
    ) -> Result<String, EngineError> {
        let report = self.spend().report(grouping, since_ms, until_ms).await?;
        tokio::task::spawn_blocking(move || {
            // The UI scales the chart to its card's width (about 680 to 1000 px); the text
            // sizes in the reports crate are chosen for this width. A little wider than tall
            // keeps it from crowding the table below it in a short window.
            switchboard_reports::spend_svg(&report, view, theme, 800, 360)
        })
        .await
        .map_err(|e| EngineError::Internal {
            context: format!("chart task failed: {e}"),
        })?
        .map_err(|e| EngineError::Internal {
            context: e.to_string(),
        })
    }

    /// The report as a file for the user to save where they choose: CSV, or its chart as SVG
    /// or PNG (always the light chart: files go into documents).
    pub async fn export_file(
        &self,
        grouping: SpendGrouping,
        since_ms: Option<i64>,
        until_ms: Option<i64>,
        view: ChartView,
        file: SpendFile,
    ) -> Result<crate::ExportFile, EngineError> {
        let report = self.spend().report(grouping, since_ms, until_ms).await?;
        let stem = format!("switchboard-spend-by-{}", grouping.as_str());
        let internal = |e: switchboard_reports::ReportError| EngineError::Internal {
            context: e.to_string(),
        };
        let (ext, bytes) = match file {
            SpendFile::Csv => ("csv", switchboard_reports::spend_csv(&report).into_bytes()),
            SpendFile::Svg => {
                let svg =
                    switchboard_reports::spend_svg(&report, view, ChartTheme::Light, 800, 400)
                        .map_err(internal)?;
                ("svg", svg.into_bytes())
            }
            SpendFile::Png => {
                let png = tokio::task::spawn_blocking(move || {
                    let svg =
                        switchboard_reports::spend_svg(&report, view, ChartTheme::Light, 800, 400)?;
                    switchboard_reports::svg_to_png(&svg, 2.0)
                })
                .await
                .map_err(|e| EngineError::Internal {
                    context: format!("chart task failed: {e}"),
                })?
                .map_err(internal)?;
                ("png", png)
            }
        };
        Ok(crate::ExportFile {
            name: format!("{stem}.{ext}"),
            bytes,
        })
    }
}
