//! The Chat screen's flows through the engine: concurrent columns, stop, regenerate, edit and
//! branch, continue with one column, failures that keep their text, recovery after a crash,
//! search, export/import, images refused for text-only models, and the sidebar's pages.

use std::time::Duration;

use switchboard_engine::core::{
    AnswerId, AnswerStatus, Attachment, BuiltinProvider, ChatEvent, ColumnSpec, ConversationId,
    ConversationSummary, ErrorCode, ModelParams, Usd,
};
use switchboard_engine::{DataDir, Engine, EngineConfig, Environment};
use switchboard_tests::{FakeUpstream, Reply, keychain};
use tokio::sync::mpsc;

use crate::keys::Harness;

const KEY: &str = "sk-flows-conversations-0000000002";
/// A recorded OpenRouter stream (about 1.3 s when timed) whose usage says it cost this.
const FIXTURE: &str = "7buJmKWfmK3";
const FIXTURE_COST: &str = "0.0013545";

fn harness(fake: &FakeUpstream) -> Option<Harness> {
    Harness::openrouter(fake, KEY)
}

fn column(model: &str) -> ColumnSpec {
    ColumnSpec {
        provider: BuiltinProvider::OpenRouter.id(),
        model: model.into(),
        params: ModelParams::default(),
    }
}

fn answer_id(event: &ChatEvent) -> &AnswerId {
    match event {
        ChatEvent::Started { answer_id, .. }
        | ChatEvent::TextDelta { answer_id, .. }
        | ChatEvent::ReasoningDelta { answer_id, .. }
        | ChatEvent::ToolCall { answer_id, .. }
        | ChatEvent::Waiting { answer_id, .. }
        | ChatEvent::Finished { answer_id, .. }
        | ChatEvent::Failed { answer_id, .. } => answer_id,
    }
}

fn is_end(event: &ChatEvent) -> bool {
    matches!(event, ChatEvent::Finished { .. } | ChatEvent::Failed { .. })
}

/// Events until `answers` answers have ended.
async fn until_done(rx: &mut mpsc::Receiver<ChatEvent>, answers: usize) -> Vec<ChatEvent> {
    let mut events = Vec::new();
    let mut ended = 0;
    while ended < answers {
        let event = tokio::time::timeout(Duration::from_secs(30), rx.recv())
            .await
            .expect("events keep coming until every answer ends")
            .expect("the channel stays open until every answer ends");
        ended += usize::from(is_end(&event));
        events.push(event);
    }
    events
}

/// Sends `text` and waits for every answer to end.
async fn send_and_wait(
    h: &Harness,
    id: &ConversationId,
    text: &str,
    answers: usize,
) -> Vec<ChatEvent> {
    let (tx, mut rx) = mpsc::channel(256);
    h.engine
        .conversations()
        .send(id.clone(), text.into(), Vec::new(), tx)
        .await
        .expect("send starts");
    until_done(&mut rx, answers).await
}

#[tokio::test]
async fn a_two_column_comparison_streams_both_answers_concurrently() {
    let fake = FakeUpstream::start(KEY);
    let Some(h) = harness(&fake) else { return };
    fake.enqueue(Reply::fixture(FIXTURE).timed());
    fake.enqueue(Reply::fixture(FIXTURE).timed());
    let view = h
        .engine
        .conversations()
        .create(vec![column("a/one"), column("b/two")])
        .await
        .unwrap();
    let events = send_and_wait(&h, &view.id, "Compare yourselves.", 2).await;

    let started: Vec<&AnswerId> = events
        .iter()
        .filter(|e| matches!(e, ChatEvent::Started { .. }))
        .map(answer_id)
        .collect();
    assert_eq!(started.len(), 2, "one Started per column");
    let first_end = events.iter().position(is_end).unwrap();
    for id in &started {
        assert!(
            events[..first_end]
                .iter()
                .any(|e| matches!(e, ChatEvent::TextDelta { .. }) && answer_id(e) == *id),
            "both answers stream before either ends (they interleave)"
        );
        let ends: Vec<&ChatEvent> = events
            .iter()
            .filter(|e| is_end(e) && answer_id(e) == *id)
            .collect();
        assert_eq!(ends.len(), 1, "exactly one end event per answer");
        match ends[0] {
            ChatEvent::Finished { status, stats, .. } => {
                assert_eq!(*status, AnswerStatus::Complete, "complete");
                assert_eq!(
                    stats.cost,
                    Some(Usd::parse(FIXTURE_COST).unwrap()),
                    "the recorded cost, exactly"
                );
                assert_eq!(stats.cost_source, "provider", "the provider's own figure");
            }
            other => panic!("expected Finished, got {other:?}"),
        }
    }
    let view = h.engine.conversations().open(view.id).await.unwrap();
    assert_eq!(view.turns[0].answers.len(), 2, "both answers are saved");
    assert!(
        view.turns[0].answers.iter().all(|a| !a.content.is_empty()),
        "with their text"
    );
    assert_eq!(
        view.total_cost,
        Usd::parse(FIXTURE_COST).unwrap() + Usd::parse(FIXTURE_COST).unwrap(),
        "the conversation total is the exact sum"
    );
    assert_eq!(
        view.title, "Compare yourselves.",
        "titled by the first message"
    );
}

