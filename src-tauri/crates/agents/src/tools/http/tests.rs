//! `http_get` against loopback servers. Names are resolved through a fixed table where a test
//! needs one, so nothing here looks anything up on the network or leaves the machine.

use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::http::header;
use axum::response::Redirect;
use axum::routing::get;

use super::*;

/// A loopback server and how many requests reached it.
struct Server {
    /// e.g. `http://127.0.0.1:41234`
    base: String,
    port: u16,
    hits: Arc<AtomicUsize>,
}

impl Server {
    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }

    /// The grant entry that allows exactly this server.
    fn entry(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

async fn serve() -> Server {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&hits);
    let redirect = |to: String| get(move || async move { Redirect::temporary(&to) });
    let app = Router::new()
        .route("/hello", get(|| async { "hello from loopback" }))
        .route("/secret", get(|| async { "INTERNAL-SECRET-TOKEN-42" }))
        .route(
            "/json",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "application/json")],
                    "{\"ok\":true}",
                )
            }),
        )
        .route("/big", get(|| async { "x".repeat(MAX_BODY_BYTES + 10) }))
        .route(
            "/png",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "image/png")],
                    vec![0x89_u8, b'P', 0],
                )
            }),
        )
        .route(
            "/missing",
            get(|| async { (axum::http::StatusCode::NOT_FOUND, "no such page") }),
        )
        .route("/same-host", redirect("/hello".to_owned()))
        .route(
            "/elsewhere",
            redirect(format!("http://localhost:{port}/hello")),
        )
        .route(
            "/to-other",
            redirect(format!("http://other.test:{port}/hello")),
        )
        .layer(axum::middleware::from_fn(
            move |req: axum::extract::Request, next: axum::middleware::Next| {
                counter.fetch_add(1, Ordering::SeqCst);
                next.run(req)
            },
        ));
    tokio::spawn(async move { axum::serve(listener, app).await });
    Server {
        base: format!("http://127.0.0.1:{port}"),
        port,
        hits,
    }
}

/// Resolves every `*.test` name to 127.0.0.1 and counts the lookups; anything else fails
/// (it would otherwise go to the network).
fn test_names(count: Arc<AtomicUsize>) -> Lookup {
    Arc::new(move |host: String| {
        count.fetch_add(1, Ordering::SeqCst);
        Box::pin(async move {
            if host.ends_with(".test") {
                Ok(vec![IpAddr::from([127, 0, 0, 1])])
            } else {
                Err(std::io::Error::other(format!(
                    "{host}: not in the test table"
                )))
            }
        })
    })
}

fn tool(hosts: &[&str], any_public_host: bool) -> HttpGet {
    let hosts: Vec<String> = hosts.iter().map(|h| (*h).to_owned()).collect();
    let lookups = Arc::new(AtomicUsize::new(0));
    HttpGet::with_lookup(&hosts, any_public_host, test_names(lookups)).unwrap()
}

async fn fetch(tool: &HttpGet, url: &str) -> Result<String, AgentError> {
    tool.call(json!({ "url": url })).await
}

async fn refused(tool: &HttpGet, url: &str) -> String {
    match fetch(tool, url).await {
        Err(AgentError::Tool { message, .. }) => message,
        other => panic!("{url} must be refused, got {other:?}"),
    }
}

#[tokio::test]
async fn returns_status_content_type_and_body() {
    let s = serve().await;
    let tool = tool(&[&s.entry()], false);
    let out = fetch(&tool, &format!("{}/hello", s.base)).await.unwrap();
    assert_eq!(
        out,
        "HTTP 200 OK\ncontent-type: text/plain; charset=utf-8\n\nhello from loopback"
    );
    let out = fetch(&tool, &format!("{}/json", s.base)).await.unwrap();
    assert!(out.ends_with("\n\n{\"ok\":true}"), "{out}");
}

#[tokio::test]
async fn error_statuses_are_reported_not_failed() {
    let s = serve().await;
    let out = fetch(&tool(&[&s.entry()], false), &format!("{}/missing", s.base))
        .await
        .unwrap();
    assert!(out.starts_with("HTTP 404 Not Found\n"), "{out}");
    assert!(
        out.ends_with("no such page"),
        "the model may want the error page: {out}"
    );
}

#[tokio::test]
async fn large_bodies_are_cut_at_the_cap() {
    let s = serve().await;
    let out = fetch(&tool(&[&s.entry()], false), &format!("{}/big", s.base))
        .await
        .unwrap();
    let (_, body) = out.split_once("\n\n").unwrap();
    let (body, note) = body.split_once("\n\n[truncated").unwrap();
    assert_eq!(body.len(), MAX_BODY_BYTES);
    assert!(note.contains("256 KiB"), "{note}");
}

