//! `/v1/models` in OpenAI's and Anthropic's shapes.

use switchboard_gateway::dialect::models::{ModelEntry, anthropic_list, openai_list};

use crate::support::snapshot;

fn entries() -> Vec<ModelEntry> {
    vec![
        ModelEntry {
            id: "cheap-coder".into(),
            display_name: "Route: cheap-coder".into(),
            owner: "switchboard".into(),
        },
        ModelEntry {
            id: "anthropic/claude-sonnet-4-5".into(),
            display_name: "Claude Sonnet 4.5".into(),
            owner: "anthropic".into(),
        },
    ]
}

#[test]
fn both_shapes_list_every_model() {
    snapshot!("models_openai", openai_list(&entries(), 1_767_225_600));
    let anthropic = anthropic_list(&entries(), 1_767_225_600);
    assert_eq!(
        anthropic["data"][0]["created_at"], "2026-01-01T00:00:00Z",
        "RFC 3339"
    );
    assert_eq!(anthropic["first_id"], "cheap-coder");
    assert_eq!(anthropic["last_id"], "anthropic/claude-sonnet-4-5");
    snapshot!("models_anthropic", anthropic);
    let empty = anthropic_list(&[], 0);
    assert!(
        empty["first_id"].is_null() && empty["has_more"] == false,
        "an empty page"
    );
}