#[tokio::test]
async fn stopping_one_column_cancels_it_and_the_other_completes() {
    let fake = FakeUpstream::start(KEY);
    let Some(h) = harness(&fake) else { return };
    fake.enqueue(Reply::EndlessKeepAlive); // the other request gets the echo
    let view = h
        .engine
        .conversations()
        .create(vec![column("a/one"), column("b/two")])
        .await
        .unwrap();
    let (tx, mut rx) = mpsc::channel(256);
    h.engine
        .conversations()
        .send(view.id.clone(), "hello".into(), Vec::new(), tx)
        .await
        .unwrap();
    let first = until_done(&mut rx, 1).await;
    let done = first.iter().find(|e| is_end(e)).unwrap();
    assert!(
        matches!(
            done,
            ChatEvent::Finished {
                status: AnswerStatus::Complete,
                ..
            }
        ),
        "the echo completes: {done:?}"
    );
    let endless = first
        .iter()
        .filter(|e| matches!(e, ChatEvent::Started { .. }))
        .map(answer_id)
        .find(|id| *id != answer_id(done))
        .unwrap()
        .to_owned();
    h.engine
        .conversations()
        .stop_answer(endless.clone())
        .await
        .unwrap();
    let rest = until_done(&mut rx, 1).await;
    let end = rest.iter().find(|e| is_end(e)).unwrap();
    assert_eq!(*answer_id(end), endless, "the stopped answer ends");
    assert!(
        matches!(
            end,
            ChatEvent::Finished {
                status: AnswerStatus::Cancelled,
                ..
            }
        ),
        "as cancelled: {end:?}"
    );
    h.engine.conversations().stop_answer(endless).await.unwrap(); // a no-op now
    let view = h.engine.conversations().open(view.id).await.unwrap();
    let statuses: Vec<AnswerStatus> = view.turns[0].answers.iter().map(|a| a.status).collect();
    assert!(
        statuses.contains(&AnswerStatus::Cancelled) && statuses.contains(&AnswerStatus::Complete),
        "one cancelled, one complete: {statuses:?}"
    );
}

#[tokio::test]
async fn regenerate_keeps_the_old_attempt() {
    let fake = FakeUpstream::start(KEY);
    let Some(h) = harness(&fake) else { return };
    let view = h
        .engine
        .conversations()
        .create(vec![column("a/one")])
        .await
        .unwrap();
    send_and_wait(&h, &view.id, "hello there", 1).await;
    let view = h.engine.conversations().open(view.id).await.unwrap();
    let (turn, first) = (&view.turns[0], &view.turns[0].answers[0]);
    let (tx, mut rx) = mpsc::channel(256);
    h.engine
        .conversations()
        .regenerate(
            view.id.clone(),
            turn.id.clone(),
            first.column_id.clone(),
            tx,
        )
        .await
        .unwrap();
    until_done(&mut rx, 1).await;
    let again = h
        .engine
        .conversations()
        .open(view.id.clone())
        .await
        .unwrap();
    let shown = &again.turns[0].answers[0];
    assert_eq!(
        (shown.attempt, shown.attempts),
        (2, 2),
        "attempt 2 of 2 is shown"
    );
    assert_ne!(shown.id, first.id, "a new answer row");
    let back = h
        .engine
        .conversations()
        .select_attempt(shown.id.clone(), 1)
        .await
        .unwrap();
    assert_eq!(
        back.turns[0].answers[0].id, first.id,
        "attempt 1 is kept and selectable"
    );
}

