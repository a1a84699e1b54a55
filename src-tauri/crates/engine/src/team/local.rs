//! The OpenRouter keys this machine has (the main key, from the keychain or the environment,
//! and the further keys), each with the label the ledger books its requests under, and how a
//! team key is recognized among them.

use sha2::{Digest, Sha256};
use switchboard_core::{ApiKey, BuiltinProvider, TeamKey};

use crate::keychain::{Keychain, KeychainError};
use crate::providers::{effective_key, key_label};
use crate::{EngineError, Inner};

/// One OpenRouter key saved here.
pub(super) struct LocalKey {
    pub(super) key: ApiKey,
    /// What the ledger's `key_label` says for requests sent with it.
    pub(super) ledger_label: Option<String>,
}

/// Every OpenRouter key this machine has, refused ones too (their past requests still count).
/// A keychain that cannot be reached leaves only the environment's key.
pub(super) fn openrouter_keys(inner: &Inner) -> Result<Vec<LocalKey>, EngineError> {
    let provider = BuiltinProvider::OpenRouter.id();
    let keychain_up = inner.keychain.status().available;
    let main = effective_key(inner, &provider, keychain_up)?;
    let mut keys = Vec::new();
    if let Some(key) = main.key.clone() {
        keys.push(LocalKey {
            key,
            ledger_label: key_label(&main.status),
        });
    }
    if !keychain_up {
        return Ok(keys);
    }
    for row in inner.store.extra_keys(provider.as_str())? {
        let account = Keychain::extra_account(&provider, &row.label);
        match inner.keychain.get_account(&account) {
            Ok(Some(key)) => {
                // The label `keys.rs` books a further key's requests under.
                let ledger_label = Some(format!("keychain {} {}", row.label, key.masked()));
                keys.push(LocalKey { key, ledger_label });
            }
            Ok(None) | Err(KeychainError::Unavailable { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(keys)
}

/// Whether `local` is the team key `team`: its SHA-256 is the key's hash, or it fits the key's
/// masked label (`sk-or-v1-0e6...1c96`: the same start and end).
///
/// OpenRouter describes the hash only as "SHA-256 hex"; that it is the key's own digest is
/// likely but not documented, so the label, which is documented, is checked as well.
pub(super) fn same_key(team: &TeamKey, local: &ApiKey) -> bool {
    let secret = local.expose();
    let digest: String = Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    digest.eq_ignore_ascii_case(&team.hash) || fits_label(&team.label, secret)
}

/// `label` is `<start>...<end>` (or with `…`), with enough of each that two keys are not
/// confused: the `sk-or-v1-` prefix plus at least 3 characters, and at least 3 at the end.
fn fits_label(label: &str, secret: &str) -> bool {
    let Some((start, end)) = label.split_once("...").or_else(|| label.split_once('…')) else {
        return false;
    };
    start.len() >= "sk-or-v1-".len() + 3
        && end.len() >= 3
        && secret.len() > start.len() + end.len()
        && secret.starts_with(start)
        && secret.ends_with(end)
}

#[cfg(test)]
mod tests {
    use switchboard_core::KeyUsage;

    use super::*;

    fn team(hash: &str, label: &str) -> TeamKey {
        TeamKey {
            hash: hash.into(),
            name: "n".into(),
            label: label.into(),
            disabled: false,
            limit: None,
            limit_remaining: None,
            limit_reset: None,
            include_byok_in_limit: false,
            usage: KeyUsage::default(),
            byok_usage: KeyUsage::default(),
            created_at: None,
            expires_at: None,
            on_this_machine: false,
        }
    }

    #[test]
    fn a_team_key_is_known_by_its_hash_or_its_label() {
        // The SDK's example pair: key `sk-or-v1-0e6f…1c96`, label `sk-or-v1-0e6...1c96`.
        let secret = "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";
        let key = ApiKey::parse(secret).unwrap();
        assert!(same_key(&team("nothash", "sk-or-v1-0e6...1c96"), &key));
        assert!(
            same_key(&team("nothash", "sk-or-v1-0e6…c96"), &key),
            "3 at the end"
        );
        let digest: String = Sha256::digest(secret.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert!(same_key(&team(&digest.to_uppercase(), "renamed"), &key));
        for label in [
            "sk-or-v1-0e7...1c96",
            "sk-or-v1-0e6...1c97",
            "sk-or-v1-...1c96",
            "sk-or-v1-0e6...c9",
            "My Production Key",
        ] {
            assert!(!same_key(&team("nothash", label), &key), "{label}");
        }
    }
}
