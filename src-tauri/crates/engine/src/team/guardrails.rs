//! Guardrails: what the team's keys and members may use and spend (model and provider
//! allow-lists, zero data retention, a budget that resets), made and assigned through the
//! management key.

use futures_util::future::try_join_all;
use switchboard_core::{Guardrail, GuardrailDraft, GuardrailTargets};
use switchboard_providers::Endpoint;
use switchboard_providers::openrouter_api::{
    Assignee, assign_guardrail, create_guardrail, delete_guardrail, guardrail_key_hashes,
    guardrail_member_ids, list_guardrails, update_guardrail,
};

use super::{checked_amount, checked_hash, checked_name, management_failure};
use crate::{Engine, EngineError};

impl Engine {
    /// `guardrail` with its key and member assignments filled in.
    async fn with_assignments(
        &self,
        endpoint: &Endpoint,
        mut guardrail: Guardrail,
    ) -> Result<Guardrail, EngineError> {
        let http = &self.inner.http;
        let (keys, members) = futures_util::future::try_join(
            guardrail_key_hashes(http, endpoint, &guardrail.id),
            guardrail_member_ids(http, endpoint, &guardrail.id),
        )
        .await
        .map_err(management_failure)?;
        guardrail.key_hashes = keys;
        guardrail.member_user_ids = members;
        Ok(guardrail)
    }
}

impl crate::Team<'_> {
    /// Every guardrail, with the keys and members it is assigned to.
    #[tracing::instrument(skip_all, err(Debug))]
    pub async fn guardrails(&self) -> Result<Vec<Guardrail>, EngineError> {
        let endpoint = self.management_endpoint().await?;
        let listed = list_guardrails(&self.inner.http, &endpoint)
            .await
            .map_err(management_failure)?;
        try_join_all(
            listed
                .into_iter()
                .map(|g| self.with_assignments(&endpoint, g)),
        )
        .await
    }

    /// Makes a guardrail.
    #[tracing::instrument(skip_all, err(Debug))]
    pub async fn create_guardrail(&self, draft: GuardrailDraft) -> Result<Guardrail, EngineError> {
        let draft = checked_guardrail(draft)?;
        let endpoint = self.management_endpoint().await?;
        let made = create_guardrail(&self.inner.http, &endpoint, &draft)
            .await
            .map_err(management_failure)?;
        self.with_assignments(&endpoint, made).await
    }

    /// Replaces every setting of guardrail `id` with `draft`'s; its assignments stay.
    #[tracing::instrument(skip_all, err(Debug))]
    pub async fn update_guardrail(
        &self,
        id: String,
        draft: GuardrailDraft,
    ) -> Result<Guardrail, EngineError> {
        let draft = checked_guardrail(draft)?;
        let endpoint = self.management_endpoint().await?;
        let changed = update_guardrail(&self.inner.http, &endpoint, id.trim(), &draft)
            .await
            .map_err(management_failure)?;
        self.with_assignments(&endpoint, changed).await
    }

    /// Deletes guardrail `id`; the keys and members it bound are free of it.
    #[tracing::instrument(skip_all, err(Debug))]
    pub async fn delete_guardrail(&self, id: String) -> Result<(), EngineError> {
        let endpoint = self.management_endpoint().await?;
        delete_guardrail(&self.inner.http, &endpoint, id.trim())
            .await
            .map_err(management_failure)
    }

    /// Assigns guardrail `id` to keys and members (each holds one guardrail at most: this
    /// replaces theirs), or with `remove`, takes it from them. Resolves with the guardrail as
    /// it now stands.
    #[tracing::instrument(skip_all, err(Debug))]
    pub async fn assign_guardrail(
        &self,
        id: String,
        targets: GuardrailTargets,
        remove: bool,
    ) -> Result<Guardrail, EngineError> {
        let id = id.trim().to_owned();
        let hashes = targets
            .key_hashes
            .iter()
            .map(|h| checked_hash(h))
            .collect::<Result<Vec<_>, _>>()?;
        let members: Vec<String> = targets
            .member_user_ids
            .iter()
            .map(|m| m.trim().to_owned())
            .filter(|m| !m.is_empty())
            .collect();
        let endpoint = self.management_endpoint().await?;
        let http = &self.inner.http;
        for (who, ids) in [(Assignee::Keys, &hashes), (Assignee::Members, &members)] {
            if !ids.is_empty() {
                assign_guardrail(http, &endpoint, &id, who, ids, remove)
                    .await
                    .map_err(management_failure)?;
            }
        }
        let listed = list_guardrails(http, &endpoint)
            .await
            .map_err(management_failure)?;
        let guardrail = listed.into_iter().find(|g| g.id == id).ok_or_else(|| {
            EngineError::invalid("That guardrail no longer exists; it may have been deleted.")
        })?;
        self.with_assignments(&endpoint, guardrail).await
    }
}

/// A draft OpenRouter can take: a name, a positive budget, trimmed lists without blanks or
/// repeats.
fn checked_guardrail(draft: GuardrailDraft) -> Result<GuardrailDraft, EngineError> {
    let list = |items: Vec<String>| {
        let mut clean: Vec<String> = Vec::new();
        for item in items.into_iter().map(|i| i.trim().to_owned()) {
            if !item.is_empty() && !clean.contains(&item) {
                clean.push(item);
            }
        }
        clean
    };
    Ok(GuardrailDraft {
        name: checked_name(&draft.name, "guardrail")?,
        description: draft
            .description
            .map(|d| d.trim().to_owned())
            .filter(|d| !d.is_empty()),
        budget: draft
            .budget
            .map(|b| checked_amount(b, "budget"))
            .transpose()?,
        budget_reset: draft.budget_reset,
        include_byok_in_budget: draft.include_byok_in_budget,
        allowed_models: list(draft.allowed_models),
        allowed_providers: list(draft.allowed_providers),
        zdr: draft.zdr,
    })
}

#[cfg(test)]
mod tests {
    use switchboard_core::Usd;

    use super::*;

    #[test]
    fn a_draft_is_cleaned_and_a_zero_budget_refused() {
        let draft = GuardrailDraft {
            name: " Interns ".into(),
            description: Some("  ".into()),
            allowed_models: vec![" a/b ".into(), "".into(), "a/b".into()],
            ..GuardrailDraft::default()
        };
        let clean = checked_guardrail(draft.clone()).unwrap();
        assert_eq!(clean.name, "Interns");
        assert_eq!(clean.description, None);
        assert_eq!(clean.allowed_models, ["a/b"]);
        let free = GuardrailDraft {
            budget: Some(Usd::ZERO),
            ..draft
        };
        assert!(checked_guardrail(free).is_err());
    }
}
