//! OpenRouter team mode (issue 18) against the loopback fake: the management key in the real
//! keychain, member keys made, limited, disabled and deleted through the management API, key
//! refusals classified and never retried on the same key, and the team's spend compared with
//! this machine's ledger.

use switchboard_engine::core::{
    BuiltinProvider, ChatRequest, DateRange, ErrorCode, GuardrailDraft, GuardrailTargets,
    LimitChange, LimitReset, Message, ReconcileCause, ResetChange, Role, TeamKeyChange,
    TeamKeyDraft, Usd,
};
use switchboard_engine::router::RouteRequest;
use switchboard_engine::{CancellationToken, MANAGEMENT_ACCOUNT, RoutedOutcome};
use switchboard_tests::fake_upstream::{TeamRefusal, utc_day};
use switchboard_tests::{FakeUpstream, Reply};

use crate::keys::Harness;

const MANAGEMENT: &str = "sk-or-v1-team-management-0000000000000000000000000000000000000001";
const INFERENCE: &str = "sk-or-v1-team-inference-00000000000000000000000000000000000000002";
const MODEL: &str = "openai/gpt-4o-mini";

const ROUTES: &str = r#"
[[routes]]
name = "team"
[[routes.targets]]
provider = "openrouter"
model = "anthropic/claude-sonnet-4"
[[routes.targets]]
provider = "openai"
model = "gpt-4o-mini"
"#;

/// The fake and an engine pointed at it; the management key is taken out of the keychain
/// again when the test ends.
struct Team {
    fake: FakeUpstream,
    h: Harness,
}

impl Drop for Team {
    fn drop(&mut self) {
        if let Ok(entry) = keyring::Entry::new(&self.h.service, MANAGEMENT_ACCOUNT) {
            let _ = entry.delete_credential();
        }
    }
}

fn setup() -> Option<Team> {
    let fake = FakeUpstream::builder()
        .accepted_key(INFERENCE)
        .management_key(MANAGEMENT)
        .start()
        .unwrap();
    let h = Harness::new(&[
        ("OPENROUTER_BASE_URL", &fake.openrouter_base()),
        ("OPENAI_BASE_URL", &fake.openai_base()),
        ("OPENAI_API_KEY", INFERENCE),
    ])?;
    Some(Team { fake, h })
}

/// A team with the management key saved.
async fn admin() -> Option<Team> {
    let t = setup()?;
    t.h.engine
        .team()
        .save_management_key(MANAGEMENT.into())
        .await
        .unwrap();
    Some(t)
}

fn draft(name: &str) -> TeamKeyDraft {
    TeamKeyDraft {
        name: name.into(),
        limit: None,
        limit_reset: None,
        include_byok_in_limit: false,
        expires_at: None,
    }
}

/// One chat request to OpenRouter's `model`, or through route `team` when `routed`. The route
/// names a model no direct request here uses: a key refusal opens that target's circuit.
async fn chat(t: &Team, model: &str, routed: bool) -> RoutedOutcome {
    let req = if routed {
        RouteRequest {
            route: Some("team".into()),
            ..RouteRequest::default()
        }
    } else {
        RouteRequest {
            provider: Some(BuiltinProvider::OpenRouter.id()),
            model: Some(model.into()),
            ..RouteRequest::default()
        }
    };
    let model = if routed { "" } else { model };
    let request = ChatRequest::new(model, vec![Message::text(Role::User, "Hello team")]);
    t.h.engine
        .routing()
        .chat(req, request, &CancellationToken::new(), |_| {})
        .await
        .unwrap()
}

/// The first attempt's error code.
fn first_error(out: &RoutedOutcome) -> ErrorCode {
    out.attempts[0].error.as_ref().expect("an error").code
}

/// Chat requests that reached OpenRouter at the fake.
fn openrouter_chats(fake: &FakeUpstream) -> Vec<switchboard_tests::Recorded> {
    fake.requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path.starts_with("/openrouter/api/v1/chat/"))
        .collect()
}

fn today() -> DateRange {
    DateRange {
        since: utc_day(0),
        until: utc_day(0),
    }
}

