//! The one-shot loopback server OpenRouter's sign-in page sends the browser back to.
//!
//! It listens on `127.0.0.1` on a port the OS picks, for the life of one sign-in. The first
//! request to `/callback/<state>` is handed to the sign-in, which answers it with a page once
//! it knows how things ended; any later callback gets a page saying the sign-in was already
//! answered, and every other path a 404. Stopping closes the listener at once; a request under
//! way gets its page, and after [`GRACE`] the server is gone whatever the browser does.
//!
//! axum (already the gateway's server) rather than a hand-written reader: the request line,
//! percent-decoding and keep-alive of a real browser are not worth getting wrong here.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// How long a browser may take to read its page once the sign-in is over.
const GRACE: Duration = Duration::from_secs(2);

/// What the browser's return carried in its query. Other parameters are ignored.
#[derive(Debug, Default, Clone, Deserialize)]
pub(crate) struct CallbackQuery {
    /// The authorization code.
    pub(crate) code: Option<String>,
    /// An OAuth error (`access_denied` when the person declined).
    pub(crate) error: Option<String>,
}

/// The first callback: the state in its path, its query, and the way to answer the browser.
#[derive(Debug)]
pub(crate) struct Arrival {
    pub(crate) state: String,
    pub(crate) query: CallbackQuery,
    pub(crate) reply: Reply,
}

/// Answers the browser waiting on the first callback. Dropped unanswered, the browser gets
/// [`Page::NotSignedIn`].
#[derive(Debug)]
pub(crate) struct Reply(oneshot::Sender<Page>);

impl Reply {
    pub(crate) fn send(self, page: Page) {
        // The browser may have gone; the sign-in's outcome does not depend on it.
        let _ = self.0.send(page);
    }
}

/// The pages the browser can be shown. Each is fixed text: nothing from the request, from
/// OpenRouter or from a model is ever put in a page, so there is nothing to escape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Page {
    /// The key is in the keychain.
    SignedIn,
    /// The sign-in ended without a key (declined, refused, cancelled, a failure).
    NotSignedIn,
    /// The callback did not carry this sign-in's state.
    WrongLink,
    /// A callback after the first.
    AlreadyAnswered,
}

impl Page {
    fn parts(self) -> (StatusCode, &'static str, &'static str) {
        match self {
            Self::SignedIn => (
                StatusCode::OK,
                "Signed in to OpenRouter",
                "Switchboard saved your new OpenRouter key in the system keychain.",
            ),
            Self::NotSignedIn => (
                StatusCode::OK,
                "Sign-in did not finish",
                "Nothing was saved. Switchboard shows what happened and lets you try again.",
            ),
            Self::WrongLink => (
                StatusCode::BAD_REQUEST,
                "This sign-in link is not the one Switchboard started",
                "It was refused and nothing was saved. Start the sign-in again from Switchboard.",
            ),
            Self::AlreadyAnswered => (
                StatusCode::CONFLICT,
                "This sign-in was already answered",
                "Switchboard took the first answer and ignored this one.",
            ),
        }
    }
}

impl IntoResponse for Page {
    fn into_response(self) -> Response {
        let (status, title, text) = self.parts();
        let html = format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width\"><title>{title}</title>\
             <style>body{{font:16px system-ui,sans-serif;max-width:32rem;margin:4rem auto;\
             padding:0 1rem;color:#222}}</style></head><body><h1>{title}</h1><p>{text}</p>\
             <p>You can close this tab and return to Switchboard.</p></body></html>"
        );
        (
            status,
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::CACHE_CONTROL, "no-store"),
                // The page's address holds the code: it goes nowhere else.
                (header::REFERRER_POLICY, "no-referrer"),
                (
                    header::CONTENT_SECURITY_POLICY,
                    "default-src 'none'; style-src 'unsafe-inline'",
                ),
                (header::CONNECTION, "close"),
            ],
            html,
        )
            .into_response()
    }
}

/// The first callback's way to the sign-in; taken by the first callback, so later ones find
/// it gone.
type First = Arc<Mutex<Option<oneshot::Sender<Arrival>>>>;

/// The running server. Dropping it stops it (see the module header).
#[derive(Debug)]
pub(crate) struct Server {
    addr: SocketAddr,
    stop: CancellationToken,
    arrival: oneshot::Receiver<Arrival>,
    task: Option<JoinHandle<()>>,
}

