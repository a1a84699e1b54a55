//! Transport failures, classified.

use switchboard_core::ProviderError;

/// Classifies a failure of the HTTP client itself (no answer, or the answer broke off).
pub fn transport_error(err: &reqwest::Error) -> ProviderError {
    if err.is_timeout() {
        return ProviderError::Timeout;
    }
    let mut detail = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        detail.push_str(": ");
        detail.push_str(&cause.to_string());
        source = cause.source();
    }
    // A body that broke off (or would not decode as it came) means the provider answered.
    if err.is_body() || err.is_decode() {
        return ProviderError::Cut { detail };
    }
    ProviderError::Network { detail }
}