#[tokio::test]
async fn the_management_key_is_checked_kept_apart_and_never_sent_with_chat() {
    let Some(t) = setup() else { return };
    let or = BuiltinProvider::OpenRouter.id();
    let refused =
        t.h.engine
            .team()
            .save_management_key(INFERENCE.into())
            .await
            .unwrap_err()
            .info();
    assert_eq!(refused.code, ErrorCode::InvalidInput);
    assert!(
        refused
            .message
            .starts_with("This is an inference key, not a management key"),
        "{}",
        refused.message
    );
    assert_eq!(
        t.h.keychain_value(MANAGEMENT_ACCOUNT),
        None,
        "nothing saved"
    );
    let none = t.h.engine.team().keys().await.unwrap_err().info();
    assert_eq!(none.code, ErrorCode::NoKey, "{}", none.message);

    let status =
        t.h.engine
            .team()
            .save_management_key(MANAGEMENT.into())
            .await
            .unwrap();
    assert!(status.saved && !status.used_for_chat);
    assert_eq!(status.masked.as_deref(), Some("••••0001"));
    assert_eq!(
        t.h.keychain_value(MANAGEMENT_ACCOUNT).as_deref(),
        Some(MANAGEMENT),
        "under its own account"
    );
    assert_eq!(
        t.h.keychain_value(or.as_str()),
        None,
        "not OpenRouter's key"
    );
    assert!(t.h.engine.team().keys().await.unwrap().is_empty());

    t.h.engine
        .keys()
        .set(or.clone(), INFERENCE.into())
        .await
        .unwrap();
    let out = chat(&t, MODEL, false).await;
    assert!(out.outcome.as_ref().unwrap().error.is_none());
    let management_calls: Vec<_> = t
        .fake
        .requests()
        .into_iter()
        .filter(|r| r.header("authorization") == Some(&format!("Bearer {MANAGEMENT}")))
        .map(|r| r.path)
        .collect();
    assert!(!management_calls.is_empty());
    assert!(
        management_calls
            .iter()
            .all(|p| p.starts_with("/openrouter/api/v1/key")),
        "the management key only ever went to /key and /keys: {management_calls:?}"
    );

    // Pasted as the key for chatting by mistake: seen, refused with its own code, sent once.
    t.h.engine
        .keys()
        .set(or.clone(), MANAGEMENT.into())
        .await
        .unwrap();
    let status = t.h.engine.team().management_key_status().await.unwrap();
    assert!(status.used_for_chat);
    let before = openrouter_chats(&t.fake).len();
    let out = chat(&t, MODEL, false).await;
    assert_eq!(first_error(&out), ErrorCode::ManagementKeyUsed);
    assert_eq!(openrouter_chats(&t.fake).len(), before + 1, "not retried");

    let status = t.h.engine.team().remove_management_key().await.unwrap();
    assert!(!status.saved);
    assert_eq!(t.h.keychain_value(MANAGEMENT_ACCOUNT), None);
}

/// Switches team key `hash` off or on again at OpenRouter.
async fn switch(t: &Team, hash: &str, disabled: bool) -> switchboard_engine::core::TeamKey {
    let change = TeamKeyChange {
        disabled: Some(disabled),
        ..TeamKeyChange::default()
    };
    t.h.engine
        .team()
        .update_key(hash.to_owned(), change)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_member_key_is_made_limited_and_deleted_and_its_secret_shown_once() {
    let Some(t) = admin().await else { return };
    let expires = format!("{}T00:00:00Z", utc_day(0).replacen("20", "21", 1));
    let limited = TeamKeyDraft {
        limit: Usd::parse("5").ok(),
        limit_reset: Some(LimitReset::Monthly),
        expires_at: Some(expires.clone()),
        ..draft("Ada")
    };
    let created = t.h.engine.team().create_key(limited).await.unwrap();
    let (secret, hash) = (created.secret.clone(), created.key.hash.clone());
    assert!(secret.starts_with("sk-or-v1-"));
    assert_eq!(hash.len(), 64);
    assert_eq!(created.key.limit, Usd::parse("5").ok());
    assert_eq!(created.key.expires_at.as_deref(), Some(expires.as_str()));

    let listed = t.h.engine.team().keys().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].hash, hash);
    assert!(!listed[0].on_this_machine);
    assert!(
        !serde_json::to_string(&listed).unwrap().contains(&secret),
        "the secret is shown once, never in the list"
    );
    assert!(
        t.h.files_containing(&secret).is_empty(),
        "Switchboard keeps no copy"
    );

    let change = TeamKeyChange {
        limit: LimitChange::Amount {
            usd: Usd::parse("2.5").unwrap(),
        },
        limit_reset: ResetChange::Never,
        ..TeamKeyChange::default()
    };
    let changed =
        t.h.engine
            .team()
            .update_key(hash.clone(), change)
            .await
            .unwrap();
    assert_eq!(changed.limit, Usd::parse("2.5").ok());
    assert_eq!(changed.limit_reset, None);

    t.h.engine.team().delete_key(hash.clone()).await.unwrap();
    assert!(t.h.engine.team().keys().await.unwrap().is_empty());
    assert_eq!(t.fake.team_key_count(), 0);
    let gone = t.h.engine.team().delete_key(hash).await.unwrap_err().info();
    assert_eq!(gone.code, ErrorCode::BadRequest, "{}", gone.message);
}