#[tokio::test]
async fn edit_and_resend_creates_version_2_and_the_old_branch_stays_selectable() {
    let fake = FakeUpstream::start(KEY);
    let Some(h) = harness(&fake) else { return };
    let view = h
        .engine
        .conversations()
        .create(vec![column("a/one")])
        .await
        .unwrap();
    send_and_wait(&h, &view.id, "first message", 1).await;
    send_and_wait(&h, &view.id, "second message", 1).await;
    let before = h
        .engine
        .conversations()
        .open(view.id.clone())
        .await
        .unwrap();
    let (tx, mut rx) = mpsc::channel(256);
    let edited = h
        .engine
        .conversations()
        .edit_and_resend(before.turns[1].id.clone(), "second, edited".into(), tx)
        .await
        .unwrap();
    until_done(&mut rx, 1).await;
    let body = fake.requests().last().unwrap().json().unwrap();
    let sent = body["messages"].to_string();
    assert!(
        sent.contains("Echo: first message") && !sent.contains("second message"),
        "the edit's context is the path to it, with the column's own answers: {sent}"
    );
    let after = h
        .engine
        .conversations()
        .open(view.id.clone())
        .await
        .unwrap();
    let turn = &after.turns[1];
    assert_eq!(turn.id, edited, "the edit is displayed");
    assert_eq!((turn.version, turn.versions), (2, 2), "version 2 of 2");
    assert_eq!(turn.answers[0].content, "Echo: second, edited", "answered");
    let old = h
        .engine
        .conversations()
        .select_version(edited, 1)
        .await
        .unwrap();
    assert_eq!(
        old.turns[1].text, "second message",
        "the old branch is selectable"
    );
    assert_eq!(
        old.turns[1].answers[0].content, "Echo: second message",
        "with its answer"
    );
}

#[tokio::test]
async fn continue_with_column_retires_the_others() {
    let fake = FakeUpstream::start(KEY);
    let Some(h) = harness(&fake) else { return };
    let view = h
        .engine
        .conversations()
        .create(vec![column("a/one"), column("b/two")])
        .await
        .unwrap();
    send_and_wait(&h, &view.id, "pick one", 2).await;
    let keep = view.columns[1].id.clone();
    let after = h
        .engine
        .conversations()
        .continue_with(view.id.clone(), keep.clone())
        .await
        .unwrap();
    let active: Vec<bool> = after.columns.iter().map(|c| c.active).collect();
    assert_eq!(
        active,
        vec![false, true],
        "only the chosen column stays active"
    );
    let events = send_and_wait(&h, &view.id, "go on", 1).await;
    assert!(
        events.iter().all(|e| match e {
            ChatEvent::Started { column_id, .. } => *column_id == keep,
            _ => true,
        }),
        "only the kept column answers"
    );
    let view = h.engine.conversations().open(view.id).await.unwrap();
    assert_eq!(
        view.turns[0].answers.len(),
        2,
        "the retired column's history is kept"
    );
    assert_eq!(view.turns[1].answers.len(), 1, "and it no longer answers");
}

#[tokio::test]
async fn a_cut_stream_fails_and_keeps_the_partial_text() {
    let fake = FakeUpstream::start(KEY);
    let Some(h) = harness(&fake) else { return };
    fake.enqueue(Reply::fixture("7DnrB604rYW").cut_after(8));
    let view = h
        .engine
        .conversations()
        .create(vec![column("a/one")])
        .await
        .unwrap();
    let events = send_and_wait(&h, &view.id, "tell me", 1).await;
    let end = events.last().unwrap();
    match end {
        ChatEvent::Failed { error, .. } => {
            assert_eq!(error.code, ErrorCode::Network, "a cut connection: {error}");
        }
        other => panic!("expected Failed, got {other:?}"),
    }
    let view = h.engine.conversations().open(view.id).await.unwrap();
    let answer = &view.turns[0].answers[0];
    assert_eq!(answer.status, AnswerStatus::Failed, "saved as failed");
    assert!(!answer.content.is_empty(), "with the text that arrived");
    assert!(answer.error.is_some(), "and why");
}