impl Server {
    /// Listens on `127.0.0.1` (never a public interface) on a free port; stops when `stop` is
    /// cancelled, or when the server is dropped or closed.
    pub(crate) async fn bind(stop: CancellationToken) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
        let addr = listener.local_addr()?;
        let (first, arrival) = oneshot::channel();
        let first: First = Arc::new(Mutex::new(Some(first)));
        let app = Router::new()
            .route("/callback/{state}", get(callback))
            .fallback(|| async { (StatusCode::NOT_FOUND, "Not found") })
            .with_state(first);
        let graceful = stop.clone();
        let hard = stop.clone();
        let task = tokio::spawn(async move {
            let served = axum::serve(listener, app)
                .with_graceful_shutdown(async move { graceful.cancelled().await });
            let deadline = async move {
                hard.cancelled().await;
                tokio::time::sleep(GRACE).await;
            };
            tokio::select! {
                served = served => if let Err(error) = served {
                    tracing::warn!(%error, "the sign-in callback server failed");
                },
                () = deadline => {}
            }
        });
        Ok(Self {
            addr,
            stop,
            arrival,
            task: Some(task),
        })
    }

    /// The URL OpenRouter sends the browser back to, with `state` in its path: OpenRouter
    /// documents no `state` parameter and appends `?code=` to whatever URL it was given.
    pub(crate) fn callback_url(&self, state: &str) -> String {
        format!("http://{}/callback/{state}", self.addr)
    }

    /// The first callback; `None` if the server stopped first.
    pub(crate) async fn arrival(&mut self) -> Option<Arrival> {
        (&mut self.arrival).await.ok()
    }

    /// Stops listening and waits (at most [`GRACE`]) for the browser to get its page.
    pub(crate) async fn close(mut self) {
        self.stop.cancel();
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // The task ends by itself within GRACE of this.
        self.stop.cancel();
    }
}

async fn callback(
    State(first): State<First>,
    Path(state): Path<String>,
    Query(query): Query<CallbackQuery>,
) -> Response {
    let taken = first.lock().unwrap_or_else(PoisonError::into_inner).take();
    let Some(first) = taken else {
        return Page::AlreadyAnswered.into_response();
    };
    let (reply, page) = oneshot::channel();
    let arrival = Arrival {
        state,
        query,
        reply: Reply(reply),
    };
    if first.send(arrival).is_err() {
        return Page::NotSignedIn.into_response();
    }
    page.await.unwrap_or(Page::NotSignedIn).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn get(url: &str) -> (u16, String) {
        let response = reqwest::get(url).await.unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    }

    #[tokio::test]
    async fn the_first_callback_waits_for_its_page_and_a_second_is_told_it_came_too_late() {
        let mut server = Server::bind(CancellationToken::new()).await.unwrap();
        let url = server.callback_url("st4te");
        let first = tokio::spawn({
            let url = format!("{url}?code=c0de&extra=1");
            async move { get(&url).await }
        });
        let arrival = server.arrival().await.unwrap();
        assert_eq!(arrival.state, "st4te");
        assert_eq!(arrival.query.code.as_deref(), Some("c0de"));

        let (status, text) = get(&format!("{url}?code=again")).await;
        assert_eq!(
            status, 409,
            "the second callback is refused while the first waits"
        );
        assert!(text.contains("already answered"), "{text}");
        let (status, _) = get(&format!("http://{}/favicon.ico", server.addr)).await;
        assert_eq!(status, 404, "other paths are not callbacks");

        arrival.reply.send(Page::SignedIn);
        let (status, text) = first.await.unwrap();
        assert_eq!(status, 200);
        assert!(
            text.contains("You can close this tab and return to Switchboard"),
            "{text}"
        );
        assert!(
            !text.contains("c0de"),
            "nothing from the request is in the page"
        );

        let addr = server.addr;
        server.close().await;
        assert!(
            tokio::net::TcpStream::connect(addr).await.is_err(),
            "the listener is closed once the sign-in is over"
        );
    }

    #[tokio::test]
    async fn a_callback_left_unanswered_gets_the_failure_page_and_stop_closes_the_listener() {
        let stop = CancellationToken::new();
        let mut server = Server::bind(stop.clone()).await.unwrap();
        let url = server.callback_url("s");
        let browser = tokio::spawn(async move { get(&format!("{url}?error=access_denied")).await });
        let arrival = server.arrival().await.unwrap();
        assert_eq!(arrival.query.error.as_deref(), Some("access_denied"));
        drop(arrival);
        let (status, text) = browser.await.unwrap();
        assert_eq!(status, 200);
        assert!(text.contains("Nothing was saved"), "{text}");

        let addr = server.addr;
        stop.cancel();
        tokio::time::timeout(GRACE * 2, async {
            while tokio::net::TcpStream::connect(addr).await.is_ok() {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
        .await
        .expect("cancelling the sign-in closes the listener");
        drop(server);
    }
}
