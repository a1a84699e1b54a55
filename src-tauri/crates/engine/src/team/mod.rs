//! OpenRouter team mode (`docs/upstream-apis.md` §6.4): an admin's management key mints a key
//! per member with its own limit and expiry, binds keys and members to guardrails, and reads
//! what the team spent, compared with what this machine booked.
//!
//! The management key lives in the keychain under its own account ([`MANAGEMENT_ACCOUNT`]),
//! apart from OpenRouter's inference keys, and only the calls in this module send it: no chat
//! request can pick it, because key choice reads the provider's own accounts only. Saving it
//! checks with `GET /key` that it really is a management key.

mod guardrails;
mod local;
mod reconcile;
mod spend;

use switchboard_core::{
    ApiKey, BuiltinProvider, CreatedTeamKey, ErrorCode, ErrorInfo, KeyRefusal, LimitChange,
    ManagementKeyStatus, TeamKey, TeamKeyChange, TeamKeyDraft, Usd,
};
use switchboard_providers::openrouter_api::{
    create_key, delete_key, fetch_key, list_keys, update_key,
};
use switchboard_providers::{Endpoint, ProviderError};

use crate::providers::keyless_endpoint;
use crate::{Engine, EngineError, Inner};

handle! {
    /// OpenRouter team mode: the management key, the team's keys and guardrails, team spend and
    /// its reconciliation with this machine's ledger.
    Team, team
}

/// The keychain account the management key is saved under (the app's keychain service).
pub const MANAGEMENT_ACCOUNT: &str = "openrouter-management";

/// Why a team-mode call could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TeamError {
    /// No management key is saved.
    #[error(
        "No OpenRouter management key is saved on this machine, so nothing was sent. Create one \
         on OpenRouter (Settings › Management keys) and save it in Team."
    )]
    NoManagementKey,
    /// The key offered as a management key is an inference key.
    #[error(
        "This is an inference key, not a management key: it can run models but cannot manage \
         the team's keys. Nothing was saved; create a management key on OpenRouter (Settings › \
         Management keys) and paste that one."
    )]
    NotManagementKey,
    /// OpenRouter refused the management key.
    #[error(
        "OpenRouter refused the management key ({detail}). Nothing was changed; check that the \
         key still exists, or save a new one in Team."
    )]
    Refused {
        /// What OpenRouter said.
        detail: String,
    },
}

impl TeamError {
    /// The envelope for the UI (see [`EngineError::info`]).
    pub fn info(&self) -> ErrorInfo {
        let code = match self {
            Self::NoManagementKey => ErrorCode::NoKey,
            Self::NotManagementKey => ErrorCode::InvalidInput,
            Self::Refused { .. } => ErrorCode::Auth,
        };
        ErrorInfo::new(code, self.to_string())
    }
}

/// A refusal of the management key becomes [`TeamError::Refused`]; anything else stays the
/// provider's error.
fn management_failure(error: ProviderError) -> EngineError {
    let refused = match &error {
        ProviderError::Auth { message, .. } => Some(message.clone()),
        ProviderError::KeyRefused {
            refusal: KeyRefusal::Disabled | KeyRefusal::Expired,
            message,
            ..
        } => Some(message.clone()),
        _ => None,
    };
    match refused {
        Some(detail) => TeamError::Refused { detail }.into(),
        None => error.into(),
    }
}

impl Engine {
    /// OpenRouter's endpoint as configured (base URL and attribution), without a key.
    async fn openrouter_endpoint(&self) -> Result<Endpoint, EngineError> {
        let provider = BuiltinProvider::OpenRouter.id();
        self.blocking(move |inner| keyless_endpoint(inner, &provider))
            .await
    }

    /// OpenRouter's endpoint carrying the saved management key: the only endpoint that ever
    /// does.
    async fn management_endpoint(&self) -> Result<Endpoint, EngineError> {
        let mut endpoint = self.openrouter_endpoint().await?;
        let key = self
            .blocking(|inner| Ok(inner.keychain.get_account(MANAGEMENT_ACCOUNT)?))
            .await?
            .ok_or(TeamError::NoManagementKey)?;
        endpoint.key = Some(key);
        Ok(endpoint)
    }

    /// Sets `on_this_machine` on each key this machine has saved for OpenRouter.
    async fn mark_local(&self, mut keys: Vec<TeamKey>) -> Result<Vec<TeamKey>, EngineError> {
        let locals = self.blocking(local::openrouter_keys).await?;
        for key in &mut keys {
            key.on_this_machine = locals.iter().any(|l| local::same_key(key, &l.key));
        }
        Ok(keys)
    }
}