#[tokio::test]
async fn a_disabled_member_key_is_refused_with_its_own_code_until_enabled_again() {
    let Some(t) = admin().await else { return };
    let or = BuiltinProvider::OpenRouter.id();
    let created = t.h.engine.team().create_key(draft("Ada")).await.unwrap();
    let hash = created.key.hash.clone();
    t.h.engine
        .keys()
        .set(or.clone(), created.secret)
        .await
        .unwrap();
    let disabled = switch(&t, &hash, true).await;
    assert!(disabled.disabled && disabled.on_this_machine);
    let before = openrouter_chats(&t.fake).len();
    let out = chat(&t, MODEL, false).await;
    assert_eq!(first_error(&out), ErrorCode::KeyDisabled);
    assert_eq!(openrouter_chats(&t.fake).len(), before + 1, "not retried");

    assert!(!switch(&t, &hash, false).await.disabled);
    // The refused key was set aside here too; enabling it again is the person's call.
    t.h.engine
        .keys()
        .enable(or, "default".into())
        .await
        .unwrap();
    let out = chat(&t, MODEL, false).await;
    assert!(out.outcome.unwrap().error.is_none(), "enabled again");
}

#[tokio::test]
async fn a_key_over_its_limit_fails_with_its_own_code_and_is_not_retried_on_it() {
    let Some(t) = admin().await else { return };
    let or = BuiltinProvider::OpenRouter.id();
    // A limit one request spends: the next one is over it (402, as documented).
    let created =
        t.h.engine
            .team()
            .create_key(TeamKeyDraft {
                limit: Usd::parse("0.000001").ok(),
                ..draft("Tiny")
            })
            .await
            .unwrap();
    t.h.engine
        .keys()
        .set(or.clone(), created.secret.clone())
        .await
        .unwrap();
    assert!(
        chat(&t, MODEL, false)
            .await
            .outcome
            .unwrap()
            .error
            .is_none()
    );
    let before = openrouter_chats(&t.fake).len();
    let out = chat(&t, MODEL, false).await;
    let error = out.attempts[0].error.clone().unwrap();
    assert_eq!(error.code, ErrorCode::KeyLimitReached, "{}", error.message);
    assert!(!error.retryable);
    assert!(
        error.message.contains("spending limit"),
        "{}",
        error.message
    );
    assert_eq!(out.attempts.len(), 1, "one attempt");
    assert_eq!(openrouter_chats(&t.fake).len(), before + 1, "sent once");

    // The wording seen in the wild, with 403; a route may fall back to another provider, but
    // the key over its limit is asked once.
    t.fake.team_refuse(
        &created.secret,
        Some(TeamRefusal::OverLimit { status: 403 }),
    );
    t.h.engine.routing().import(ROUTES).await.unwrap();
    let before = openrouter_chats(&t.fake).len();
    let out = chat(&t, MODEL, true).await;
    let steps: Vec<(&str, &str)> = out
        .attempts
        .iter()
        .map(|a| (a.provider.as_str(), a.outcome.as_str()))
        .collect();
    assert_eq!(steps, [("openrouter", "error"), ("openai", "ok")]);
    assert_eq!(first_error(&out), ErrorCode::KeyLimitReached);
    assert_eq!(openrouter_chats(&t.fake).len(), before + 1, "not retried");
}

