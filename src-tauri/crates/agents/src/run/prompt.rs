//! The text a task puts in front of a model: system prompt, the task itself, and the request to
//! summarize old memory.

use switchboard_core::{Message, Role, ToolSpec};

use crate::memory::estimate_tokens;
use crate::{AgentSpec, Memory, Task};

/// The agent's system message, with a stage's instruction and the output schema when they
/// apply.
pub(super) fn system(spec: &AgentSpec, instruction: Option<&str>, with_schema: bool) -> Message {
    let mut text = spec.system_prompt.trim().to_owned();
    if let Some(instruction) = instruction.map(str::trim).filter(|i| !i.is_empty()) {
        push_paragraph(&mut text, instruction);
    }
    if with_schema && let Some(schema) = &spec.output_schema {
        let schema = serde_json::to_string_pretty(schema).unwrap_or_else(|_| schema.to_string());
        push_paragraph(
            &mut text,
            &format!(
                "Answer with JSON only: no prose and no code fences, a single JSON value valid \
                 against this JSON Schema:\n{schema}"
            ),
        );
    }
    Message::text(Role::System, text)
}

fn push_paragraph(text: &mut String, paragraph: &str) {
    if !text.is_empty() {
        text.push_str("\n\n");
    }
    text.push_str(paragraph);
}

/// The task as the user message: title, description, then each input (and the previous
/// stage's output) as a `## name` section, so the model can tell them apart.
pub(super) fn task_message(task: &Task, previous: Option<(&str, &str)>) -> Message {
    let mut text = memory_text(task);
    for (name, value) in &task.inputs {
        push_paragraph(&mut text, &format!("## {name}\n{value}"));
    }
    if let Some((stage, output)) = previous {
        push_paragraph(
            &mut text,
            &format!("## Output of the {stage} stage\n{output}"),
        );
    }
    Message::text(Role::User, text)
}

/// The task as memory keeps it: title and description. Inputs stay out because they are often
/// whole files that would crowd the window after one task.
pub(super) fn memory_text(task: &Task) -> String {
    let mut text = String::new();
    if !task.title.trim().is_empty() {
        text.push_str(&format!("# {}", task.title.trim()));
    }
    push_paragraph(&mut text, task.description.trim());
    text.trim().to_owned()
}

/// System prompt, memory, task: the order every model turn starts from.
pub(super) fn conversation(system: Message, history: &[Message], task: Message) -> Vec<Message> {
    let mut messages = Vec::with_capacity(history.len() + 2);
    messages.push(system);
    messages.extend_from_slice(history);
    messages.push(task);
    messages
}

/// A rough prompt size for the cost-aware appraisal, on the same estimate memory uses. Tool
/// definitions count too: they go with every request and are billed as input.
pub(super) fn estimate(messages: &[Message], tools: &[ToolSpec]) -> u64 {
    let text: u64 = messages
        .iter()
        .map(|m| u64::from(estimate_tokens(&m.joined_text())))
        .sum();
    let tools: u64 = tools
        .iter()
        .map(|t| {
            let definition = serde_json::to_string(t).unwrap_or_default();
            u64::from(estimate_tokens(&definition))
        })
        .sum();
    text + tools
}

/// Asks for a new summary covering the old one and the `n` oldest turns.
pub(super) fn summary_request(memory: &Memory, n: usize) -> Vec<Message> {
    let system = "You maintain an assistant's long-term memory. Merge the summary so far and the \
                  conversation below into one updated summary. Keep what a later task may need: \
                  facts, decisions and their reasons, names, numbers, preferences the user \
                  stated, and open questions. Drop pleasantries and repetition. Write compact \
                  notes in the third person; answer with the summary only.";
    let mut text = format!(
        "Summary so far:\n{}\n\nConversation to fold in:",
        memory.summary.as_deref().unwrap_or("(none)")
    );
    for turn in memory.turns.iter().take(n) {
        let who = match turn.role {
            Role::Assistant => "Assistant",
            Role::System | Role::User | Role::Tool => "User",
        };
        push_paragraph(&mut text, &format!("{who}: {}", turn.text));
    }
    vec![
        Message::text(Role::System, system),
        Message::text(Role::User, text),
    ]
}

/// At most `max` characters of `text`, marked when cut, for step details.
pub(super) fn excerpt(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_cuts_on_characters() {
        assert_eq!(excerpt("héllo", 2), "hé…");
        assert_eq!(excerpt("héllo", 5), "héllo");
        assert_eq!(excerpt("", 5), "");
    }

    #[test]
    fn task_message_renders_inputs_as_sections() {
        let task = Task {
            title: "Fix".into(),
            description: "Fix the bug.".into(),
            inputs: [("file".to_owned(), "fn main() {}".to_owned())].into(),
        };
        let text = task_message(&task, Some(("draft", "maybe a bug"))).joined_text();
        assert_eq!(
            text,
            "# Fix\n\nFix the bug.\n\n## file\nfn main() {}\n\n## Output of the draft stage\nmaybe a bug"
        );
        assert_eq!(memory_text(&task), "# Fix\n\nFix the bug.");
    }
}
