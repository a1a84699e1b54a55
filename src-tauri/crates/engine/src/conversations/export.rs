//! Export (Markdown for reading, a versioned JSON document with the whole tree for keeping)
//! and import (validated, given new ids, landing as a new conversation).

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};
use switchboard_core::{AnswerStats, ConversationId, ConversationView};
use switchboard_store::{ExportedConversation, MAX_COLUMNS};

use crate::EngineError;

/// The `format` field of an exported conversation.
const FORMAT: &str = "switchboard.conversation";
/// The document version this build writes and reads.
const VERSION: u32 = 1;

/// The exported document: a header, then the tree.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Document {
    format: String,
    version: u32,
    #[serde(flatten)]
    conversation: ExportedConversation,
}

fn internal(context: &str, e: impl std::fmt::Display) -> EngineError {
    EngineError::Internal {
        context: format!("{context}: {e}"),
    }
}

fn cost_text(stats: &AnswerStats) -> String {
    match stats.cost_source.as_str() {
        "not_sent" => "not sent, $0".to_owned(),
        "not_billed" => "$0, not billed".to_owned(),
        _ => stats.cost.map_or_else(
            || "unknown".to_owned(),
            |c| {
                let source = if stats.cost_source == "provider" {
                    "exact"
                } else {
                    "estimate"
                };
                format!("${c} ({source})")
            },
        ),
    }
}

fn stats_line(stats: &AnswerStats) -> String {
    let tries = if stats.attempts > 1 {
        format!(", {} requests sent", stats.attempts)
    } else {
        String::new()
    };
    format!(
        "*cost {}, {} tokens in, {} tokens out{tries}*",
        cost_text(stats),
        stats.prompt_tokens,
        stats.completion_tokens
    )
}

/// One line of the text of a turn, short enough for a table cell.
fn gist(text: &str) -> String {
    let line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let short: String = line.chars().take(48).collect();
    let short = short.replace('|', "\\|");
    if line.chars().count() > 48 {
        format!("{short}…")
    } else {
        short
    }
}

/// The conversation's displayed path, then every answer the total counts: earlier attempts
/// (regenerated) and other branches cost money too, though the path does not show them.
fn markdown(view: &ConversationView, tree: &ExportedConversation, names: &[String]) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "# {}\n", view.title);
    let models: Vec<String> = view
        .columns
        .iter()
        .zip(names)
        .map(|(c, name)| format!("{} ({name})", c.spec.model))
        .collect();
    let _ = writeln!(md, "Models: {}\n", models.join(", "));
    let unknown = if view.unknown_costs > 0 {
        format!(
            " ({} answer{} of unknown cost not included)",
            view.unknown_costs,
            if view.unknown_costs == 1 { "" } else { "s" }
        )
    } else {
        String::new()
    };
    let _ = writeln!(
        md,
        "Total cost: ${}{unknown}; every answer it includes is listed at the end.\n",
        view.total_cost
    );
    for (i, turn) in view.turns.iter().enumerate() {
        let _ = writeln!(md, "## Turn {}\n\n**You:** {}\n", i + 1, turn.text);
        for attachment in &turn.attachments {
            let name = match attachment {
                switchboard_core::Attachment::Image { name, .. }
                | switchboard_core::Attachment::Text { name, .. } => name,
            };
            let _ = writeln!(md, "*Attached: {name}*\n");
        }
        for answer in &turn.answers {
            let model = view
                .columns
                .iter()
                .find(|c| c.id == answer.column_id)
                .map_or("unknown model", |c| c.spec.model.as_str());
            let _ = writeln!(
                md,
                "### {model}\n\n{}\n\n{}\n",
                answer.content,
                stats_line(&answer.stats)
            );
            for c in &answer.citations {
                let _ = writeln!(
                    md,
                    "- Source: [{}]({})",
                    c.title.as_deref().unwrap_or(&c.url),
                    c.url
                );
            }
        }
    }
    let _ = writeln!(md, "## Every answer in the total\n");
    let _ = writeln!(
        md,
        "| Message | Model | Answer | On the shown path | Cost |"
    );
    let _ = writeln!(md, "|---|---|---|---|---|");
    let shown = displayed_turns(tree);
    for (i, turn) in tree.turns.iter().enumerate() {
        for a in &turn.answers {
            let model = tree
                .columns
                .get(a.column)
                .map_or("unknown model", |c| c.spec.model.as_str());
            let on_path = if shown.contains(&i) && a.selected {
                "yes"
            } else {
                "no"
            };
            let _ = writeln!(
                md,
                "| {} | {model} | attempt {} | {on_path} | {}{} |",
                gist(&turn.text),
                a.attempt,
                cost_text(&a.stats),
                if a.stats.attempts > 1 {
                    format!(", {} requests", a.stats.attempts)
                } else {
                    String::new()
                }
            );
        }
    }
    md
}

/// The turns on the displayed path of `tree`, by index.
fn displayed_turns(tree: &ExportedConversation) -> std::collections::HashSet<usize> {
    let mut path = std::collections::HashSet::new();
    let mut at = tree.displayed_leaf;
    while let Some(i) = at {
        if !path.insert(i) {
            break;
        }
        at = tree.turns.get(i).and_then(|t| t.parent);
    }
    path
}

/// The largest file an import reads. An export of even a very long conversation is a few
/// MiB; a file past this is not one, and parsing it would take gigabytes (a 100 MB answer
/// took 1.2 GB).
const MAX_IMPORT_BYTES: usize = 64 * 1024 * 1024;
/// The most turns an import takes (a 10,000-turn conversation is our own stress case).
const MAX_IMPORT_TURNS: usize = 50_000;
/// The most one imported answer can have cost, all its requests together: above it a
/// recorded cost is broken data, and it would be booked as spend.
const MAX_ANSWER_COST_USD: i64 = 10_000;

