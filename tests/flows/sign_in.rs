//! Sign in with OpenRouter (OAuth PKCE) against the loopback fake, the test playing the
//! browser: it takes the sign-in URL the engine asks to open, reads the challenge and the
//! callback from it, and comes back to the engine's loopback callback the way OpenRouter
//! redirects (`callback_url?code=…`). Keys land in the real OS keychain.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Duration;

use switchboard_engine::core::{BuiltinProvider, ErrorCode, KeySource, LimitCheck, Usd};
use switchboard_engine::{Engine, EngineError, SignInOptions};
use switchboard_tests::FakeUpstream;
use switchboard_tests::fake_upstream::OAUTH_USER_ID;
use tokio::task::JoinHandle;

use crate::keys::Harness;

const ISSUED: &str = "sk-or-v1-issued-by-oauth-0123456789abcdef";
const CODE: &str = "auth_code_fake_0001";

/// What the engine asked the browser to open.
struct SignInPage {
    url: reqwest::Url,
}

impl SignInPage {
    fn param(&self, name: &str) -> Option<String> {
        self.url
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }

    fn challenge(&self) -> String {
        self.param("code_challenge").expect("a code challenge")
    }

    /// The loopback URL OpenRouter would send the browser back to.
    fn callback(&self) -> reqwest::Url {
        reqwest::Url::parse(&self.param("callback_url").expect("a callback URL")).unwrap()
    }

    fn callback_addr(&self) -> SocketAddr {
        self.callback().socket_addrs(|| None).unwrap()[0]
    }

    /// OpenRouter's redirect: the callback URL with `query` appended.
    fn back_with(&self, query: &str) -> String {
        format!("{}?{query}", self.callback())
    }
}

fn setup() -> Option<(FakeUpstream, Harness)> {
    // Any non-empty key is good at this fake, so `GET /key` answers for the issued key.
    let fake = FakeUpstream::builder().start().unwrap();
    let h = Harness::new(&[("OPENROUTER_BASE_URL", &fake.openrouter_base())])?;
    Some((fake, h))
}

type Running = JoinHandle<Result<switchboard_engine::core::SignedIn, EngineError>>;

/// Starts a sign-in and returns it with the page it asked to open.
async fn start(engine: &Engine, options: SignInOptions) -> (Running, SignInPage) {
    let (opened, page) = tokio::sync::oneshot::channel();
    let engine = engine.clone();
    let running = tokio::spawn(async move {
        engine
            .keys()
            .sign_in_with_openrouter(options, move |url| async move {
                let _ = opened.send(url);
                Ok::<(), Infallible>(())
            })
            .await
    });
    let url = tokio::time::timeout(Duration::from_secs(10), page)
        .await
        .expect("the engine asks to open the sign-in page")
        .expect("the sign-in page");
    let url = reqwest::Url::parse(&url).unwrap();
    (running, SignInPage { url })
}

async fn finished(running: Running) -> Result<switchboard_engine::core::SignedIn, EngineError> {
    tokio::time::timeout(Duration::from_secs(20), running)
        .await
        .expect("the sign-in ends")
        .unwrap()
}

fn browser() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

