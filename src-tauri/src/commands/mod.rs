//! IPC commands, one file per domain. Each is a thin wrapper over an engine use case.

pub(crate) mod agents;
pub(crate) mod app;
pub(crate) mod chat;
pub(crate) mod clients;
pub(crate) mod links;
pub(crate) mod local_api;
pub(crate) mod models;
pub(crate) mod providers;
pub(crate) mod routing;
pub(crate) mod settings;
pub(crate) mod sign_in;
pub(crate) mod spend;
pub(crate) mod team;
