//! What a rule says when it does not match, as far as that depends only on the rule: made
//! once when the configuration changes.

use std::sync::LazyLock;

use crate::config::{Conditions, Modality};
use crate::text::Text;

/// The rule's lists as the explain view quotes them (empty where the condition is not set),
/// and the whole reasons that quote nothing of the request.
#[derive(Debug, Clone, Default)]
pub(super) struct Said {
    /// `"code"` or `one of "chat", "summary"`.
    pub(super) tasks: String,
    pub(super) no_task: Text,
    pub(super) models: String,
    pub(super) no_model: Text,
    pub(super) routes: String,
    pub(super) no_route: Text,
    pub(super) no_modality: Text,
    pub(super) not_agent: Text,
    pub(super) clients: String,
    pub(super) no_client: Text,
}

/// The reasons every rule shares, made once.
pub(super) struct Fixed {
    pub(super) not_reached: Text,
    pub(super) disabled: Text,
    pub(super) matched: Text,
    pub(super) another_conversation: Text,
}

pub(super) static FIXED: LazyLock<Fixed> = LazyLock::new(|| Fixed {
    not_reached: Text::from("an earlier rule matched"),
    disabled: Text::from("switched off"),
    matched: Text::from("every condition holds"),
    another_conversation: Text::from("another conversation"),
});

impl Said {
    pub(super) fn new(w: &Conditions) -> Self {
        let quoted = |items: &[String]| {
            if items.is_empty() {
                String::new()
            } else {
                list(items)
            }
        };
        let (tasks, models, routes, clients) = (
            quoted(&w.task),
            quoted(&w.model),
            quoted(&w.route),
            quoted(&w.client),
        );
        let wants = |what: &str, quoted: &str| {
            if quoted.is_empty() {
                Text::default()
            } else {
                Text::from(format!("{what} (wants {quoted})"))
            }
        };
        Self {
            no_task: wants("no task tag", &tasks),
            no_model: wants("no model asked for", &models),
            no_route: wants("no route asked for", &routes),
            no_client: wants("not from a client key", &clients),
            no_modality: if w.modalities.is_empty() {
                Text::default()
            } else {
                Text::from(format!("carries no {}", names(&w.modalities)))
            },
            not_agent: if w.agent.is_empty() {
                Text::default()
            } else {
                Text::from(format!("agent is not {}", list(&w.agent)))
            },
            tasks,
            models,
            routes,
            clients,
        }
    }
}

fn list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("\"{i}\"")).collect();
    match quoted.len() {
        1 => quoted[0].clone(),
        _ => format!("one of {}", quoted.join(", ")),
    }
}

fn names(items: &[Modality]) -> String {
    items
        .iter()
        .map(|m| m.name())
        .collect::<Vec<_>>()
        .join(" or ")
}