#[tokio::test]
async fn binary_responses_are_refused() {
    let s = serve().await;
    let err = fetch(&tool(&[&s.entry()], false), &format!("{}/png", s.base))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("image/png"), "{err}");
}

#[tokio::test]
async fn hosts_outside_the_grant_are_refused_before_connecting() {
    let s = serve().await;
    let docs_only = tool(&["Docs.rs"], false);
    let why = refused(&docs_only, &format!("{}/hello", s.base)).await;
    assert!(why.contains("127.0.0.1 is a loopback address"), "{why}");
    let why = refused(&docs_only, &format!("http://app.test:{}/hello", s.port)).await;
    assert!(
        why.contains("app.test is not an allowed host") && why.contains("docs.rs"),
        "{why}"
    );
    assert_eq!(s.hits(), 0, "nothing reached the server");
}

/// Appendix B item 9, and D2's list of loopback spellings: with an empty host list (what the
/// researcher used to ship as "any host") loopback is refused in every encoding, also once the
/// user approved the host, and the loopback service receives nothing.
#[tokio::test]
async fn loopback_is_refused_under_an_empty_host_list_and_the_listener_receives_nothing() {
    let s = serve().await;
    let port = s.port;
    for any_public_host in [false, true] {
        let open = tool(&[], any_public_host);
        for host in [
            "127.0.0.1",
            "2130706433",
            "0x7f.1",
            "0177.0.0.1",
            "127.1",
            "[::ffff:127.0.0.1]",
            "[::1]",
            "0.0.0.0",
        ] {
            let url = format!("http://{host}:{port}/secret");
            let args = json!({ "url": url });
            assert!(
                !open.needs_approval(&args),
                "{url}: refused outright, so the user is not asked"
            );
            let why = refused(&open, &url).await;
            assert!(why.contains("may not reach"), "{url}: {why}");
        }
        // A name that resolves to loopback: even approved, the resolver refuses it.
        let url = format!("http://intranet.test:{port}/secret");
        let args = json!({ "url": url });
        assert!(
            open.needs_approval(&args),
            "a new public-looking host is asked for"
        );
        open.approved(&args);
        let why = refused(&open, &url).await;
        assert_eq!(
            why,
            "intranet.test resolves to 127.0.0.1, a loopback address, which agents may not \
             reach unless the user lists that exact address"
        );
    }
    assert_eq!(s.hits(), 0, "the loopback service received nothing");
}

/// `localhost` goes through the operating system's resolver (its hosts file, no network).
#[tokio::test]
async fn localhost_through_the_system_resolver_is_refused() {
    let s = serve().await;
    let open = HttpGet::new(&[format!("localhost:{}", s.port)], false).unwrap();
    let why = refused(&open, &format!("http://localhost:{}/secret", s.port)).await;
    assert!(why.starts_with("localhost resolves to "), "{why}");
    assert_eq!(s.hits(), 0);
}

#[tokio::test]
async fn a_listed_name_reaches_a_private_address_only_when_that_address_is_listed() {
    let s = serve().await;
    let url = format!("http://intranet.test:{}/hello", s.port);
    let name_only = tool(&[&format!("intranet.test:{}", s.port)], false);
    let why = refused(&name_only, &url).await;
    assert!(why.contains("resolves to 127.0.0.1, a loopback"), "{why}");
    assert_eq!(s.hits(), 0);

    let with_address = tool(&[&format!("intranet.test:{}", s.port), "127.0.0.1"], false);
    let out = fetch(&with_address, &url).await.unwrap();
    assert!(out.ends_with("hello from loopback"), "{out}");
}

/// The lookup that judged the addresses is the one the connection used: a rebinding answer
/// (a listed address first, another address after) has no second lookup to slip into.
#[tokio::test]
async fn a_name_is_resolved_once_per_connection_and_connected_to_as_checked() {
    let s = serve().await;
    let lookups = Arc::new(AtomicUsize::new(0));
    let count = Arc::clone(&lookups);
    let rebinding: Lookup = Arc::new(move |_host: String| {
        let n = count.fetch_add(1, Ordering::SeqCst);
        Box::pin(async move {
            // 127.0.0.2 is loopback too but unlisted, and nothing listens there.
            Ok(vec![IpAddr::from([127, 0, 0, if n == 0 { 1 } else { 2 }])])
        })
    });
    let hosts = [format!("pinned.test:{}", s.port), "127.0.0.1".to_owned()];
    let pinned = HttpGet::with_lookup(&hosts, false, rebinding).unwrap();
    let out = fetch(&pinned, &format!("http://pinned.test:{}/hello", s.port))
        .await
        .unwrap();
    assert!(out.ends_with("hello from loopback"), "{out}");
    assert_eq!(
        lookups.load(Ordering::SeqCst),
        1,
        "one lookup, checked and used"
    );
}