impl crate::Team<'_> {
    /// Whether a management key is saved, masked, and whether it is misused as the key for
    /// chatting. Reads the keychain only.
    pub async fn management_key_status(&self) -> Result<ManagementKeyStatus, EngineError> {
        self.blocking(management_status).await
    }

    /// Checks `key` with OpenRouter (`GET /key` must say `is_management_key`) and saves it in
    /// the keychain. An inference key is refused with [`TeamError::NotManagementKey`].
    #[tracing::instrument(skip_all, err(Debug))]
    pub async fn save_management_key(
        &self,
        key: String,
    ) -> Result<ManagementKeyStatus, EngineError> {
        let key = ApiKey::parse(&key).map_err(|e| EngineError::invalid(e.to_string()))?;
        let mut endpoint = self.openrouter_endpoint().await?;
        endpoint.key = Some(key.clone());
        let info = fetch_key(&self.inner.http, &endpoint)
            .await
            .map_err(management_failure)?;
        if !info.is_management_key {
            return Err(TeamError::NotManagementKey.into());
        }
        self.blocking(move |inner| {
            inner.keychain.set_account(MANAGEMENT_ACCOUNT, &key)?;
            tracing::info!("OpenRouter management key saved in the keychain");
            management_status(inner)
        })
        .await
    }

    /// Removes the management key from the keychain; the team's keys are untouched.
    #[tracing::instrument(skip_all, err(Debug))]
    pub async fn remove_management_key(&self) -> Result<ManagementKeyStatus, EngineError> {
        self.blocking(|inner| {
            inner.keychain.delete_account(MANAGEMENT_ACCOUNT)?;
            management_status(inner)
        })
        .await
    }

    /// Every team key, disabled ones too, marked when this machine has it.
    #[tracing::instrument(skip_all, err(Debug))]
    pub async fn keys(&self) -> Result<Vec<TeamKey>, EngineError> {
        let endpoint = self.management_endpoint().await?;
        let keys = list_keys(&self.inner.http, &endpoint)
            .await
            .map_err(management_failure)?;
        self.mark_local(keys).await
    }

    /// Makes a key for a member. The result carries the key itself, once: OpenRouter never
    /// shows it again and Switchboard keeps no copy.
    #[tracing::instrument(skip_all, err(Debug))]
    pub async fn create_key(&self, draft: TeamKeyDraft) -> Result<CreatedTeamKey, EngineError> {
        let draft = checked_draft(draft, jiff::Timestamp::now())?;
        let endpoint = self.management_endpoint().await?;
        let mut created = create_key(&self.inner.http, &endpoint, &draft)
            .await
            .map_err(management_failure)?;
        if let Some(key) = self.mark_local(vec![created.key.clone()]).await?.pop() {
            created.key = key;
        }
        Ok(created)
    }

    /// Renames, limits, disables or enables a key again; what `change` leaves out stays.
    #[tracing::instrument(skip_all, err(Debug))]
    pub async fn update_key(
        &self,
        hash: String,
        change: TeamKeyChange,
    ) -> Result<TeamKey, EngineError> {
        let hash = checked_hash(&hash)?;
        let change = checked_change(change)?;
        let endpoint = self.management_endpoint().await?;
        let key = update_key(&self.inner.http, &endpoint, &hash, &change)
            .await
            .map_err(management_failure)?;
        self.mark_local(vec![key])
            .await?
            .pop()
            .ok_or_else(|| EngineError::Internal {
                context: "a changed key went missing".to_owned(),
            })
    }

    /// Deletes a key for good: every request with it fails from now on, here and elsewhere.
    #[tracing::instrument(skip_all, err(Debug))]
    pub async fn delete_key(&self, hash: String) -> Result<(), EngineError> {
        let hash = checked_hash(&hash)?;
        let endpoint = self.management_endpoint().await?;
        delete_key(&self.inner.http, &endpoint, &hash)
            .await
            .map_err(management_failure)
    }
}

fn management_status(inner: &Inner) -> Result<ManagementKeyStatus, EngineError> {
    let Some(key) = inner.keychain.get_account(MANAGEMENT_ACCOUNT)? else {
        return Ok(ManagementKeyStatus {
            saved: false,
            masked: None,
            used_for_chat: false,
        });
    };
    let used_for_chat = local::openrouter_keys(inner)?
        .iter()
        .any(|l| l.key.expose() == key.expose());
    Ok(ManagementKeyStatus {
        saved: true,
        masked: Some(key.masked()),
        used_for_chat,
    })
}

/// A key's hash: 64 hex characters, as OpenRouter gives it (checked before it goes in a URL).
fn checked_hash(hash: &str) -> Result<String, EngineError> {
    let hash = hash.trim();
    if hash.len() == 64 && hash.chars().all(|c| c.is_ascii_hexdigit()) {
        Ok(hash.to_owned())
    } else {
        Err(EngineError::invalid(
            "That is not a key's hash (64 hex characters); pick the key from the team's list.",
        ))
    }
}

