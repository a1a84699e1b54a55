//! Engine errors, and their classification into the envelope the UI receives.

use switchboard_core::{ErrorCode, ErrorInfo};
use switchboard_providers::ProviderError;
use switchboard_store::StoreError;

use crate::keychain::KeychainError;

/// Anything a use case can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    /// The local database.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A provider call.
    #[error(transparent)]
    Provider(#[from] ProviderError),
    /// The OS keychain.
    #[error(transparent)]
    Keychain(#[from] KeychainError),
    /// Input refused before anything happened.
    #[error("{message}")]
    InvalidInput {
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A built-in provider asked for without a key; nothing was sent.
    #[error("No API key for {provider}: add one in Settings or set {var}.")]
    NoKey {
        /// The provider's id.
        provider: String,
        /// The environment variable that would also do.
        var: &'static str,
    },
    /// A provider id that names nothing.
    #[error("{}", unknown_provider(id))]
    UnknownProvider {
        /// The id given.
        id: String,
    },
    /// A model name (from another tool, through the local API) that names nothing.
    #[error(
        "No route or model is named \"{name}\": name a route, a model as <provider>/<model> \
         (a provider you configured), or an OpenRouter model id."
    )]
    UnknownModel {
        /// The name given.
        name: String,
    },
    /// A budget's hard limit refuses the request.
    #[error("{message}")]
    OverBudget {
        /// Which budget, what is spent, and how to change it.
        message: String,
    },
    /// No target can take the request (every one is excluded; the summary says why).

    #[error("{summary}")]
    Unroutable {
        /// The router's explanation.
        summary: String,
    },
    /// Every attempt of a routed request failed or was passed over the same way (one refused
    /// key, one invalid base URL): that failure, with its own code, rather than a generic
    /// "no target took the request".
    #[error("{}", .0.message)]
    Attempts(ErrorInfo),
    /// Signing in with OpenRouter ended without a key.
    #[error(transparent)]
    SignIn(#[from] crate::sign_in::SignInError),
    /// A team-mode call (the management key, OpenRouter's key management API).
    #[error(transparent)]
    Team(#[from] crate::team::TeamError),
    /// A bug or an unexpected state.
    #[error("internal error: {context}")]
    Internal {
        /// What was being done.
        context: String,
    },
}

/// What [`EngineError::UnknownProvider`] says: the name that was given, but never a custom
/// provider's internal id (`custom:<uuid>`), which means nothing to a person.
fn unknown_provider(id: &str) -> String {
    if id.starts_with("custom:") {
        "That provider no longer exists (it was removed in Settings); choose another provider."
            .to_owned()
    } else {
        format!("no provider {id}")
    }
}

impl EngineError {
    /// The envelope for the UI: the only place errors are classified.
    pub fn info(&self) -> ErrorInfo {
        match self {
            Self::Provider(e) => e.info(),
            Self::Store(e) => {
                // `InFile` wraps a failure with the file it happened to; the code is the
                // failure's.
                let code = match e.kind() {
                    StoreError::DiskFull => ErrorCode::DiskFull,
                    StoreError::NotFound { .. } => ErrorCode::NotFound,
                    StoreError::Duplicate { .. } => ErrorCode::InvalidInput,
                    _ => ErrorCode::Storage,
                };
                ErrorInfo::new(code, e.to_string())
            }
            Self::Keychain(e @ KeychainError::Unavailable { .. }) => ErrorInfo::new(
                ErrorCode::KeychainUnavailable,
                format!(
                    "{e}. Keys cannot be saved until it is; meanwhile Switchboard reads \
                     OPENROUTER_API_KEY, OPENAI_API_KEY and ANTHROPIC_API_KEY from the environment."
                ),
            ),
            Self::Keychain(e) => ErrorInfo::new(ErrorCode::Internal, e.to_string()),
            Self::InvalidInput { .. } => ErrorInfo::new(ErrorCode::InvalidInput, self.to_string()),
            Self::NoKey { .. } => ErrorInfo::new(ErrorCode::NoKey, self.to_string()),
            Self::UnknownProvider { .. } | Self::UnknownModel { .. } => {
                ErrorInfo::new(ErrorCode::NotFound, self.to_string())
            }
            Self::Internal { .. } => ErrorInfo::new(ErrorCode::Internal, self.to_string()),
            Self::OverBudget { .. } => ErrorInfo::new(ErrorCode::BudgetExceeded, self.to_string()),
            Self::Attempts(info) => info.clone(),
            Self::SignIn(e) => e.info(),
            Self::Team(e) => e.info(),
            // Retryable: circuits close and limits refill.
            Self::Unroutable { .. } => ErrorInfo {
                code: ErrorCode::Upstream,
                message: self.to_string(),
                retryable: true,
            },
        }
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Self::InvalidInput {
            message: message.into(),
        }
    }

    /// Names the database file in a storage failure a person must act on (a full disk, a
    /// read-only directory, a damaged file), so the message says which file and what to do.
    pub(crate) fn in_database(self, db: &std::path::Path) -> Self {
        match self {
            Self::Store(e) => Self::Store(e.in_file(db)),
            other => other,
        }
    }
}
