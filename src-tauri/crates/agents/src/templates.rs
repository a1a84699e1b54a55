//! Specialized agents to start from: each a preset of prompt, parameters, tools and plan.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use switchboard_core::{BuiltinProvider, SamplingParams, Usd};

use crate::{AgentSpec, AgentTarget, MemoryPolicy, Plan, Stage, ToolGrant};

/// A template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Template {
    /// Stable id, e.g. `code_reviewer`.
    pub id: String,
    /// Shown in the picker.
    pub title: String,
    /// What it does and what to give it.
    pub blurb: String,
    /// The agent it makes.
    pub spec: AgentSpec,
}

/// Every template: code reviewer, summarizer, translator, data extractor, researcher.
///
/// The code reviewer's [`ToolGrant::ReadFiles`] has an empty `root`: a placeholder the user
/// must replace with the folder to review before the first run. No default folder would be
/// one the user actually chose, and the tool must never read outside such a folder.
pub fn templates() -> Vec<Template> {
    vec![
        code_reviewer(),
        summarizer(),
        translator(),
        data_extractor(),
        researcher(),
    ]
}

fn openrouter(model: &str) -> AgentTarget {
    AgentTarget::Model {
        provider: BuiltinProvider::OpenRouter.id(),
        model: model.to_owned(),
    }
}

fn usd(amount: &str) -> Option<Usd> {
    Usd::parse(amount).ok()
}

const CHEAP: &str = "openai/gpt-4o-mini";

/// The fields every template sets the same way.
fn base(id: &str, description: &str, system_prompt: &str) -> AgentSpec {
    AgentSpec {
        name: id.to_owned(),
        description: description.to_owned(),
        template: Some(id.to_owned()),
        system_prompt: unwrap_lines(system_prompt),
        target: openrouter(CHEAP),
        params: SamplingParams::default(),
        tools: Vec::new(),
        memory: MemoryPolicy::default(),
        budget_usd: None,
        max_steps: 10,
        task_type: None,
        plan: Plan::Single,
        output_schema: None,
    }
}