#[test]
fn an_answer_streaming_when_the_app_died_is_interrupted_on_reopen() {
    let fake = FakeUpstream::start(KEY);
    let base = fake.openrouter_base();
    let env = [
        ("OPENROUTER_BASE_URL", base.as_str()),
        ("OPENROUTER_API_KEY", KEY),
    ];
    let Some(h) = Harness::new(&env) else { return };
    fake.enqueue(Reply::fixture("5V2m0ZjBVln").timed()); // about 7 s of stream
    let crashed = tokio::runtime::Runtime::new().unwrap();
    let id = crashed.block_on(async {
        let view = h
            .engine
            .conversations()
            .create(vec![column("a/one")])
            .await
            .unwrap();
        let (tx, mut rx) = mpsc::channel(256);
        h.engine
            .conversations()
            .send(view.id.clone(), "write a lot".into(), Vec::new(), tx)
            .await
            .unwrap();
        let mut deltas = 0;
        while deltas < 3 {
            let event = rx.recv().await.unwrap();
            deltas += usize::from(matches!(event, ChatEvent::TextDelta { .. }));
        }
        tokio::time::sleep(Duration::from_millis(700)).await; // past a save
        view.id
    });
    // The app dies: every task is dropped mid-stream, nothing gets to finish the answer.
    crashed.shutdown_background();

    let reopened = Engine::open(EngineConfig {
        data_dir: DataDir::at(h.dir.path()),
        keychain_service: h.service.clone(),
        environment: Environment::from_pairs(env.iter().copied()),
    })
    .unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let view = reopened.conversations().open(id.clone()).await.unwrap();
        let answer = &view.turns[0].answers[0];
        assert_eq!(
            answer.status,
            AnswerStatus::Interrupted,
            "marked interrupted"
        );
        assert!(!answer.content.is_empty(), "what arrived is kept");
        let (tx, mut rx) = mpsc::channel(256);
        reopened
            .conversations()
            .regenerate(id, view.turns[0].id.clone(), answer.column_id.clone(), tx)
            .await
            .unwrap();
        let events = until_done(&mut rx, 1).await;
        assert!(
            matches!(
                events.last(),
                Some(ChatEvent::Finished {
                    status: AnswerStatus::Complete,
                    ..
                })
            ),
            "an interrupted answer can be regenerated"
        );
    });
}

#[tokio::test]
async fn search_finds_messages_and_answers_and_nothing_after_delete() {
    let fake = FakeUpstream::start(KEY);
    let Some(h) = harness(&fake) else { return };
    let view = h
        .engine
        .conversations()
        .create(vec![column("a/one")])
        .await
        .unwrap();
    send_and_wait(&h, &view.id, "tell me about narwhals", 1).await;
    let hits = h
        .engine
        .conversations()
        .search("narwhal".into(), 10)
        .await
        .unwrap();
    assert_eq!(
        hits.len(),
        1,
        "the message and its echoed answer are one turn, so one hit: {hits:?}"
    );
    let hits = h
        .engine
        .conversations()
        .search("echo".into(), 10)
        .await
        .unwrap();
    assert_eq!(hits.len(), 1, "a word only in the answer");
    assert!(hits[0].answer_id.is_some(), "found in the answer");
    let (s, e) = hits[0].highlights[0];
    assert_eq!(
        &hits[0].snippet[s as usize..e as usize],
        "Echo",
        "the highlight marks the word"
    );
    // The chat screen kept for the next launch's first paint shows it: that goes too.
    let paint = h.engine.first_paint();
    paint
        .save(
            "this build",
            switchboard_engine::ScreenSnapshot {
                html: "<p>tell me about narwhals</p>".into(),
                theme: switchboard_engine::ShownTheme::Light,
                platform: switchboard_engine::StylePlatform::Linux,
            },
        )
        .await
        .unwrap();
    assert!(paint.load("this build").is_some());
    h.engine.conversations().delete(view.id).await.unwrap();
    assert_eq!(paint.load("this build"), None, "the kept screen is gone");
    assert!(
        h.engine
            .conversations()
            .search("narwhals".into(), 10)
            .await
            .unwrap()
            .is_empty(),
        "nothing after delete"
    );
    assert_eq!(
        h.engine.spend().recent_requests(10).await.unwrap().len(),
        1,
        "the spend stays in the ledger"
    );
}