#[tokio::test]
async fn guardrail_refusals_are_classified_from_402_and_from_403() {
    let Some(t) = admin().await else { return };
    let or = BuiltinProvider::OpenRouter.id();
    t.h.engine
        .keys()
        .set(or.clone(), INFERENCE.into())
        .await
        .unwrap();
    for (status, message) in [
        (402, "Guardrail budget exceeded (daily limit)"),
        (
            403,
            "Workspace monthly budget of $500.00 exceeded. Contact your workspace admin.",
        ),
    ] {
        let body = serde_json::json!({"error": {"code": status, "message": message}});
        t.fake.enqueue(Reply::json(status, &body));
        let before = openrouter_chats(&t.fake).len();
        let out = chat(&t, MODEL, false).await;
        assert_eq!(first_error(&out), ErrorCode::GuardrailBlocked, "{status}");
        assert_eq!(
            openrouter_chats(&t.fake).len(),
            before + 1,
            "{status}: once"
        );
    }
}

#[tokio::test]
async fn a_guardrail_is_made_assigned_enforced_changed_and_deleted() {
    let Some(t) = admin().await else { return };
    let or = BuiltinProvider::OpenRouter.id();
    let member = t.h.engine.team().create_key(draft("Intern")).await.unwrap();
    let guardrail =
        t.h.engine
            .team()
            .create_guardrail(GuardrailDraft {
                name: "Cheap models".into(),
                budget: Usd::parse("1").ok(),
                budget_reset: Some(LimitReset::Daily),
                allowed_models: vec![MODEL.into()],
                ..GuardrailDraft::default()
            })
            .await
            .unwrap();
    let targets = GuardrailTargets {
        key_hashes: vec![member.key.hash.clone()],
        member_user_ids: vec!["user_intern".into()],
    };
    let assigned =
        t.h.engine
            .team()
            .assign_guardrail(guardrail.id.clone(), targets.clone(), false)
            .await
            .unwrap();
    assert_eq!(assigned.key_hashes, std::slice::from_ref(&member.key.hash));
    assert_eq!(assigned.member_user_ids, ["user_intern"]);
    assert_eq!(assigned.budget, Usd::parse("1").ok());

    t.h.engine
        .keys()
        .set(or.clone(), member.secret.clone())
        .await
        .unwrap();
    let out = chat(&t, "anthropic/claude-sonnet-4", false).await;
    assert_eq!(first_error(&out), ErrorCode::GuardrailBlocked);
    assert!(
        chat(&t, MODEL, false)
            .await
            .outcome
            .unwrap()
            .error
            .is_none()
    );

    let freed =
        t.h.engine
            .team()
            .assign_guardrail(guardrail.id.clone(), targets, true)
            .await
            .unwrap();
    assert!(freed.key_hashes.is_empty() && freed.member_user_ids.is_empty());
    let renamed =
        t.h.engine
            .team()
            .update_guardrail(
                guardrail.id.clone(),
                GuardrailDraft {
                    name: "Any model".into(),
                    ..GuardrailDraft::default()
                },
            )
            .await
            .unwrap();
    assert_eq!(renamed.name, "Any model");
    assert!(renamed.allowed_models.is_empty());
    t.h.engine
        .team()
        .delete_guardrail(guardrail.id)
        .await
        .unwrap();
    assert!(t.h.engine.team().guardrails().await.unwrap().is_empty());
}

