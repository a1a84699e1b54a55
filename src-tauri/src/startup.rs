//! The reads the Chat screen makes first at launch, started here while the webview is still
//! starting (a third of a second on a slow machine, during which the main process is idle), so
//! the page finds them done instead of asking for them one after another: the providers (is
//! this a first run?, a keychain round trip), the sidebar's first page, and the conversation
//! to reopen (issue 17: start-up).
//!
//! Each read is handed out once, to the first request asking the same thing within a few
//! seconds of launch; a later request, one asked differently, or a read that failed goes to
//! the engine as usual, so nothing shown can be staler than those few seconds.

use std::future::Future;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use switchboard_core::{ConversationId, ConversationSummary, ProvidersOverview, TurnId};
use switchboard_engine::{ConversationPage, Engine, EngineError};
use tauri::async_runtime::{self, JoinHandle};

/// The sidebar's page size (`SIDEBAR_PAGE` in `ui/src/lib/chat/sidebarList.svelte.ts`).
pub(crate) const SIDEBAR_PAGE: u32 = 100;
/// Turns in a conversation's first page (`PAGE_TURNS` in `ui/src/lib/chat/chat.svelte.ts`).
pub(crate) const PAGE_TURNS: u32 = 50;
/// After this, a read nobody asked for is dropped rather than served.
const FRESH_FOR: Duration = Duration::from_secs(5);

type Read<T> = Mutex<Option<JoinHandle<Result<T, EngineError>>>>;

/// The launch reads, running or done.
pub(crate) struct StartupReads {
    started: Instant,
    overview: Read<ProvidersOverview>,
    first_list_page: Read<Vec<ConversationSummary>>,
    last_conversation: Read<Option<ConversationId>>,
    /// The conversation to reopen with its first page, when there is one.
    last_page: Read<Option<(ConversationId, ConversationPage)>>,
}

impl StartupReads {
    /// Starts the reads on the async runtime; returns at once.
    pub(crate) fn start(engine: &Engine) -> Self {
        fn spawn<T, F>(future: F) -> Read<T>
        where
            T: Send + 'static,
            F: Future<Output = Result<T, EngineError>> + Send + 'static,
        {
            Mutex::new(Some(async_runtime::spawn(future)))
        }
        let (e1, e2, e3, e4) = (
            engine.clone(),
            engine.clone(),
            engine.clone(),
            engine.clone(),
        );
        Self {
            started: Instant::now(),
            overview: spawn(async move { e1.keys().overview().await }),
            first_list_page: spawn(async move {
                e2.conversations().list_after(None, SIDEBAR_PAGE).await
            }),
            last_conversation: spawn(async move { e3.settings().last_conversation().await }),
            last_page: spawn(async move {
                let Some(id) = e4.settings().last_conversation().await? else {
                    return Ok(None);
                };
                let page = e4
                    .conversations()
                    .page(id.clone(), None, PAGE_TURNS)
                    .await?;
                Ok(Some((id, page)))
            }),
        }
    }

    /// None: nothing started (the engine did not open); every request goes to the engine.
    pub(crate) fn none() -> Self {
        Self {
            started: Instant::now(),
            overview: Mutex::new(None),
            first_list_page: Mutex::new(None),
            last_conversation: Mutex::new(None),
            last_page: Mutex::new(None),
        }
    }

    /// The providers as read at launch, once.
    pub(crate) async fn overview(&self) -> Option<ProvidersOverview> {
        self.take(&self.overview).await
    }

    /// The sidebar's first page as read at launch, once, when that is what is asked for.
    pub(crate) async fn first_list_page(
        &self,
        after: Option<&ConversationSummary>,
        limit: u32,
    ) -> Option<Vec<ConversationSummary>> {
        if after.is_some() || limit != SIDEBAR_PAGE {
            return None;
        }
        self.take(&self.first_list_page).await
    }

    /// The conversation to reopen as read at launch, once.
    pub(crate) async fn last_conversation(&self) -> Option<Option<ConversationId>> {
        self.take(&self.last_conversation).await
    }

    /// That conversation's first page as read at launch, once, when that is what is asked for.
    pub(crate) async fn last_page(
        &self,
        id: &ConversationId,
        before: Option<&TurnId>,
        limit: u32,
    ) -> Option<ConversationPage> {
        if before.is_some() || limit != PAGE_TURNS {
            return None;
        }
        // A request for another conversation uses the read up: the page shown first is the one
        // asked for first, whichever it is.
        match self.take(&self.last_page).await {
            Some(Some((read, page))) if read == *id => Some(page),
            _ => None,
        }
    }