#[tokio::test]
async fn export_then_import_round_trips_the_whole_tree() {
    let fake = FakeUpstream::start(KEY);
    let Some(h) = harness(&fake) else { return };
    let view = h
        .engine
        .conversations()
        .create(vec![column("a/one"), column("b/two")])
        .await
        .unwrap();
    send_and_wait(&h, &view.id, "first", 2).await;
    send_and_wait(&h, &view.id, "second", 2).await;
    let opened = h
        .engine
        .conversations()
        .open(view.id.clone())
        .await
        .unwrap();
    let (tx, mut rx) = mpsc::channel(256);
    h.engine
        .conversations()
        .edit_and_resend(opened.turns[1].id.clone(), "second v2".into(), tx)
        .await
        .unwrap();
    until_done(&mut rx, 2).await;

    let json = h
        .engine
        .conversations()
        .export_json(view.id.clone())
        .await
        .unwrap();
    assert!(!json.contains(KEY), "no secrets in the export");
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        doc["format"], "switchboard.conversation",
        "versioned format"
    );
    assert_eq!(doc["version"], 1, "version 1");
    assert_eq!(doc["turns"].as_array().unwrap().len(), 3, "every version");
    let imported = h
        .engine
        .conversations()
        .import_json(json.clone())
        .await
        .unwrap();
    assert_ne!(imported.id, view.id, "a new conversation");
    assert_eq!(
        imported.total_cost,
        opened.total_cost
            + imported.turns[1].answers[0].stats.cost.unwrap()
            + imported.turns[1].answers[1].stats.cost.unwrap(),
        "recorded costs are kept"
    );
    let again = h
        .engine
        .conversations()
        .export_json(imported.id.clone())
        .await
        .unwrap();
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&again).unwrap(),
        doc,
        "export -> import -> export gives the same tree"
    );

    let md = h
        .engine
        .conversations()
        .export_markdown(imported.id)
        .await
        .unwrap();
    assert!(
        md.contains("### a/one") && md.contains("Echo: second v2"),
        "markdown: {md}"
    );
    // The total counts every answer, the edited-away branch too; the export lists them all.
    let tree: serde_json::Value = serde_json::from_str(&again).unwrap();
    let answers: usize = tree["turns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["answers"].as_array().unwrap().len())
        .sum();
    let table = md
        .split("## Every answer in the total")
        .nth(1)
        .expect("the export lists what its total includes");
    let rows: Vec<&str> = table.lines().filter(|l| l.contains("| attempt ")).collect();
    assert_eq!(
        rows.len(),
        answers,
        "one row per answer in the total: {table}"
    );
    assert!(
        rows.iter().any(|r| r.contains("| no |")),
        "answers off the shown path are listed too: {table}"
    );
    assert!(
        md.contains("Models: a/one (OpenRouter)"),
        "providers by name, never by id: {md}"
    );
    let err = h
        .engine
        .conversations()
        .import_json(r#"{"format":"other","version":1}"#.into())
        .await
        .unwrap_err();
    assert_eq!(err.info().code, ErrorCode::InvalidInput, "refused");
    assert!(
        err.to_string().contains("$.format"),
        "names the path: {err}"
    );
    let mut broken = doc.clone();
    broken["turns"][1]["parent"] = serde_json::json!(7);
    let err = h
        .engine
        .conversations()
        .import_json(broken.to_string())
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("$.turns[1].parent"),
        "names the path: {err}"
    );

    // Recorded numbers are booked as spend, and an image URL is sent on when the chat goes
    // on: a negative cost and a URL that is not an inline image are refused (finding D20).
    let mut costly = doc.clone();
    let cost = &mut costly["turns"][0]["answers"][0]["stats"]["cost"];
    *cost = if cost.is_string() {
        serde_json::json!("-5")
    } else {
        serde_json::json!(-5)
    };
    let err = h
        .engine
        .conversations()
        .import_json(costly.to_string())
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("$.turns[0].answers[0].stats.cost: -5 is not a cost"),
        "{err}"
    );
    for url in ["http://example.com/cat.png", "javascript:alert(1)"] {
        let mut linked = doc.clone();
        linked["turns"][0]["attachments"] =
            serde_json::json!([{"kind": "image", "name": "cat.png", "data_url": url}]);
        let err = h
            .engine
            .conversations()
            .import_json(linked.to_string())
            .await
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("$.turns[0].attachments[0].data_url: must be an inline"),
            "{url}: {err}"
        );
    }
    let huge = format!("{{\"pad\": \"{}\"}}", "x".repeat(65 << 20));
    let err = h
        .engine
        .conversations()
        .import_json(huge)
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("up to 64 MiB can be imported"),
        "{err}"
    );
}