#[tokio::test]
async fn team_spend_totals_equal_the_fakes_figures() {
    let Some(t) = admin().await else { return };
    let or = BuiltinProvider::OpenRouter.id();
    let ada = t.h.engine.team().create_key(draft("Ada")).await.unwrap();
    let bob = t.h.engine.team().create_key(draft("Bob")).await.unwrap();
    let fake = &t.fake;
    fake.team_seed_usage(&ada.secret, &utc_day(1), MODEL, "0.1", 2);
    fake.team_seed_usage(&ada.secret, &utc_day(1), MODEL, "0.2", 1);
    fake.team_seed_usage(
        &ada.secret,
        &utc_day(2),
        "anthropic/claude-sonnet-4",
        "0.000003",
        1,
    );
    fake.team_seed_usage(&ada.secret, &utc_day(40), MODEL, "9", 9);
    fake.team_seed_usage(&bob.secret, &utc_day(3), MODEL, "1.5", 4);
    t.h.engine.keys().set(or, ada.secret.clone()).await.unwrap();
    assert!(
        chat(&t, MODEL, false)
            .await
            .outcome
            .unwrap()
            .error
            .is_none()
    );

    let (since, until) = (utc_day(5), utc_day(0));
    let spend =
        t.h.engine
            .team()
            .spend(DateRange {
                since: since.clone(),
                until: until.clone(),
            })
            .await
            .unwrap();
    let figure = |secret: &str| Usd::parse(&fake.team_usage(secret, &since, &until)).unwrap();
    assert_eq!(spend.total, figure(&ada.secret) + figure(&bob.secret));
    let of = |name: &str| spend.by_key.iter().find(|k| k.key_name == name).unwrap();
    assert_eq!(of("Ada").usage, figure(&ada.secret), "exact, per key");
    assert_eq!(of("Bob").usage, Usd::parse("1.5").unwrap());
    assert_eq!(
        of("Ada").requests,
        4,
        "today's request is not counted by model yet"
    );
    let day1: Vec<_> = spend.rows.iter().filter(|r| r.date == utc_day(1)).collect();
    assert_eq!(day1.len(), 1, "one row per key, model and day");
    assert_eq!(day1[0].usage, Usd::parse("0.3").unwrap());
    let today_row = spend.rows.iter().find(|r| r.date == utc_day(0)).unwrap();
    assert_eq!(
        (today_row.key_name.as_str(), today_row.model.as_deref()),
        ("Ada", None)
    );
    assert!(today_row.usage > Usd::ZERO);
    assert_eq!(spend.covered_from, utc_day(30));
    assert!(
        spend.rows.iter().all(|r| r.date >= since),
        "day 40 is outside"
    );
}

#[tokio::test]
async fn reconciliation_explains_requests_made_elsewhere() {
    let Some(t) = admin().await else { return };
    let or = BuiltinProvider::OpenRouter.id();
    let ada = t.h.engine.team().create_key(draft("Ada")).await.unwrap();
    t.h.engine.team().create_key(draft("Bob")).await.unwrap();
    // Saved as a further key (no main key), so every request here uses it.
    t.h.engine
        .keys()
        .add_extra(or, "team".into(), ada.secret.clone())
        .await
        .unwrap();
    for _ in 0..2 {
        assert!(
            chat(&t, MODEL, false)
                .await
                .outcome
                .unwrap()
                .error
                .is_none()
        );
    }
    let here = Usd::parse(&t.fake.team_usage(&ada.secret, &utc_day(0), &utc_day(0))).unwrap();
    t.fake
        .team_seed_usage(&ada.secret, &utc_day(0), MODEL, "0.25", 3);

    let report = t.h.engine.team().reconciliation(today()).await.unwrap();
    assert_eq!(report.keys.len(), 1, "only the key saved here: {report:?}");
    let ada_here = &report.keys[0];
    assert_eq!(ada_here.key_name, "Ada");
    assert_eq!(
        ada_here.local, here,
        "the ledger booked what the fake charged"
    );
    assert_eq!(ada_here.local_requests, 2);
    assert_eq!(ada_here.openrouter, here + Usd::parse("0.25").unwrap());
    assert_eq!(ada_here.difference, Usd::parse("0.25").unwrap());
    assert!(!ada_here.matches);
    assert_eq!(ada_here.causes[0], ReconcileCause::RequestsElsewhere);
    assert!(
        ada_here
            .explanation
            .starts_with("OpenRouter counts $0.25 more")
            && ada_here.explanation.contains("another machine or tool"),
        "{}",
        ada_here.explanation
    );
    assert_eq!(report.difference, Usd::parse("0.25").unwrap());
}
