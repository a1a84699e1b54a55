//! What signing in with OpenRouter gives back. The key it got went to the OS keychain and is
//! nowhere in here; what is here is the providers as they now stand and what became of the
//! spending limit the person asked for.

use serde::{Deserialize, Serialize};

use crate::{ProvidersOverview, Usd};

/// A finished sign-in with OpenRouter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SignedIn {
    /// The providers as they now stand: OpenRouter with the new key, masked.
    pub providers: ProvidersOverview,
    /// What became of the spending limit asked for.
    pub limit: LimitCheck,
}

/// The spending limit on the new key, as OpenRouter reports it (`GET /key`) after sign-in.
///
/// OpenRouter documents a limit only where an app creates the code itself with a key of its
/// own, not on the sign-in page, so the limit asked for is read back rather than trusted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "status", rename_all = "camelCase")]
pub enum LimitCheck {
    /// No limit was asked for.
    NotRequested,
    /// The new key has the limit that was asked for.
    Applied {
        /// The limit, in USD.
        limit: Usd,
    },
    /// The new key has another limit, or none (`reported` is `None`): set it on OpenRouter's
    /// keys page.
    #[serde(rename_all = "camelCase")]
    NotApplied {
        /// The limit asked for.
        requested: Usd,
        /// The limit OpenRouter reports on the key.
        reported: Option<Usd>,
    },
    /// The key was saved but its limit could not be read back (OpenRouter did not answer).
    Unchecked {
        /// The limit asked for.
        requested: Usd,
    },
}