#[tokio::test]
async fn an_image_is_refused_for_a_text_only_model() {
    let fake = FakeUpstream::start(KEY);
    let Some(h) = harness(&fake) else { return };
    h.engine.models().catalogue(true).await.unwrap();
    let view = h
        .engine
        .conversations()
        .create(vec![column("arcee-ai/caller-large")])
        .await
        .unwrap();
    let (tx, _rx) = mpsc::channel(16);
    let image = Attachment::Image {
        name: "cat.png".into(),
        data_url: "data:image/png;base64,iVBORw0KGgo=".into(),
    };
    let err = h
        .engine
        .conversations()
        .send(
            view.id.clone(),
            "what is this?".into(),
            vec![image.clone()],
            tx,
        )
        .await
        .unwrap_err();
    assert_eq!(err.info().code, ErrorCode::InvalidInput, "refused: {err}");
    assert!(
        err.to_string().contains("arcee-ai/caller-large"),
        "names the model: {err}"
    );
    let view = h.engine.conversations().open(view.id).await.unwrap();
    assert!(view.turns.is_empty(), "nothing was stored");

    let vision = h
        .engine
        .conversations()
        .create(vec![column("google/gemini-2.5-pro-preview")])
        .await
        .unwrap();
    let (tx, mut rx) = mpsc::channel(64);
    h.engine
        .conversations()
        .send(vision.id, "what is this?".into(), vec![image], tx)
        .await
        .unwrap();
    until_done(&mut rx, 1).await;
    let body = fake.requests().last().unwrap().json().unwrap();
    assert!(
        body["messages"]
            .to_string()
            .contains("data:image/png;base64"),
        "a model that reads images gets the image part"
    );
}

/// Web-search sources (OpenRouter's `url_citation` annotations) used to be dropped.
#[tokio::test]
async fn web_search_sources_are_kept_and_shown_with_the_answer() {
    let fake = FakeUpstream::start(KEY);
    let Some(h) = harness(&fake) else { return };
    let chunk = |delta: serde_json::Value, usage: Option<serde_json::Value>| {
        let mut c = serde_json::json!({"id": "gen-sources", "provider": "Fake",
            "model": "a/one", "object": "chat.completion.chunk",
            "choices": [{"index": 0, "delta": delta, "finish_reason": null}]});
        if let Some(u) = usage {
            c["choices"][0]["finish_reason"] = "stop".into();
            c["usage"] = u;
        }
        format!("data: {c}\n\n").into_bytes()
    };
    fake.enqueue(Reply::Sse(vec![
        chunk(
            serde_json::json!({"role": "assistant", "content": "",
                "annotations": [{"type": "url_citation", "url_citation": {
                    "url": "https://www.space.com/starlink", "title": "Starlink launch",
                    "content": "page text", "start_index": 0, "end_index": 0}}]}),
            None,
        ),
        chunk(serde_json::json!({"content": "SpaceX launched."}), None),
        chunk(
            serde_json::json!({}),
            Some(serde_json::json!({"prompt_tokens": 5, "completion_tokens": 3, "cost": 0.0001})),
        ),
        b"data: [DONE]\n\n".to_vec(),
    ]));
    let view = h
        .engine
        .conversations()
        .create(vec![column("a/one")])
        .await
        .unwrap();
    let events = send_and_wait(&h, &view.id, "Any launch news?", 1).await;
    let Some(ChatEvent::Finished { citations, .. }) = events.iter().find(|e| is_end(e)) else {
        panic!("finished: {events:?}");
    };
    assert_eq!(citations.len(), 1);
    assert_eq!(citations[0].url, "https://www.space.com/starlink");
    assert_eq!(citations[0].title.as_deref(), Some("Starlink launch"));
    let view = h.engine.conversations().open(view.id).await.unwrap();
    assert_eq!(
        &view.turns[0].answers[0].citations, citations,
        "kept with the answer"
    );
}

