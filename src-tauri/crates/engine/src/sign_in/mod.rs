//! Sign in with OpenRouter: the person approves Switchboard on OpenRouter's page in their own
//! browser, and the key OpenRouter issues goes straight into the keychain as the OpenRouter
//! key, never through the UI.
//!
//! The flow (OAuth PKCE, `docs/upstream-apis.md` §6.4): listen on a loopback port, open the
//! sign-in page with the S256 challenge and that callback, wait for the browser's return,
//! check it is this sign-in's, exchange the code with the verifier, save the key the way a
//! pasted key is saved, answer the browser, and say what became of the spending limit asked
//! for. One sign-in runs at a time. Cancelling (or dropping the future), a timeout, a refusal
//! or a stranger's callback ends it with a [`SignInError`]; no key is saved unless the
//! exchange succeeded, and the listener is closed whatever happened.

mod callback;

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use switchboard_core::{ApiKey, BuiltinProvider, ErrorCode, ErrorInfo, LimitCheck, SignedIn, Usd};
use switchboard_providers::Endpoint;
use switchboard_providers::openrouter_api::{
    CodeVerifier, ExchangeError, auth_page, authorization_url, exchange_code, fetch_key,
};
use tokio_util::sync::CancellationToken;

use crate::providers::keyless_endpoint;
use crate::{Engine, EngineError};
use callback::{CallbackQuery, Page, Server};

/// How long the browser has to come back: time to log in and read the consent page.
const DEFAULT_DEADLINE: Duration = Duration::from_secs(5 * 60);

/// The state in the callback's path: 32 random bytes, as unguessable as the verifier.
const STATE_BYTES: usize = 32;

/// How a sign-in runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInOptions {
    /// A spending limit (USD) to ask OpenRouter to put on the new key. OpenRouter may ignore
    /// it; [`SignedIn::limit`] says what the key really has.
    pub limit: Option<Usd>,
    /// How long to wait for the browser's return (5 minutes unless a test wants less).
    pub deadline: Duration,
}

impl Default for SignInOptions {
    fn default() -> Self {
        Self {
            limit: None,
            deadline: DEFAULT_DEADLINE,
        }
    }
}

/// Why a sign-in with OpenRouter ended without a key. Nothing was saved in any of these.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SignInError {
    /// Another sign-in is waiting for the browser.
    #[error(
        "A sign-in with OpenRouter is already waiting for the browser. Finish it there, or \
         cancel it and start again."
    )]
    Busy,
    /// The person cancelled it.
    #[error("Sign-in with OpenRouter was cancelled. Nothing was saved.")]
    Cancelled,
    /// The browser did not come back in time.
    #[error(
        "Sign-in with OpenRouter timed out: the browser did not come back within {}. Nothing \
         was saved; sign in again.",
        span(.waited)
    )]
    TimedOut {
        /// How long it waited.
        waited: Duration,
    },
    /// The person declined on OpenRouter's page (`error=access_denied`).
    #[error(
        "Access was declined on OpenRouter's page, so no key was made. Nothing was saved; sign \
         in again and authorize Switchboard to connect your account."
    )]
    Denied,
    /// OpenRouter sent the browser back with another OAuth error.
    #[error(
        "OpenRouter ended the sign-in with the error \"{error}\". Nothing was saved; sign in \
         again."
    )]
    Failed {
        /// The OAuth error code, or a placeholder when it was not a plain code.
        error: String,
    },
    /// A callback without this sign-in's state: not the browser this sign-in sent, or a page
    /// trying to slip its own code in. Nothing of it was used.
    #[error(
        "The browser came back with a sign-in link that is not the one Switchboard started, so \
         it was refused. Nothing was saved; sign in again."
    )]
    WrongState,
    /// The browser came back without a code.
    #[error(
        "The browser came back from OpenRouter without a sign-in code. Nothing was saved; sign \
         in again."
    )]
    MissingCode,
    /// The code was not exchanged for a key.
    #[error("{0}")]
    Exchange(ExchangeError),
    /// The sign-in page could not be opened.
    #[error(
        "No browser could be opened for OpenRouter's sign-in page ({detail}). Nothing was \
         saved; check that a default browser is set, then try again."
    )]
    Browser {
        /// What the launcher said.
        detail: String,
    },
    /// No loopback port could be had for the browser's return.
    #[error(
        "Switchboard could not listen on 127.0.0.1 for the browser's return ({0}). Nothing was \
         saved; try again."
    )]
    Listen(std::io::Error),
    /// The OS's random source failed.
    #[error("The operating system gave no random bytes for the sign-in ({0}). Nothing was saved.")]
    Randomness(getrandom::Error),
}