/// A name people can tell apart: 1 to 100 characters.
fn checked_name(name: &str, what: &str) -> Result<String, EngineError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(EngineError::invalid(format!(
            "Give the {what} a name of 1 to 100 characters."
        )));
    }
    Ok(name.to_owned())
}

/// A limit or budget above zero.
fn checked_amount(amount: Usd, what: &str) -> Result<Usd, EngineError> {
    if amount > Usd::ZERO {
        Ok(amount)
    } else {
        Err(EngineError::invalid(format!(
            "A {what} is an amount above zero; leave it empty for none."
        )))
    }
}

/// The draft as OpenRouter should get it: a trimmed name, a positive limit, and an expiry in
/// the future written as UTC (`2027-01-01T00:00:00Z`).
fn checked_draft(draft: TeamKeyDraft, now: jiff::Timestamp) -> Result<TeamKeyDraft, EngineError> {
    let expires_at = match draft.expires_at.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => {
            let at: jiff::Timestamp = text.parse().map_err(|_| {
                EngineError::invalid(format!(
                    "\"{text}\" is not a date and time like 2027-01-01T00:00:00Z."
                ))
            })?;
            if at <= now {
                return Err(EngineError::invalid(
                    "The key's expiry is in the past; pick a later date.",
                ));
            }
            Some(at.to_string())
        }
    };
    Ok(TeamKeyDraft {
        name: checked_name(&draft.name, "key")?,
        limit: draft
            .limit
            .map(|l| checked_amount(l, "key's limit"))
            .transpose()?,
        expires_at,
        ..draft
    })
}

fn checked_change(change: TeamKeyChange) -> Result<TeamKeyChange, EngineError> {
    let name = change
        .name
        .as_deref()
        .map(|n| checked_name(n, "key"))
        .transpose()?;
    if let LimitChange::Amount { usd } = change.limit {
        checked_amount(usd, "key's limit")?;
    }
    Ok(TeamKeyChange { name, ..change })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> TeamKeyDraft {
        TeamKeyDraft {
            name: "  Ada  ".into(),
            limit: Usd::parse("5").ok(),
            limit_reset: None,
            include_byok_in_limit: false,
            expires_at: Some("2027-01-01T00:00:00+01:00".into()),
        }
    }

    #[test]
    fn a_draft_is_trimmed_and_its_expiry_written_in_utc() {
        let now: jiff::Timestamp = "2026-06-01T00:00:00Z".parse().unwrap();
        let checked = checked_draft(draft(), now).unwrap();
        assert_eq!(checked.name, "Ada");
        assert_eq!(
            checked.expires_at.as_deref(),
            Some("2026-12-31T23:00:00Z"),
            "the same instant, in UTC"
        );
        let past = TeamKeyDraft {
            expires_at: Some("2026-05-01T00:00:00Z".into()),
            ..draft()
        };
        assert!(checked_draft(past, now).is_err(), "already expired");
        let garbage = TeamKeyDraft {
            expires_at: Some("next week".into()),
            ..draft()
        };
        assert!(checked_draft(garbage, now).is_err());
        let free = TeamKeyDraft {
            limit: Some(Usd::ZERO),
            ..draft()
        };
        assert!(checked_draft(free, now).is_err(), "a zero limit");
        let blank = TeamKeyDraft {
            name: " ".into(),
            ..draft()
        };
        assert!(checked_draft(blank, now).is_err());
    }

    #[test]
    fn hashes_are_64_hex_characters() {
        assert!(checked_hash(&"a1".repeat(32)).is_ok());
        for bad in [
            "",
            "abc",
            &"g".repeat(64),
            &format!("{}/..", "a".repeat(62)),
        ] {
            assert!(checked_hash(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn errors_say_what_happened_and_what_to_do() {
        assert_eq!(TeamError::NoManagementKey.info().code, ErrorCode::NoKey);
        let wrong = TeamError::NotManagementKey.info();
        assert_eq!(wrong.code, ErrorCode::InvalidInput);
        assert!(
            wrong
                .message
                .starts_with("This is an inference key, not a management key")
        );
        let refused = management_failure(ProviderError::from_response(401, None, "{}"));
        assert_eq!(refused.info().code, ErrorCode::Auth);
        assert!(refused.to_string().contains("refused the management key"));
        let outage = management_failure(ProviderError::from_response(503, None, "{}"));
        assert_eq!(
            outage.info().code,
            ErrorCode::Upstream,
            "not the key's fault"
        );
    }
}
