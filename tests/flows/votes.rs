//! Votes and thumbs in Chat teach the smart strategy: after a week's worth of comparisons on
//! one task type in which one model keeps winning, the learned view ranks it first for that
//! task type (and only that one), and a smart route picks it.

use std::time::Duration;

use switchboard_engine::core::{
    AnswerId, BuiltinProvider, ChatEvent, ColumnId, ColumnSpec, ConversationId, ModelParams,
};
use switchboard_engine::router::{RouteRequest, Signal};
use switchboard_engine::{DataDir, Engine, EngineConfig, Environment};
use switchboard_tests::FakeUpstream;
use tokio::sync::mpsc;

use crate::keys::Harness;

const KEY: &str = "sk-flows-votes-key-00000000000001";
const WINNER: &str = "openai/gpt-4o-mini";
const LOSER: &str = "openai/gpt-4o";

fn column(model: &str, task: &str) -> ColumnSpec {
    ColumnSpec {
        provider: BuiltinProvider::OpenRouter.id(),
        model: model.into(),
        params: ModelParams {
            task: Some(task.into()),
            ..ModelParams::default()
        },
    }
}

/// Sends `text` to both columns; returns (answer id, column id) of each answer.
async fn compare(
    h: &Harness,
    conversation: &ConversationId,
    text: &str,
) -> Vec<(AnswerId, ColumnId)> {
    let (tx, mut rx) = mpsc::channel(256);
    h.engine
        .conversations()
        .send(conversation.clone(), text.into(), Vec::new(), tx)
        .await
        .unwrap();
    let (mut started, mut ended) = (Vec::new(), 0);
    while ended < 2 {
        let event = tokio::time::timeout(Duration::from_secs(30), rx.recv())
            .await
            .unwrap()
            .unwrap();
        match event {
            ChatEvent::Started {
                answer_id,
                column_id,
                ..
            } => started.push((answer_id, column_id)),
            ChatEvent::Finished { .. } | ChatEvent::Failed { .. } => ended += 1,
            _ => {}
        }
    }
    started
}

#[tokio::test]
async fn a_weeks_votes_for_one_model_make_the_router_follow_them_for_that_task_type() {
    let fake = FakeUpstream::start(KEY);
    let Some(h) = Harness::openrouter(&fake, KEY) else {
        return;
    };
    h.engine.models().catalogue(true).await.unwrap(); // prices, for the priors
    h.engine
        .routing()
        .import(&format!(
            r#"
[[routes]]
name = "review"
strategy = "smart"
cost_weight = 0.0
[[routes.targets]]
provider = "openrouter"
model = "{LOSER}"
[[routes.targets]]
provider = "openrouter"
model = "{WINNER}"
"#
        ))
        .await
        .unwrap();
    let view = h
        .engine
        .conversations()
        .create(vec![column(LOSER, "review"), column(WINNER, "review")])
        .await
        .unwrap();
    let winner_column = view.columns[1].id.clone();

    // Nothing is known about review requests yet.
    let before = h.engine.routing().learned_preferences().await;
    assert!(before.iter().all(|t| t.task != "review"), "{before:?}");

    for day in 0..14 {
        let answers = compare(&h, &view.id, &format!("review this, day {day}")).await;
        assert_eq!(answers.len(), 2);
        for (answer, column) in answers {
            let signal = if column == winner_column {
                Signal::WonComparison
            } else {
                Signal::LostComparison
            };
            h.engine
                .routing()
                .rate_answer(answer, signal)
                .await
                .unwrap();
        }
    }
    // A thumb on another task type is kept apart.
    let other = h
        .engine
        .conversations()
        .create(vec![column(LOSER, "chat")])
        .await
        .unwrap();
    let answers = compare_one(&h, &other.id).await;
    h.engine
        .routing()
        .rate_answer(answers, Signal::ThumbUp)
        .await
        .unwrap();

    let learned = h.engine.routing().learned_preferences().await;
    let review = learned
        .iter()
        .find(|t| t.task == "review")
        .expect("learned");
    assert_eq!(review.models[0].model, WINNER, "{review:?}");
    assert!(review.models[0].pick_share > 0.95, "{review:?}");
    assert!(review.models[0].good >= 14.0 && review.models[1].bad >= 14.0);
    let chat = learned.iter().find(|t| t.task == "chat").expect("learned");
    assert_eq!(
        chat.models[0].model, LOSER,
        "votes on review do not leak into chat"
    );

    // The smart route now sends review requests to the winner (Thompson sampling still
    // explores, so count: nearly every time).
    let mut chosen = 0;
    for _ in 0..50 {
        let d = h
            .engine
            .routing()
            .explain(RouteRequest {
                route: Some("review".into()),
                task: Some("review".into()),
                prompt_tokens: 100,
                ..RouteRequest::default()
            })
            .await
            .unwrap();
        chosen += usize::from(d.order[0].model == WINNER);
    }
    assert!(chosen >= 45, "winner chosen {chosen} of 50");

    // What was learned is kept: a second engine opened on the same data directory (as after
    // a restart) knows it.
    let again = Engine::open(EngineConfig {
        data_dir: DataDir::at(h.dir.path()),
        keychain_service: h.service.clone(),
        environment: Environment::from_pairs([("OPENROUTER_API_KEY", KEY)]),
    })
    .unwrap();
    let learned = again.routing().learned_preferences().await;
    let review = learned.iter().find(|t| t.task == "review").unwrap();
    assert_eq!(review.models[0].model, WINNER);
}

async fn compare_one(h: &Harness, conversation: &ConversationId) -> AnswerId {
    let (tx, mut rx) = mpsc::channel(256);
    h.engine
        .conversations()
        .send(conversation.clone(), "hello".into(), Vec::new(), tx)
        .await
        .unwrap();
    let mut id = None;
    loop {
        match tokio::time::timeout(Duration::from_secs(30), rx.recv())
            .await
            .unwrap()
            .unwrap()
        {
            ChatEvent::Started { answer_id, .. } => id = Some(answer_id),
            ChatEvent::Finished { .. } | ChatEvent::Failed { .. } => break,
            _ => {}
        }
    }
    id.unwrap()
}