impl SignInError {
    /// The envelope for the UI (see [`EngineError::info`]).
    pub fn info(&self) -> ErrorInfo {
        let code = match self {
            Self::Busy | Self::WrongState | Self::MissingCode => ErrorCode::InvalidInput,
            Self::Cancelled => ErrorCode::Cancelled,
            Self::TimedOut { .. } => ErrorCode::Timeout,
            Self::Denied | Self::Exchange(ExchangeError::Refused { .. }) => ErrorCode::Auth,
            Self::Failed { .. } => ErrorCode::BadRequest,
            Self::Exchange(ExchangeError::Decode { .. }) => ErrorCode::Decode,
            Self::Exchange(ExchangeError::Provider(e)) => {
                let said = e.info().message;
                let said = said.trim_end().trim_end_matches('.');
                return ErrorInfo::new(
                    e.code(),
                    format!(
                        "Sign-in with OpenRouter could not finish: {said}. Nothing was saved; \
                         sign in again."
                    ),
                );
            }
            Self::Browser { .. } | Self::Listen(_) | Self::Randomness(_) | Self::Exchange(_) => {
                ErrorCode::Internal
            }
        };
        let message = match self {
            Self::Exchange(ExchangeError::Refused { status, message }) => format!(
                "OpenRouter did not accept the sign-in code ({status}: {message}). Nothing was \
                 saved; sign in again."
            ),
            Self::Exchange(e) => format!("{e}. Nothing was saved; sign in again."),
            other => other.to_string(),
        };
        ErrorInfo::new(code, message)
    }
}

/// `5 minutes`, `2 s`: a deadline as people say it.
fn span(waited: &Duration) -> String {
    match waited.as_secs() {
        60 => "a minute".to_owned(),
        s if s >= 60 && s % 60 == 0 => format!("{} minutes", s / 60),
        s => format!("{s} s"),
    }
}

/// The one sign-in that may run: its number and the token that cancels it.
#[derive(Debug, Default)]
pub(crate) struct Slot {
    current: Mutex<Option<(u64, CancellationToken)>>,
    numbers: AtomicU64,
}

impl Slot {
    fn claim(&self) -> Result<Claim<'_>, SignInError> {
        let mut current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        if current.is_some() {
            return Err(SignInError::Busy);
        }
        let number = self.numbers.fetch_add(1, Ordering::Relaxed);
        let token = CancellationToken::new();
        *current = Some((number, token.clone()));
        Ok(Claim {
            slot: self,
            number,
            token,
        })
    }

    fn cancel(&self) -> bool {
        let current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        current.as_ref().map(|(_, token)| token.cancel()).is_some()
    }
}

/// A running sign-in's hold on the [`Slot`]; dropping it (the flow ended or its future was
/// dropped) cancels what is left of it and frees the slot.
struct Claim<'a> {
    slot: &'a Slot,
    number: u64,
    token: CancellationToken,
}

impl Drop for Claim<'_> {
    fn drop(&mut self) {
        self.token.cancel();
        let mut current = self
            .slot
            .current
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if current.as_ref().is_some_and(|(n, _)| *n == self.number) {
            *current = None;
        }
    }
}

/// What one sign-in made before opening the page: where to exchange, and its two secrets.
struct Started {
    endpoint: Endpoint,
    verifier: CodeVerifier,
    state: String,
}