/// Joins the prompt's source lines (wrapped to fit this file) into paragraphs, so the editor
/// and the model see flowing text with the blank-line breaks kept.
fn unwrap_lines(text: &str) -> String {
    text.trim()
        .split("\n\n")
        .map(|p| p.lines().map(str::trim).collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn template(id: &str, title: &str, blurb: &str, spec: AgentSpec) -> Template {
    Template {
        id: id.to_owned(),
        title: title.to_owned(),
        blurb: blurb.to_owned(),
        spec,
    }
}

fn code_reviewer() -> Template {
    let mut spec = base(
        "code_reviewer",
        "Reviews code for bugs, security problems and unclear design.",
        r#"
You are a senior software engineer reviewing code. Find what would break, leak or mislead:
bugs, unhandled errors, race conditions, security problems (injection, secrets, unchecked
input), missing tests for risky paths, and names or structure that hide intent.

Read the files you need with your tools before judging; do not guess at code you have not
seen. Report findings most severe first. For each give the file and line, what is wrong, why
it matters, and a concrete fix (a short patch when it helps). Say plainly when something is
fine; do not pad the review with style nits a formatter would settle. If you are unsure,
say what you would check and why.
"#,
    );
    spec.params = SamplingParams {
        temperature: Some(0.1),
        max_tokens: Some(4_000),
        reasoning_effort: None,
    };
    // An empty root is a placeholder: the user must choose the folder (see `templates`).
    spec.tools = vec![ToolGrant::ReadFiles {
        root: PathBuf::new(),
    }];
    spec.budget_usd = usd("0.25");
    spec.max_steps = 12;
    spec.task_type = Some("code".into());
    spec.plan = Plan::Staged {
        stages: vec![
            Stage {
                name: "draft".into(),
                target: openrouter(CHEAP),
                instruction: "Read the code and list every candidate problem you notice, with \
                              file and line. Be thorough rather than certain: a stronger \
                              reviewer checks your list next."
                    .into(),
                fallback: None,
            },
            Stage {
                name: "review".into(),
                target: openrouter("anthropic/claude-sonnet-4"),
                instruction: "You are given a draft list of findings. Verify each against the \
                              code, drop the false ones, add what the draft missed, and write \
                              the final review."
                    .into(),
                fallback: Some(openrouter("openai/gpt-4o")),
            },
        ],
    };
    template(
        "code_reviewer",
        "Code reviewer",
        "Reviews the code in a folder you choose: a cheap model drafts findings, a strong one \
         checks them. Set the folder before the first run, then describe what to review.",
        spec,
    )
}

fn summarizer() -> Template {
    let mut spec = base(
        "summarizer",
        "Summarizes documents, threads and notes.",
        r#"
You summarize text for a busy reader. Lead with the one or two sentences that matter most,
then the key points as a short list: decisions, numbers, dates, names, open questions and
anything the reader must act on. Keep the author's meaning; never add facts that are not in
the text, and mark anything ambiguous as such. Match the length the task asks for; without
one, aim for about a tenth of the original. Answer in the language of the text unless told
otherwise.
"#,
    );
    spec.params.temperature = Some(0.3);
    spec.budget_usd = usd("0.10");
    spec.max_steps = 8;
    spec.task_type = Some("summarize".into());
    spec.plan = Plan::CostAware {
        candidates: vec![
            openrouter(CHEAP),
            openrouter("anthropic/claude-3.5-haiku"),
            openrouter("anthropic/claude-sonnet-4"),
        ],
        quality_bar: 0.7,
    };
    template(
        "summarizer",
        "Summarizer",
        "Condenses a document, thread or notes into the points that matter. Paste the text as \
         an input; it uses the cheapest model good enough for summaries and steps up if that \
         one fails.",
        spec,
    )
}

fn translator() -> Template {
    let mut spec = base(
        "translator",
        "Translates text while keeping meaning, tone and formatting.",
        r#"
You are a professional translator. Translate the text into the target language the task
names; if it names none, translate into English. Keep the meaning, tone and
register of the original, and keep its formatting exactly: Markdown, code blocks, links,
placeholders such as {name} or %s, and line breaks. Do not translate code, identifiers,
product names or URLs. Prefer natural phrasing over word-for-word renderings. Answer with the
translation only, without notes, unless a passage cannot be translated faithfully; then add a
short note after it.
"#,
    );
    spec.params.temperature = Some(0.2);
    spec.budget_usd = usd("0.05");
    spec.max_steps = 8;
    spec.task_type = Some("translate".into());
    template(
        "translator",
        "Translator",
        "Translates text into the language you name, keeping tone and formatting. Give the \
         text and the target language as inputs.",
        spec,
    )
}

fn data_extractor() -> Template {
    let mut spec = base(
        "data_extractor",
        "Pulls structured data out of unstructured text.",
        r#"
You extract structured data from text. Fill in exactly the fields the schema asks for, using
only what the text states; use null for anything it does not say, and never invent values.
Copy names, numbers and dates as written, normalizing dates to ISO 8601 (YYYY-MM-DD) and
amounts to plain numbers. When the text holds several records, return each one.
"#,
    );
    spec.params = SamplingParams {
        temperature: Some(0.0),
        max_tokens: Some(2_000),
        reasoning_effort: None,
    };
    spec.budget_usd = usd("0.05");
    spec.max_steps = 8;
    spec.task_type = Some("extract".into());
    spec.output_schema = Some(serde_json::json!({
        "type": "object",
        "properties": {
            "records": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "name": { "type": ["string", "null"] },
                        "date": { "type": ["string", "null"], "format": "date" },
                        "amount": { "type": ["number", "null"] }
                    },
                    "required": ["name", "date", "amount"]
                }
            }
        },
        "required": ["records"]
    }));
    template(
        "data_extractor",
        "Data extractor",
        "Turns invoices, emails or notes into JSON. Edit the output schema to the fields you \
         need, then give the text as an input.",
        spec,
    )
}

