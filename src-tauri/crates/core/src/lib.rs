//! Switchboard's domain vocabulary, shared by every other crate: which providers exist and how
//! they are named, what an API key is (and how it may be shown), the user's preferences, and the
//! error envelope that crosses to the UI.
//!
//! It owns no I/O so that everything here is testable in isolation and usable from the app, the
//! CLI and the tests alike. Types that cross IPC derive `specta::Type` behind the `specta`
//! feature, which only the desktop crate enables.

mod account;
mod budget;
mod catalogue_view;
mod chat;
mod client_key;
mod conversation;
mod error;
mod ids;
mod key_refusal;
mod keys;
mod link;
mod money;
mod openrouter;
mod preferences;
mod provider;
mod provider_error;
mod run_status;
mod sampling;
mod sign_in;
mod team;

pub use account::{AppInfo, KeyCheck, OpenRouterKeyInfo};
pub use budget::{
    Budget, BudgetAlert, BudgetPeriod, BudgetScope, BudgetStatus, CostPrediction, PredictColumn,
    RoutedTo, SpendGrouping, SpendReport, SpendRow,
};
pub use catalogue_view::{
    BrowserCatalogue, BrowserModel, EndpointView, ModelDetail, PriceSheet, ServedModels, UserPrice,
};
pub use chat::{
    ChatProvider, ChatRequest, ClientTool, Delta, DeltaStream, FinishReason, Message,
    OpenRouterRouting, Part, ReasoningEffort, ReasoningOptions, ResponseFormat, Role, ToolCall,
    ToolChoice, ToolSpec, Usage,
};
pub use client_key::{CLIENT_KEY_PREFIX, ClientKeyView, mask_client_key};
pub use conversation::{
    AnswerStats, AnswerStatus, AnswerView, Attachment, ChatEvent, Citation, ColumnSpec, ColumnView,
    ConversationSummary, ConversationView, ModelChoice, ModelParams, SearchHit, Thumb, TurnView,
};
pub use error::{ErrorCode, ErrorInfo};
pub use ids::{AnswerId, ColumnId, ConversationId, RunId, TurnId};
pub use key_refusal::KeyRefusal;
pub use keys::{ApiKey, ExtraKey, InvalidKey, KeySource, KeyStatus, KeychainStatus, mask_key};
pub use link::{ExternalLink, InvalidLink};
pub use money::{InvalidAmount, Usd};
pub use openrouter::{
    DataCollection, InvalidModelId, MaxPrice, ModelVariant, NegativeMaxPrice, OpenRouterModel,
    PRESET_PREFIX, ProviderPreferences, ProviderSort, check_model_id, priced_as, with_variant,
};
pub use preferences::{
    Attribution, BaseUrlOverrides, ChatPreferences, InvalidPreferences, LocalApiSettings,
    Preferences, SendKey, StreamSettings, Theme,
};
pub use provider::{
    BaseUrl, BaseUrlSource, BuiltinProvider, CustomProvider, InvalidBaseUrl, InvalidProviderId,
    ProviderId, ProviderKind, ProviderView, ProvidersOverview,
};
pub use provider_error::{ProviderCall, ProviderError};
pub use run_status::RunStatus;
pub use sampling::SamplingParams;
pub use sign_in::{LimitCheck, SignedIn};
pub use team::{
    CreatedTeamKey, DateRange, Guardrail, GuardrailDraft, GuardrailTargets, KeyReconciliation,
    KeySpend, KeyUsage, LimitChange, LimitReset, ManagementKeyStatus, ReconcileCause,
    Reconciliation, ResetChange, TeamKey, TeamKeyChange, TeamKeyDraft, TeamSpend, TeamSpendRow,
    ZdrRule,
};