    async fn take<T>(&self, read: &Read<T>) -> Option<T> {
        let handle = read.lock().ok()?.take()?;
        if self.started.elapsed() > FRESH_FOR {
            handle.abort();
            return None;
        }
        match handle.await {
            Ok(Ok(value)) => Some(value),
            Ok(Err(e)) => {
                tracing::debug!(error = %e, "a launch read failed; asking the engine again");
                None
            }
            Err(e) => {
                tracing::debug!(error = %e, "a launch read did not finish");
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchboard_engine::{DataDir, EngineConfig, Environment};

    #[test]
    fn the_page_sizes_are_the_ones_the_ui_asks_for() {
        let sidebar = include_str!("../../ui/src/lib/chat/sidebarList.svelte.ts");
        let chat = include_str!("../../ui/src/lib/chat/chat.svelte.ts");
        assert!(sidebar.contains(&format!("export const SIDEBAR_PAGE = {SIDEBAR_PAGE};")));
        assert!(chat.contains(&format!("export const PAGE_TURNS = {PAGE_TURNS};")));
    }

    const DOCUMENT: &str = r#"{"format": "switchboard.conversation", "version": 1,
        "title": "Reopened", "createdMs": 1, "updatedMs": 1,
        "columns": [{"spec": {"provider": "openrouter", "model": "openai/gpt-4o-mini",
            "params": {"temperature": null, "maxTokens": null, "reasoningEffort": null,
                "system": null}}, "active": true}],
        "turns": [{"parent": null, "text": "Hello", "attachments": [], "createdMs": 1,
            "answers": []}],
        "displayedLeaf": 0}"#;

    fn engine(dir: &std::path::Path) -> Engine {
        Engine::open(EngineConfig {
            data_dir: DataDir::at(dir),
            // These tests never touch keys; a service of their own keeps it that way.
            keychain_service: format!("switchboard-startup-test-{}", std::process::id()),
            environment: Environment::default(),
        })
        .unwrap()
    }

    /// An engine with one conversation, remembered as the one to reopen.
    async fn reopening(dir: &std::path::Path) -> (Engine, switchboard_core::ConversationView) {
        let engine = engine(dir);
        let view = engine
            .conversations()
            .import_json(DOCUMENT.to_owned())
            .await
            .unwrap();
        engine
            .settings()
            .save_last_conversation(Some(view.id.clone()))
            .await
            .unwrap();
        (engine, view)
    }

    #[tokio::test]
    async fn each_read_is_served_once_and_only_when_asked_the_same_thing() {
        let dir = tempfile::tempdir().unwrap();
        let (engine, view) = reopening(dir.path()).await;

        let reads = StartupReads::start(&engine);
        // Asked differently: left for the request that asks the same thing.
        assert!(reads.first_list_page(None, 7).await.is_none());
        let list = reads.first_list_page(None, SIDEBAR_PAGE).await.unwrap();
        assert_eq!(list.len(), 1);
        assert!(
            reads.first_list_page(None, SIDEBAR_PAGE).await.is_none(),
            "served once"
        );

        assert_eq!(reads.last_conversation().await, Some(Some(view.id.clone())));
        assert_eq!(reads.last_conversation().await, None);

        assert!(reads.last_page(&view.id, None, 10).await.is_none());
        let page = reads.last_page(&view.id, None, PAGE_TURNS).await.unwrap();
        assert_eq!(
            (page.view.id.clone(), page.view.turns.len(), page.skipped),
            (view.id.clone(), 1, 0)
        );
        assert!(reads.last_page(&view.id, None, PAGE_TURNS).await.is_none());
    }

    #[tokio::test]
    async fn a_page_asked_for_another_conversation_is_not_served() {
        let dir = tempfile::tempdir().unwrap();
        let (engine, _) = reopening(dir.path()).await;
        let reads = StartupReads::start(&engine);
        let another = ConversationId::from("another");
        assert!(reads.last_page(&another, None, PAGE_TURNS).await.is_none());
    }

    #[tokio::test]
    async fn nothing_is_served_without_an_engine() {
        let reads = StartupReads::none();
        assert!(reads.overview().await.is_none());
        assert!(reads.first_list_page(None, SIDEBAR_PAGE).await.is_none());
        assert!(reads.last_conversation().await.is_none());
    }
}
