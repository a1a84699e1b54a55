//! Checks an agent spec before it is saved, so a bad one is refused with a sentence that says
//! which field to fix, not discovered halfway through a task.

use crate::{AgentError, AgentSpec, AgentTarget, McpServer, Plan, ToolGrant};

/// The most model turns a task may be allowed: beyond this a loop is a bug, not a plan.
pub const MAX_STEPS: u32 = 100;

impl AgentSpec {
    /// `Ok` when the spec can run; `servers` are the configured MCP servers its grants may name.
    pub fn validate(&self, servers: &[McpServer]) -> Result<(), AgentError> {
        let bad = |m: String| Err(AgentError::Invalid(m));
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 64 || name != self.name {
            return bad(
                "an agent needs a name of 1 to 64 characters, without spaces at either end".into(),
            );
        }
        if !(1..=MAX_STEPS).contains(&self.max_steps) {
            return bad(format!(
                "\"maximum steps\" must be between 1 and {MAX_STEPS} (it is {})",
                self.max_steps
            ));
        }
        target_ok(&self.target, "the agent's model")?;
        if let Some(budget) = self.budget_usd
            && (budget.is_negative() || budget == switchboard_core::Usd::default())
        {
            return bad("the per-task budget must be more than $0 (or left empty)".into());
        }
        if self.memory.window_tokens < 256 {
            return bad("the memory window must hold at least 256 tokens".into());
        }
        if let Some(t) = &self.memory.summarize_with {
            target_ok(t, "the summarizing model")?;
        }
        if let Some(schema) = &self.output_schema {
            if !schema.is_object() {
                return bad("the output schema must be a JSON object (a JSON Schema)".into());
            }
            if let Some(e) = crate::run::schema_error(schema) {
                return bad(format!("the output schema is not a valid JSON Schema: {e}"));
            }
        }
        for grant in &self.tools {
            match grant {
                ToolGrant::ReadFiles { root } if root.as_os_str().is_empty() => {
                    return bad("choose the folder the agent may read files in".into());
                }
                ToolGrant::ReadFiles { root } => {
                    let home = std::env::home_dir();
                    crate::tools::check_files_root(root, home.as_deref())?;
                }
                ToolGrant::HttpGet { hosts, .. } => {
                    crate::tools::check_http_hosts(hosts)?;
                }
                ToolGrant::Mcp { server } if !servers.iter().any(|s| &s.name == server) => {
                    return bad(format!(
                        "no MCP server is named \"{server}\"; add it under MCP servers first"
                    ));
                }
                _ => {}
            }
        }
        match &self.plan {
            Plan::Single => {}
            Plan::Staged { stages } => {
                if stages.is_empty() {
                    return bad("a staged plan needs at least one stage".into());
                }
                for s in stages {
                    if s.name.trim().is_empty() {
                        return bad("every stage needs a name".into());
                    }
                    target_ok(&s.target, &format!("stage \"{}\"", s.name))?;
                    if let Some(f) = &s.fallback {
                        target_ok(f, &format!("stage \"{}\"'s fallback", s.name))?;
                    }
                }
            }
            Plan::CostAware {
                candidates,
                quality_bar,
            } => {
                if candidates.is_empty() {
                    return bad("a cost-aware plan needs at least one candidate model".into());
                }
                if !(0.0..=1.0).contains(quality_bar) {
                    return bad(format!(
                        "the quality bar is a share between 0 and 1 (it is {quality_bar})"
                    ));
                }
                for c in candidates {
                    target_ok(c, "a candidate")?;
                }
            }
        }
        Ok(())
    }
}

fn target_ok(target: &AgentTarget, what: &str) -> Result<(), AgentError> {
    let empty = match target {
        AgentTarget::Model { model, .. } => model.trim().is_empty(),
        AgentTarget::Route { route } => route.trim().is_empty(),
    };
    if empty {
        return Err(AgentError::Invalid(format!(
            "{what} is not set: pick a model or a route"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::templates;

    #[test]
    fn every_template_but_the_folder_one_is_valid_as_shipped() {
        for t in templates() {
            let verdict = t.spec.validate(&[]);
            let needs_folder = t
                .spec
                .tools
                .iter()
                .any(|g| matches!(g, ToolGrant::ReadFiles { .. }));
            assert_eq!(verdict.is_err(), needs_folder, "{}: {verdict:?}", t.id);
        }
    }

    #[test]
    fn bad_fields_are_named() {
        let mut spec = templates().remove(1).spec;
        spec.max_steps = 0;
        let e = spec.validate(&[]).unwrap_err().to_string();
        assert!(e.contains("maximum steps"), "{e}");
        spec.max_steps = 5;
        spec.tools = vec![ToolGrant::Mcp {
            server: "git".into(),
        }];
        let e = spec.validate(&[]).unwrap_err().to_string();
        assert!(e.contains("\"git\""), "{e}");
        spec.tools = vec![ToolGrant::ReadFiles { root: "/".into() }];
        let e = spec.validate(&[]).unwrap_err().to_string();
        assert!(e.contains("too much to share"), "{e}");
        spec.tools = vec![ToolGrant::HttpGet {
            hosts: vec!["docs.rs/path".into()],
            any_public_host: false,
        }];
        let e = spec.validate(&[]).unwrap_err().to_string();
        assert!(e.contains("\"docs.rs/path\" is not a host"), "{e}");
        spec.tools.clear();
        spec.name = " padded".into();
        assert!(spec.validate(&[]).is_err());
    }
}