#[tokio::test]
async fn a_host_listed_without_a_port_allows_only_the_default_ports() {
    let s = serve().await;
    let no_port = tool(&["127.0.0.1"], false);
    let why = refused(&no_port, &format!("{}/hello", s.base)).await;
    assert_eq!(
        why,
        format!(
            "port {} of 127.0.0.1 is not allowed (allowed: 127.0.0.1); a host listed without a \
             port allows only ports 80 and 443",
            s.port
        )
    );
    assert_eq!(s.hits(), 0);
}

#[tokio::test]
async fn redirects_are_followed_only_to_allowed_hosts_and_ports() {
    let s = serve().await;
    let other = serve().await;
    let loopback = tool(&[&s.entry()], false);
    let out = fetch(&loopback, &format!("{}/same-host", s.base))
        .await
        .unwrap();
    assert!(out.contains("url: http://127.0.0.1:"), "{out}");
    assert!(out.ends_with("hello from loopback"), "{out}");
    let why = refused(&loopback, &format!("{}/elsewhere", s.base)).await;
    assert!(
        why.contains("localhost is not an allowed host"),
        "a redirect must not escape the allow-list: {why}"
    );
    // D20: another port of an allowed host is another service.
    let hop = format!("{}/hello", other.base);
    let app = Router::new().route(
        "/hop",
        get(move || {
            let hop = hop.clone();
            async move { Redirect::temporary(&hop) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hop_port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await });
    let only_hop = tool(&[&format!("127.0.0.1:{hop_port}")], false);
    let why = refused(&only_hop, &format!("http://127.0.0.1:{hop_port}/hop")).await;
    assert!(
        why.starts_with(&format!("redirected to {}/hello: ", other.base)),
        "{why}"
    );
    assert_eq!(other.hits(), 0, "the other port received nothing");
}

#[tokio::test]
async fn other_public_hosts_are_asked_for_once_per_task_and_redirects_do_not_skip_asking() {
    let s = serve().await;
    // The listed address lets the test's names reach loopback; the names themselves are not
    // listed, so they are asked for as any public host would be.
    let open = tool(&["127.0.0.1"], true);
    let url = format!("http://app.test:{}/hello", s.port);
    let args = json!({ "url": url });
    assert!(open.needs_approval(&args));
    let why = refused(&open, &url).await;
    assert_eq!(
        why,
        format!(
            "the user has not approved fetching from app.test:{}",
            s.port
        )
    );
    assert_eq!(s.hits(), 0, "not approved: nothing sent");

    open.approved(&args);
    assert!(
        !open.needs_approval(&json!({ "url": format!("http://app.test:{}/json", s.port) })),
        "approved once for the task"
    );
    let out = fetch(&open, &url).await.unwrap();
    assert!(out.ends_with("hello from loopback"), "{out}");

    let why = refused(&open, &format!("http://app.test:{}/to-other", s.port)).await;
    assert!(
        why.contains(&format!("the user has not approved other.test:{}", s.port)),
        "{why}"
    );
    assert_eq!(
        s.hits(),
        2,
        "the redirect to an unapproved host was not followed"
    );
}

#[tokio::test]
async fn only_http_urls_are_fetched() {
    let any = tool(&[], true);
    let err = fetch(&any, "file:///etc/passwd").await.unwrap_err();
    assert!(err.to_string().contains("only http and https"), "{err}");
    let err = fetch(&any, "not a url").await.unwrap_err();
    assert!(err.to_string().contains("is not a URL"), "{err}");
    assert!(!any.side_effects(), "a GET changes nothing");
    let listed = tool(&["docs.rs"], false);
    assert!(
        !listed.needs_approval(&json!({ "url": "https://docs.rs/serde" })),
        "a listed host needs no approval"
    );
}

#[test]
fn a_bad_host_entry_is_refused_when_the_tool_opens() {
    let err = HttpGet::new(&["user@docs.rs".to_owned()], false)
        .err()
        .unwrap();
    assert!(
        matches!(&err, AgentError::Invalid(m) if m.contains("is not a host for http_get")),
        "{err}"
    );
}

#[test]
fn the_description_says_what_may_be_fetched() {
    let describe = |t: &HttpGet| t.spec().description.unwrap();
    assert!(describe(&tool(&["docs.rs"], false)).contains("Allowed: only these hosts: docs.rs."));
    let open = describe(&tool(&[], true));
    assert!(
        open.contains("any public host, once the user approves it"),
        "{open}"
    );
    assert!(open.contains("Private, loopback and link-local addresses are refused"));
}
