//! Switchboard's provider adapters: everything that speaks HTTP to a model provider.
//!
//! It owns the wire formats (OpenRouter, OpenAI and compatible servers, Anthropic), the
//! authentication and attribution headers each one wants, and the classification of what comes
//! back into the small set of errors the engine and the UI act on. It knows nothing about
//! storage, keychains or the app; callers hand it an [`Endpoint`] with the key already loaded.

mod adapter;
pub mod anthropic;
mod charge;
mod endpoint;
mod error;
mod http;
mod key_check;
mod number;
pub mod openai_compat;
pub mod openrouter_api;
pub mod price_table;
mod redact;
pub mod sse;

pub use adapter::chat_provider;
pub use endpoint::{Endpoint, StreamLimits, http_client};
pub use error::transport_error;
pub use key_check::check_key;
pub use switchboard_core::{ProviderCall, ProviderError};