fn researcher() -> Template {
    let mut spec = base(
        "researcher",
        "Answers questions by reading sources on the web.",
        r#"
You are a careful researcher. Answer the question by fetching and reading sources with your
tools rather than from memory when facts may have changed; check today's date with the clock
when recency matters. Prefer primary sources (official documentation, specifications, the
original paper or announcement) over summaries of them. Cite every claim with the URL you
read it at. When sources disagree, say so and say which you trust and why. Lead with a short
answer the reader can act on, then the evidence and the sources. If you could not find
something, say so instead of guessing.
"#,
    );
    spec.params.temperature = Some(0.3);
    // Research needs the open web, so any public host, but each new one is asked for: a page
    // the agent read could otherwise steer it anywhere (prompt injection).
    spec.tools = vec![
        ToolGrant::HttpGet {
            hosts: Vec::new(),
            any_public_host: true,
        },
        ToolGrant::Clock,
    ];
    spec.budget_usd = usd("0.20");
    spec.max_steps = 12;
    spec.task_type = Some("research".into());
    template(
        "researcher",
        "Researcher",
        "Looks things up on the web and answers with sources. It asks you before it first \
         fetches from each site; list the sites it may use without asking in its tools. It never \
         reaches your own computer or network.",
        spec,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_is_complete_and_named_by_its_id() {
        let all = templates();
        let ids: Vec<&str> = all.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "code_reviewer",
                "summarizer",
                "translator",
                "data_extractor",
                "researcher"
            ]
        );
        for t in &all {
            assert_eq!(t.spec.template.as_deref(), Some(t.id.as_str()));
            assert!(t.spec.system_prompt.len() > 200, "{}: a real prompt", t.id);
            let p = &t.spec.system_prompt;
            assert!(
                !p.replace("\n\n", "").contains('\n'),
                "{}: paragraphs flow, not source-wrapped",
                t.id
            );
            assert!((8..=12).contains(&t.spec.max_steps), "{}", t.id);
            assert!(t.spec.budget_usd.is_some(), "{}: a budget", t.id);
            assert!(t.spec.task_type.is_some(), "{}: a task type", t.id);
            assert!(!t.title.is_empty() && !t.blurb.is_empty(), "{}", t.id);
            let json = serde_json::to_value(&t.spec).unwrap();
            let back: AgentSpec = serde_json::from_value(json).unwrap();
            assert_eq!(back, t.spec, "{}: survives storage", t.id);
        }
    }

    #[test]
    fn plans_and_tools_are_as_designed() {
        let all = templates();
        let by_id = |id: &str| &all.iter().find(|t| t.id == id).unwrap().spec;

        let Plan::Staged { stages } = &by_id("code_reviewer").plan else {
            panic!("the code reviewer drafts cheaply and reviews strongly");
        };
        let stage_names: Vec<&str> = stages.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(stage_names, ["draft", "review"]);
        assert_eq!(stages[1].fallback, Some(openrouter("openai/gpt-4o")));
        assert_eq!(
            by_id("code_reviewer").tools,
            [ToolGrant::ReadFiles {
                root: PathBuf::new()
            }]
        );

        let Plan::CostAware {
            candidates,
            quality_bar,
        } = &by_id("summarizer").plan
        else {
            panic!("the summarizer is cost-aware");
        };
        assert_eq!(candidates.len(), 3);
        assert_eq!(*quality_bar, 0.7);

        assert_eq!(
            by_id("researcher").tools,
            [
                ToolGrant::HttpGet {
                    hosts: Vec::new(),
                    any_public_host: true
                },
                ToolGrant::Clock
            ],
            "the researcher's open web is an explicit opt-in, asked per host"
        );
        assert_eq!(
            by_id("data_extractor").task_type.as_deref(),
            Some("extract")
        );
        assert!(by_id("data_extractor").output_schema.is_some());
        assert_eq!(by_id("translator").target, openrouter(CHEAP));
    }
}