/// 👍/👎 and "best of these" lived only in the page: reopened, the conversation forgot them.
#[tokio::test]
async fn thumbs_and_the_best_pick_survive_reopening_and_do_not_clear_each_other() {
    use switchboard_engine::core::Thumb;
    use switchboard_engine::router::Signal;
    let fake = FakeUpstream::start(KEY);
    let Some(h) = harness(&fake) else { return };
    let view = h
        .engine
        .conversations()
        .create(vec![column("a/one"), column("b/two")])
        .await
        .unwrap();
    send_and_wait(&h, &view.id, "Which of you is better?", 2).await;
    let shown = h
        .engine
        .conversations()
        .open(view.id.clone())
        .await
        .unwrap();
    let (a, b) = (
        shown.turns[0].answers[0].id.clone(),
        shown.turns[0].answers[1].id.clone(),
    );
    h.engine
        .routing()
        .rate_answer(a.clone(), Signal::ThumbUp)
        .await
        .unwrap();
    h.engine
        .routing()
        .rate_answer(b.clone(), Signal::ThumbDown)
        .await
        .unwrap();
    h.engine
        .routing()
        .rate_answer(a.clone(), Signal::LostComparison)
        .await
        .unwrap();
    h.engine
        .routing()
        .rate_answer(b.clone(), Signal::WonComparison)
        .await
        .unwrap();
    let base = fake.openrouter_base();
    let reopened = h.second_engine(&[("OPENROUTER_BASE_URL", &base), ("OPENROUTER_API_KEY", KEY)]);
    let view = reopened.conversations().open(view.id).await.unwrap();
    let answers = &view.turns[0].answers;
    let by_id = |id: &AnswerId| answers.iter().find(|x| x.id == *id).unwrap();
    assert_eq!((by_id(&a).thumb, by_id(&a).best), (Some(Thumb::Up), false));
    assert_eq!(
        (by_id(&b).thumb, by_id(&b).best),
        (Some(Thumb::Down), true),
        "the best pick did not clear the earlier thumb"
    );
}

/// A column whose request a rule sent elsewhere said nothing about it, and its prediction was
/// for the column's own model.
#[tokio::test]
async fn a_rule_that_sends_a_column_elsewhere_is_named_in_its_prediction_and_its_answer() {
    let fake = FakeUpstream::start(KEY);
    let Some(h) = harness(&fake) else { return };
    h.engine
        .routing()
        .import(
            r#"
[[routes]]
name = "cheap-first"
[[routes.targets]]
provider = "openrouter"
model = "openai/gpt-4o-mini"

[[rules]]
name = "send sonnet cheaper"
when = { model = ["anthropic/claude-sonnet-*"] }
then = { route = "cheap-first" }
"#,
        )
        .await
        .unwrap();
    let view = h
        .engine
        .conversations()
        .create(vec![column("anthropic/claude-sonnet-4")])
        .await
        .unwrap();
    let predicted = h
        .engine
        .conversations()
        .predict_costs(
            Some(view.id.clone()),
            vec![switchboard_engine::core::PredictColumn {
                id: Some(view.columns[0].id.clone()),
                spec: view.columns[0].spec.clone(),
            }],
            "Hello".into(),
            Vec::new(),
        )
        .await
        .unwrap();
    let to = predicted[0]
        .routed_to
        .as_ref()
        .expect("the prediction names where the rule sends it");
    assert_eq!(
        (
            to.model.as_str(),
            to.route.as_deref(),
            to.provider_name.as_str()
        ),
        ("openai/gpt-4o-mini", Some("cheap-first"), "OpenRouter")
    );
    assert_eq!(to.rule.as_deref(), Some("send sonnet cheaper"));

    send_and_wait(&h, &view.id, "Hello", 1).await;
    let view = h.engine.conversations().open(view.id).await.unwrap();
    let stats = &view.turns[0].answers[0].stats;
    assert_eq!(stats.route.as_deref(), Some("cheap-first"));
    assert_eq!(stats.provider_name.as_deref(), Some("OpenRouter"));
    assert_eq!(stats.attempts, 1);
}