impl Engine {
    /// From opening the sign-in page to the saved key, the browser answered on the way.
    async fn await_key<Open, Opened, E>(
        &self,
        claim: &Claim<'_>,
        server: &mut Server,
        started: &Started,
        options: &SignInOptions,
        open: Open,
    ) -> Result<(switchboard_core::ProvidersOverview, ApiKey), EngineError>
    where
        Open: FnOnce(String) -> Opened,
        Opened: Future<Output = Result<(), E>>,
        E: std::error::Error,
    {
        let url = authorization_url(
            &auth_page(&started.endpoint.base_url),
            &server.callback_url(&started.state),
            &started.verifier.challenge(),
            options.limit,
        );
        open(url.into()).await.map_err(|e| SignInError::Browser {
            detail: error_chain(&e),
        })?;
        let arrival = tokio::select! {
            arrival = server.arrival() => arrival.ok_or(SignInError::Cancelled)?,
            () = claim.token.cancelled() => return Err(SignInError::Cancelled.into()),
            () = tokio::time::sleep(options.deadline) => {
                return Err(SignInError::TimedOut { waited: options.deadline }.into());
            }
        };
        let code = match read_callback(&arrival.state, &started.state, arrival.query) {
            Ok(code) => code,
            Err(e) => {
                arrival.reply.send(match e {
                    SignInError::WrongState => Page::WrongLink,
                    _ => Page::NotSignedIn,
                });
                return Err(e.into());
            }
        };
        let http = &self.inner.http;
        let exchanged = tokio::select! {
            exchanged = exchange_code(http, &started.endpoint, &code, &started.verifier) => {
                exchanged.map_err(SignInError::Exchange)
            }
            () = claim.token.cancelled() => Err(SignInError::Cancelled),
        };
        // Past this point a cancel comes too late: the key exists, so it is kept.
        let saved = match exchanged {
            Ok(issued) => {
                let key = issued.key.expose().to_owned();
                self.keys()
                    .set(BuiltinProvider::OpenRouter.id(), key)
                    .await
                    .map(|providers| (providers, issued.key))
            }
            Err(e) => Err(e.into()),
        };
        arrival.reply.send(if saved.is_ok() {
            Page::SignedIn
        } else {
            Page::NotSignedIn
        });
        saved
    }

    /// What OpenRouter says the new key's limit is, against the limit asked for.
    async fn read_back_limit(
        &self,
        endpoint: &Endpoint,
        key: ApiKey,
        requested: Option<Usd>,
    ) -> LimitCheck {
        let Some(requested) = requested else {
            return LimitCheck::NotRequested;
        };
        let with_key = Endpoint {
            key: Some(key),
            ..endpoint.clone()
        };
        match fetch_key(&self.inner.http, &with_key).await {
            Ok(info) if info.limit == Some(requested) => LimitCheck::Applied { limit: requested },
            Ok(info) => LimitCheck::NotApplied {
                requested,
                reported: info.limit,
            },
            Err(error) => {
                tracing::warn!(%error, "the new key's limit could not be read back");
                LimitCheck::Unchecked { requested }
            }
        }
    }
}

impl crate::Keys<'_> {
    /// Signs in with OpenRouter: calls `open` with the URL of OpenRouter's sign-in page (to
    /// open in the system browser), waits for the browser's return, and saves the key
    /// OpenRouter issues as the OpenRouter key in the keychain. The key is never returned.
    ///
    /// Fails with [`SignInError::Busy`] while another sign-in runs; [`Keys::cancel_openrouter_sign_in`]
    /// or dropping the future ends this one.
    #[tracing::instrument(skip_all, err(Debug))]
    pub async fn sign_in_with_openrouter<Open, Opened, E>(
        &self,
        options: SignInOptions,
        open: Open,
    ) -> Result<SignedIn, EngineError>
    where
        Open: FnOnce(String) -> Opened,
        Opened: Future<Output = Result<(), E>>,
        E: std::error::Error,
    {
        if options.limit.is_some_and(|l| l <= Usd::ZERO) {
            return Err(EngineError::invalid(
                "A spending limit for the new key is an amount above zero; leave it empty for \
                 no limit.",
            ));
        }
        let claim = self.inner.sign_in.claim()?;
        let provider = BuiltinProvider::OpenRouter.id();
        let endpoint = self
            .blocking(move |inner| keyless_endpoint(inner, &provider))
            .await?;
        let started = Started {
            endpoint,
            verifier: CodeVerifier::generate().map_err(SignInError::Randomness)?,
            state: random_state()?,
        };
        let mut server = Server::bind(claim.token.child_token())
            .await
            .map_err(SignInError::Listen)?;
        let saved = self
            .await_key(&claim, &mut server, &started, &options, open)
            .await;
        // Closed before anything else happens, whatever happened: no later callback is heard.
        server.close().await;
        let (providers, key) = saved?;
        tracing::info!("signed in with OpenRouter; the new key is in the keychain");
        let limit = self
            .read_back_limit(&started.endpoint, key, options.limit)
            .await;
        Ok(SignedIn { providers, limit })
    }

    /// Cancels the sign-in under way; false when none was.
    pub fn cancel_openrouter_sign_in(&self) -> bool {
        self.inner.sign_in.cancel()
    }
}