/// The browser following OpenRouter's redirect: status and page.
async fn come_back(url: &str) -> (u16, String) {
    let response = browser().get(url).send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn listening(addr: SocketAddr) -> bool {
    tokio::net::TcpStream::connect(addr).await.is_ok()
}

fn exchanges(fake: &FakeUpstream) -> Vec<switchboard_tests::Recorded> {
    fake.requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/auth/keys"))
        .collect()
}

fn options(limit: Option<&str>) -> SignInOptions {
    SignInOptions {
        limit: limit.map(|l| Usd::parse(l).unwrap()),
        ..SignInOptions::default()
    }
}

/// A whole sign-in that succeeds, asking for `limit`.
async fn sign_in(
    fake: &FakeUpstream,
    h: &Harness,
    limit: Option<&str>,
) -> (switchboard_engine::core::SignedIn, SignInPage) {
    let (running, page) = start(&h.engine, options(limit)).await;
    fake.oauth_code(CODE, &page.challenge(), ISSUED);
    let (status, text) = come_back(&page.back_with(&format!("code={CODE}"))).await;
    assert_eq!(status, 200, "{text}");
    assert!(text.contains("Signed in to OpenRouter"), "{text}");
    assert!(
        text.contains("You can close this tab and return to Switchboard"),
        "{text}"
    );
    (finished(running).await.unwrap(), page)
}

#[tokio::test]
async fn signing_in_puts_the_issued_key_in_the_keychain_and_never_returns_it() {
    let Some((fake, h)) = setup() else { return };
    let (signed_in, page) = sign_in(&fake, &h, Some("10")).await;

    // The page: OpenRouter's /auth beside the API, the S256 challenge, a loopback callback.
    assert_eq!(
        page.url.as_str().split('?').next(),
        Some(format!("{}/openrouter/auth", fake.origin()).as_str())
    );
    assert_eq!(page.param("code_challenge_method").as_deref(), Some("S256"));
    assert_eq!(page.challenge().len(), 43, "base64url of a SHA-256");
    assert_eq!(page.param("limit").as_deref(), Some("10"));
    let callback = page.callback();
    assert_eq!(callback.host_str(), Some("127.0.0.1"));
    let state = callback.path().strip_prefix("/callback/").unwrap();
    assert!(
        state.len() >= 43,
        "the state in the callback path is unguessable: {state}"
    );

    // The exchange: the verifier that hashes to the challenge, and no key sent along.
    let sent = exchanges(&fake);
    assert_eq!(sent.len(), 1);
    let body = sent[0].json().unwrap();
    assert_eq!(body["code"], CODE);
    assert_eq!(body["code_challenge_method"], "S256");
    let verifier = body["code_verifier"].as_str().unwrap();
    assert!(
        !page.url.as_str().contains(verifier),
        "the verifier never goes to the browser"
    );
    assert_eq!(sent[0].header("authorization"), None);

    // The key: in the keychain as OpenRouter's key, masked in the answer, nowhere else.
    assert_eq!(h.keychain_value("openrouter").as_deref(), Some(ISSUED));
    let or = &signed_in.providers.providers[0];
    assert_eq!(or.id, BuiltinProvider::OpenRouter.id());
    assert_eq!(or.key.source, KeySource::Keychain);
    assert_eq!(or.key.masked.as_deref(), Some("••••cdef"));
    assert_eq!(
        signed_in.limit,
        LimitCheck::Applied {
            limit: Usd::parse("10").unwrap()
        },
        "OpenRouter reports the limit asked for on the new key"
    );
    let answer = serde_json::to_string(&signed_in).unwrap();
    assert!(!answer.contains(ISSUED), "the UI never receives the key");
    assert!(!answer.contains(OAUTH_USER_ID));
    assert_eq!(
        h.files_containing(ISSUED),
        Vec::<std::path::PathBuf>::new(),
        "the key is nowhere in the database, its WAL or the logs"
    );
    assert!(
        !listening(page.callback_addr()).await,
        "the callback listener is closed once the sign-in is over"
    );
}

#[tokio::test]
async fn a_limit_the_new_key_does_not_have_is_reported_as_not_applied() {
    let Some((fake, h)) = setup() else { return };
    // The fake's `GET /key` reports a $10 limit whatever was asked.
    let (signed_in, _) = sign_in(&fake, &h, Some("2.50")).await;
    assert_eq!(
        signed_in.limit,
        LimitCheck::NotApplied {
            requested: Usd::parse("2.5").unwrap(),
            reported: Some(Usd::parse("10").unwrap()),
        }
    );
    assert_eq!(
        h.keychain_value("openrouter").as_deref(),
        Some(ISSUED),
        "the key is kept: the limit is for the person to set on OpenRouter"
    );
    let (running, page) = start(&h.engine, options(None)).await;
    assert!(
        h.engine.keys().cancel_openrouter_sign_in(),
        "a sign-in was running"
    );
    let _ = finished(running).await;
    assert!(
        page.param("limit").is_none(),
        "no limit parameter unless one was asked for"
    );
}

#[tokio::test]
async fn a_callback_with_another_state_is_refused_and_nothing_is_saved() {
    let Some((fake, h)) = setup() else { return };
    let (running, page) = start(&h.engine, options(None)).await;
    fake.oauth_code(CODE, &page.challenge(), ISSUED);
    let forged = format!(
        "http://{}/callback/not-this-sign-ins-state?code={CODE}",
        page.callback_addr()
    );
    let (status, text) = come_back(&forged).await;
    assert_eq!(status, 400, "{text}");
    assert!(text.contains("not the one Switchboard started"), "{text}");
    assert!(!text.contains(CODE), "nothing from the request in the page");

    let info = finished(running).await.unwrap_err().info();
    assert_eq!(info.code, ErrorCode::InvalidInput, "{info}");
    assert!(info.message.contains("Nothing was saved"), "{info}");
    assert!(exchanges(&fake).is_empty(), "the code was never exchanged");
    assert_eq!(h.keychain_value("openrouter"), None);
    assert!(
        !listening(page.callback_addr()).await,
        "the listener is closed"
    );
    assert!(
        browser()
            .get(page.back_with(&format!("code={CODE}")))
            .send()
            .await
            .is_err(),
        "the real callback, too late, finds no one listening"
    );
}

#[tokio::test]
async fn a_sign_in_nobody_comes_back_to_times_out_and_frees_the_port() {
    let Some((fake, h)) = setup() else { return };
    let quick = SignInOptions {
        deadline: Duration::from_millis(300),
        ..SignInOptions::default()
    };
    let (running, page) = start(&h.engine, quick).await;
    let info = finished(running).await.unwrap_err().info();
    assert_eq!(info.code, ErrorCode::Timeout, "{info}");
    assert!(info.message.contains("timed out"), "{info}");
    assert!(info.message.contains("Nothing was saved"), "{info}");
    assert!(
        !listening(page.callback_addr()).await,
        "the listener is closed"
    );
    assert!(exchanges(&fake).is_empty(), "no code was exchanged");
    assert_eq!(h.keychain_value("openrouter"), None);

    // The slot is free again.
    let (running, _) = start(&h.engine, options(None)).await;
    assert!(
        h.engine.keys().cancel_openrouter_sign_in(),
        "a sign-in was running"
    );
    assert_eq!(
        finished(running).await.unwrap_err().info().code,
        ErrorCode::Cancelled
    );
}

#[tokio::test]
async fn declining_on_openrouter_ends_the_sign_in_without_a_key() {
    let Some((fake, h)) = setup() else { return };
    let (running, page) = start(&h.engine, options(None)).await;
    let (status, text) = come_back(&page.back_with("error=access_denied")).await;
    assert_eq!(status, 200);
    assert!(text.contains("Nothing was saved"), "{text}");
    let info = finished(running).await.unwrap_err().info();
    assert_eq!(info.code, ErrorCode::Auth, "{info}");
    assert!(info.message.contains("declined"), "{info}");
    assert!(exchanges(&fake).is_empty(), "no code was exchanged");
    assert_eq!(h.keychain_value("openrouter"), None);
    assert!(
        !listening(page.callback_addr()).await,
        "the listener is closed"
    );
}

#[tokio::test]
async fn a_second_callback_is_not_exchanged_again() {
    let Some((fake, h)) = setup() else { return };
    let (running, page) = start(&h.engine, options(None)).await;
    fake.oauth_code(CODE, &page.challenge(), ISSUED);
    let url = page.back_with(&format!("code={CODE}"));
    // Two returns at once (a reload, a replay): whichever comes first is the sign-in's.
    let client = browser();
    let (a, b) = tokio::join!(client.get(&url).send(), client.get(&url).send());
    let mut statuses = Vec::new();
    for answer in [a, b] {
        match answer {
            Ok(response) => statuses.push(response.status().as_u16()),
            // The sign-in was over and the listener closed before this one connected.
            Err(_) => statuses.push(0),
        }
    }
    statuses.sort_unstable();
    assert!(
        statuses == [0, 200] || statuses == [200, 409],
        "one callback signs in; the other is refused or finds the listener closed: {statuses:?}"
    );
    finished(running).await.unwrap();
    assert_eq!(exchanges(&fake).len(), 1, "the code is exchanged once");
    assert_eq!(h.keychain_value("openrouter").as_deref(), Some(ISSUED));
    assert!(
        browser().get(&url).send().await.is_err(),
        "a later callback finds nothing listening"
    );
}

#[tokio::test]
async fn a_wrong_verifier_is_refused_at_the_exchange_and_the_old_key_stays() {
    let Some((fake, h)) = setup() else { return };
    let or = BuiltinProvider::OpenRouter.id();
    let old = "sk-or-v1-the-key-pasted-before-0000";
    h.engine.keys().set(or, old.into()).await.unwrap();

    let (running, page) = start(&h.engine, options(None)).await;
    // OpenRouter holds a challenge the engine's verifier does not hash to.
    let other = switchboard_engine::openrouter_api::s256_challenge(&"x".repeat(43));
    assert_ne!(other, page.challenge());
    fake.oauth_code(CODE, &other, ISSUED);
    let (status, text) = come_back(&page.back_with(&format!("code={CODE}"))).await;
    assert_eq!(status, 200);
    assert!(text.contains("Sign-in did not finish"), "{text}");

    let info = finished(running).await.unwrap_err().info();
    assert_eq!(info.code, ErrorCode::Auth, "{info}");
    assert!(!info.retryable, "the same code cannot work later");
    assert!(
        info.message.contains("403") && info.message.contains("Invalid code or code_verifier"),
        "{info}"
    );
    assert!(info.message.contains("Nothing was saved"), "{info}");
    assert_eq!(exchanges(&fake).len(), 1);
    assert_eq!(
        h.keychain_value("openrouter").as_deref(),
        Some(old),
        "the key from before is untouched"
    );
}

#[tokio::test]
async fn cancelling_ends_the_sign_in_and_a_late_callback_finds_no_one() {
    let Some((fake, h)) = setup() else { return };
    assert!(
        !h.engine.keys().cancel_openrouter_sign_in(),
        "nothing to cancel yet"
    );
    let (running, page) = start(&h.engine, options(None)).await;
    fake.oauth_code(CODE, &page.challenge(), ISSUED);
    assert!(
        h.engine.keys().cancel_openrouter_sign_in(),
        "a sign-in was running"
    );
    let info = finished(running).await.unwrap_err().info();
    assert_eq!(info.code, ErrorCode::Cancelled, "{info}");
    assert!(info.message.contains("cancelled"), "{info}");
    assert!(
        !listening(page.callback_addr()).await,
        "the listener is closed"
    );
    assert!(
        browser()
            .get(page.back_with(&format!("code={CODE}")))
            .send()
            .await
            .is_err()
    );
    assert!(exchanges(&fake).is_empty(), "no code was exchanged");
    assert_eq!(h.keychain_value("openrouter"), None);
}

#[tokio::test]
async fn one_sign_in_at_a_time_and_dropping_one_frees_its_port_and_its_turn() {
    let Some((_fake, h)) = setup() else { return };
    let (running, page) = start(&h.engine, options(None)).await;
    let mut opened = false;
    let second = h
        .engine
        .keys()
        .sign_in_with_openrouter(options(None), |_| {
            opened = true;
            async { Ok::<(), Infallible>(()) }
        })
        .await;
    assert!(!opened, "a second sign-in opens no page");
    let info = match second {
        Ok(_) => panic!("a second sign-in must not start"),
        Err(e) => e.info(),
    };
    assert_eq!(info.code, ErrorCode::InvalidInput, "{info}");
    assert!(info.message.contains("already waiting"), "{info}");

    // The app closing mid-sign-in drops the future.
    running.abort();
    let _ = running.await;
    let addr = page.callback_addr();
    tokio::time::timeout(Duration::from_secs(5), async {
        while listening(addr).await {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the dropped sign-in's listener closes");
    let (running, _) = start(&h.engine, options(None)).await;
    assert!(
        h.engine.keys().cancel_openrouter_sign_in(),
        "a sign-in was running"
    );
    assert_eq!(
        finished(running).await.unwrap_err().info().code,
        ErrorCode::Cancelled
    );
    assert_eq!(h.keychain_value("openrouter"), None);
}