/// A column on a provider with no key fails at once with its own code (the UI's answer shows
/// "Open Settings" on it), names the provider and its variable, and sends nothing.
#[tokio::test]
async fn a_provider_without_a_key_fails_with_no_key_and_sends_nothing() {
    let fake = FakeUpstream::start(KEY);
    let Some(h) = harness(&fake) else { return };
    let view = h
        .engine
        .conversations()
        .create(vec![ColumnSpec {
            provider: BuiltinProvider::OpenAi.id(),
            model: "gpt-4o-mini".into(),
            params: ModelParams::default(),
        }])
        .await
        .unwrap();
    let events = send_and_wait(&h, &view.id, "hello", 1).await;
    match events.last().unwrap() {
        ChatEvent::Failed { error, .. } => {
            assert_eq!(error.code, ErrorCode::NoKey, "{error}");
            assert!(!error.retryable, "a missing key stays missing");
            assert!(
                error.message.contains("openai") && error.message.contains("OPENAI_API_KEY"),
                "names the provider and its variable: {error}"
            );
        }
        other => panic!("expected Failed, got {other:?}"),
    }
    assert!(fake.requests().is_empty(), "nothing was sent");
}

/// The sidebar pages through a long history in its own order (pinned first, then the most
/// recent), each conversation exactly once, and says when the list has ended.
#[tokio::test]
async fn the_sidebar_pages_through_every_conversation_once_in_order() {
    // Conversations only: no key is read, so no keychain is needed.
    let h = Harness::without_keychain_check(keychain::unique_service(), &[]);
    let mut created = Vec::new();
    for _ in 0..250 {
        let view = h
            .engine
            .conversations()
            .create(vec![column("a/one")])
            .await
            .unwrap();
        created.push(view.id);
    }
    // Pinned ones spread through the history, so pinning reorders across page boundaries.
    for id in created.iter().step_by(25) {
        h.engine
            .conversations()
            .pin(id.clone(), true)
            .await
            .unwrap();
    }

    let mut paged = Vec::new();
    let mut after = None;
    let mut pages = Vec::new();
    loop {
        let page = h
            .engine
            .conversations()
            .list_after(after, 100)
            .await
            .unwrap();
        pages.push(page.len());
        let Some(last) = page.last().cloned() else {
            break;
        };
        paged.extend(page);
        after = Some(last);
    }
    assert_eq!(
        pages,
        [100, 100, 50, 0],
        "full pages, the rest, then an empty page"
    );

    let whole = h.engine.conversations().list().await.unwrap();
    assert_eq!(
        paged, whole,
        "the pages join into the whole list, in its order"
    );
    assert_eq!(paged.len(), created.len(), "as many rows as conversations");
    let mut ids: Vec<&str> = paged.iter().map(|c| c.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut expected: Vec<&str> = created.iter().map(ConversationId::as_str).collect();
    expected.sort_unstable();
    assert_eq!(
        ids, expected,
        "every conversation once: no duplicates, no gaps"
    );
    assert!(
        paged[..10].iter().all(|c| c.pinned) && paged[10..].iter().all(|c| !c.pinned),
        "the ten pinned come first"
    );
    assert!(
        paged.windows(2).all(|w| {
            let key = |c: &ConversationSummary| (c.pinned, c.updated_ms, c.id.clone());
            key(&w[0]) > key(&w[1])
        }),
        "strictly descending by (pinned, last activity, id): the order keyset paging relies on"
    );

    let tiny = h.engine.conversations().list_after(None, 0).await.unwrap();
    assert_eq!(tiny.len(), 1, "a limit of 0 still moves forward by one");
}