/// The code from the browser's return, once it is known to be this sign-in's.
fn read_callback(
    given_state: &str,
    state: &str,
    query: CallbackQuery,
) -> Result<String, SignInError> {
    // A plain comparison: the first callback ends the sign-in whatever it carries, so there is
    // no second guess for a timing difference to help with.
    if given_state != state {
        return Err(SignInError::WrongState);
    }
    if let Some(error) = query.error {
        return Err(match error.as_str() {
            "access_denied" => SignInError::Denied,
            _ => SignInError::Failed {
                error: oauth_error_code(&error),
            },
        });
    }
    match query.code {
        Some(code) if !code.trim().is_empty() && code.len() <= 4096 => Ok(code),
        _ => Err(SignInError::MissingCode),
    }
}

/// An OAuth error code as it may be shown: OAuth codes are short ASCII words; anything else
/// is not repeated to the person.
fn oauth_error_code(error: &str) -> String {
    let plain = error.len() <= 64
        && error
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if plain {
        error.to_owned()
    } else {
        "an unreadable error".to_owned()
    }
}

/// A new state from the OS's random source.
fn random_state() -> Result<String, SignInError> {
    let mut bytes = [0_u8; STATE_BYTES];
    getrandom::fill(&mut bytes).map_err(SignInError::Randomness)?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// `error: cause: cause`, for a launcher error whose own text is terse.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchboard_core::ProviderError;

    fn query(code: Option<&str>, error: Option<&str>) -> CallbackQuery {
        CallbackQuery {
            code: code.map(str::to_owned),
            error: error.map(str::to_owned),
        }
    }

    #[test]
    fn a_callback_is_used_only_with_this_sign_ins_state_and_a_code() {
        assert_eq!(
            read_callback("s", "s", query(Some("c"), None)).unwrap(),
            "c"
        );
        assert!(matches!(
            read_callback("other", "s", query(Some("c"), None)),
            Err(SignInError::WrongState)
        ));
        assert!(
            matches!(
                read_callback("other", "s", query(None, Some("access_denied"))),
                Err(SignInError::WrongState)
            ),
            "the state is checked before anything else the callback says"
        );
        assert!(matches!(
            read_callback("s", "s", query(Some("c"), Some("access_denied"))),
            Err(SignInError::Denied)
        ));
        assert!(matches!(
            read_callback("s", "s", query(None, None)),
            Err(SignInError::MissingCode)
        ));
        assert!(matches!(
            read_callback("s", "s", query(Some(" "), None)),
            Err(SignInError::MissingCode)
        ));
        match read_callback("s", "s", query(None, Some("<script>alert(1)</script>"))) {
            Err(SignInError::Failed { error }) => assert_eq!(error, "an unreadable error"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn every_ending_says_nothing_was_saved_and_has_its_code() {
        let cases = [
            (SignInError::Cancelled, ErrorCode::Cancelled),
            (
                SignInError::TimedOut {
                    waited: DEFAULT_DEADLINE,
                },
                ErrorCode::Timeout,
            ),
            (SignInError::Denied, ErrorCode::Auth),
            (SignInError::WrongState, ErrorCode::InvalidInput),
            (SignInError::MissingCode, ErrorCode::InvalidInput),
            (
                SignInError::Exchange(ExchangeError::Refused {
                    status: 403,
                    message: "Invalid code or code_verifier".into(),
                }),
                ErrorCode::Auth,
            ),
            (
                SignInError::Exchange(ExchangeError::Provider(ProviderError::Network {
                    detail: "connection refused".into(),
                })),
                ErrorCode::Network,
            ),
        ];
        for (error, code) in cases {
            let info = error.info();
            assert_eq!(info.code, code, "{error:?}");
            assert!(
                info.message.contains("Nothing was saved"),
                "{}",
                info.message
            );
            assert!(
                info.message.starts_with(char::is_uppercase),
                "a sentence: {}",
                info.message
            );
        }
        assert!(
            SignInError::TimedOut {
                waited: DEFAULT_DEADLINE
            }
            .to_string()
            .contains("within 5 minutes")
        );
        assert!(
            SignInError::Exchange(ExchangeError::Provider(ProviderError::Network {
                detail: "x".into()
            }))
            .info()
            .retryable,
            "a network failure may pass"
        );
    }

    #[test]
    fn one_sign_in_at_a_time_and_a_finished_one_frees_the_slot() {
        let slot = Slot::default();
        let first = slot.claim().unwrap();
        assert!(matches!(slot.claim(), Err(SignInError::Busy)));
        assert!(slot.cancel(), "a sign-in was running");
        assert!(first.token.is_cancelled());
        drop(first);
        assert!(!slot.cancel(), "none is running any more");
        let second = slot.claim().unwrap();
        assert!(!second.token.is_cancelled(), "a new sign-in starts afresh");
    }
}