/// Whether `url` is an inline image of a kind the app shows: anything else (`http:`, a
/// `javascript:` URL) would be sent to a provider as an image when the conversation goes on.
fn inline_image(url: &str) -> bool {
    ["png", "jpeg", "gif", "webp"]
        .iter()
        .any(|kind| url.starts_with(&format!("data:image/{kind};base64,")))
}

/// Checks the references and the recorded numbers inside a document, naming the JSON path of
/// the first bad one.
fn validate(doc: &ExportedConversation) -> Result<(), EngineError> {
    let bad = |path: String, what: &str| EngineError::invalid(format!("{path}: {what}"));
    if doc.columns.is_empty() || doc.columns.len() > MAX_COLUMNS {
        return Err(bad("$.columns".into(), "needs 1 to 8 columns"));
    }
    if doc.turns.len() > MAX_IMPORT_TURNS {
        return Err(bad(
            "$.turns".into(),
            &format!(
                "{} turns; at most {MAX_IMPORT_TURNS} can be imported",
                doc.turns.len()
            ),
        ));
    }
    let max_cost = switchboard_core::Usd::from_pico(MAX_ANSWER_COST_USD * 1_000_000_000_000);
    for (i, turn) in doc.turns.iter().enumerate() {
        for (k, attachment) in turn.attachments.iter().enumerate() {
            if let switchboard_core::Attachment::Image { data_url, .. } = attachment
                && !inline_image(data_url)
            {
                return Err(bad(
                    format!("$.turns[{i}].attachments[{k}].data_url"),
                    "must be an inline PNG, JPEG, GIF or WebP image (data:image/…;base64,…)",
                ));
            }
        }
        for (j, answer) in turn.answers.iter().enumerate() {
            if let Some(cost) = answer.stats.cost
                && (cost.is_negative() || cost > max_cost)
            {
                return Err(bad(
                    format!("$.turns[{i}].answers[{j}].stats.cost"),
                    &format!(
                        "{cost} is not a cost one answer can have (0 to ${MAX_ANSWER_COST_USD})"
                    ),
                ));
            }
        }
        if let Some(p) = turn.parent
            && p >= i
        {
            return Err(bad(
                format!("$.turns[{i}].parent"),
                "must name an earlier turn",
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for (j, answer) in turn.answers.iter().enumerate() {
            if answer.column >= doc.columns.len() {
                return Err(bad(
                    format!("$.turns[{i}].answers[{j}].column"),
                    "names no column",
                ));
            }
            if answer.attempt == 0 || !seen.insert((answer.column, answer.attempt)) {
                return Err(bad(
                    format!("$.turns[{i}].answers[{j}].attempt"),
                    "must be a unique attempt number from 1",
                ));
            }
        }
    }
    if let Some(leaf) = doc.displayed_leaf
        && leaf >= doc.turns.len()
    {
        return Err(bad("$.displayedLeaf".into(), "names no turn"));
    }
    Ok(())
}

impl crate::Conversations<'_> {
    /// The displayed path as Markdown: each turn, then each column's answer under its model
    /// with cost, cost source and tokens.
    pub async fn export_markdown(&self, id: ConversationId) -> Result<String, EngineError> {
        let view = self.conversations().open(id.clone()).await?;
        let tree = self
            .blocking(move |inner| Ok(inner.store.export_conversation(&id)?))
            .await?;
        let mut names = Vec::with_capacity(view.columns.len());
        for c in &view.columns {
            names.push(self.routing().provider_name(&c.spec.provider).await);
        }
        Ok(markdown(&view, &tree, &names))
    }

    /// The whole tree (every turn version and answer attempt, numbers, attachments) as a
    /// versioned JSON document. Holds no secrets: keys never reach the database.
    pub async fn export_json(&self, id: ConversationId) -> Result<String, EngineError> {
        let conversation = self
            .blocking(move |inner| Ok(inner.store.export_conversation(&id)?))
            .await?;
        serde_json::to_string_pretty(&Document {
            format: FORMAT.into(),
            version: VERSION,
            conversation,
        })
        .map_err(|e| internal("the conversation does not serialize", e))
    }

    /// Imports a document from [`Conversations::export_json`] as a new conversation (new ids, the
    /// recorded numbers kept).
    pub async fn import_json(&self, json: String) -> Result<ConversationView, EngineError> {
        if json.len() > MAX_IMPORT_BYTES {
            return Err(EngineError::invalid(format!(
                "the file is {:.1} MiB; conversations up to {} MiB can be imported",
                json.len() as f64 / 1_048_576.0,
                MAX_IMPORT_BYTES / 1_048_576
            )));
        }
        let value: serde_json::Value = serde_json::from_str(&json)
            .map_err(|e| EngineError::invalid(format!("not a JSON document: {e}")))?;
        if value.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
            return Err(EngineError::invalid(format!(
                "$.format: not a Switchboard conversation (expected \"{FORMAT}\")"
            )));
        }
        match value.get("version").and_then(serde_json::Value::as_u64) {
            Some(v) if v == u64::from(VERSION) => {}
            other => {
                return Err(EngineError::invalid(format!(
                    "$.version: {other:?} is not a version this build reads ({VERSION})"
                )));
            }
        }
        // Parsed again from the text so that errors say where (line and column).
        let doc: Document = serde_json::from_str(&json)
            .map_err(|e| EngineError::invalid(format!("the conversation is malformed: {e}")))?;
        validate(&doc.conversation)?;
        self.blocking(move |inner| {
            let id = inner.store.import_conversation(&doc.conversation)?;
            Ok(inner.store.conversation_view(&id)?)
        })
        .await
    }
}
