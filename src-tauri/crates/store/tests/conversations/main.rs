//! Conversations in a real SQLite file: CRUD, branching, attempts, the search index kept in
//! sync, highlights, a full disk mid-answer, and the export/import tree.

// Test code: a panic with its message is the failure report, in helpers as in tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use switchboard_core::{
    AnswerId, AnswerStatus, ColumnId, ColumnSpec, ConversationId, ModelParams, TurnId,
};
use switchboard_store::{AnswerEnd, DB_FILE, Store, StoreError};

fn open() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join(DB_FILE)).unwrap();
    (dir, store)
}

fn spec(model: &str) -> ColumnSpec {
    ColumnSpec {
        provider: "openrouter".parse().unwrap(),
        model: model.into(),
        params: ModelParams::default(),
    }
}

fn end(content: &str, status: AnswerStatus) -> AnswerEnd {
    AnswerEnd {
        content: content.into(),
        reasoning: String::new(),
        reasoning_details: Vec::new(),
        tool_calls: Vec::new(),
        status,
        error: None,
        ledger_id: None,
        citations: Vec::new(),
    }
}

/// A conversation with two columns and one answered turn; returns (conversation, turn, columns).
fn answered(store: &Store, text: &str, answer: &str) -> (ConversationId, TurnId, Vec<ColumnId>) {
    let id = store
        .create_conversation(&[spec("a/one"), spec("b/two")])
        .unwrap();
    let turn = store.add_turn(&id, None, text, &[]).unwrap();
    let columns: Vec<ColumnId> = store
        .columns(&id)
        .unwrap()
        .into_iter()
        .map(|c| c.0)
        .collect();
    for column in &columns {
        let (a, _) = store.start_answer(&turn, column).unwrap();
        store
            .finish_answer(&a, &end(answer, AnswerStatus::Complete))
            .unwrap();
    }
    (id, turn, columns)
}

#[test]
fn conversations_are_created_listed_renamed_pinned_and_deleted() {
    let (_dir, store) = open();
    let (first, ..) = answered(
        &store,
        "  What   is\n the  tallest mountain on Earth and how was its height measured over time?",
        "Everest.",
    );
    let view = store.conversation_view(&first).unwrap();
    assert_eq!(
        view.title, "What is the tallest mountain on Earth and how was its height…",
        "the title is the first message, collapsed and cut at 60 characters"
    );
    assert_eq!(view.columns.len(), 2, "both columns are there");
    assert_eq!(view.turns[0].answers.len(), 2, "one answer per column");

    let (second, ..) = answered(&store, "Second", "ok");
    let order: Vec<ConversationId> = store
        .conversation_summaries()
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(
        order,
        vec![second.clone(), first.clone()],
        "most recent first"
    );
    store.pin_conversation(&first, true).unwrap();
    let summaries = store.conversation_summaries().unwrap();
    assert_eq!(summaries[0].id, first, "pinned first");

    store.rename_conversation(&first, "Mountains").unwrap();
    store.add_turn(&first, None, "another root", &[]).unwrap();
    assert_eq!(
        store.conversation_view(&first).unwrap().title,
        "Mountains",
        "a renamed title no longer follows the first message"
    );

    store.delete_conversation(&first).unwrap();
    assert!(
        matches!(
            store.conversation_view(&first),
            Err(StoreError::NotFound { .. })
        ),
        "deleted for real"
    );
    assert_eq!(store.conversation_summaries().unwrap().len(), 1, "one left");
}

#[test]
fn editing_branches_and_every_version_and_attempt_stays_selectable() {
    let (_dir, store) = open();
    let (id, first, columns) = answered(&store, "first question", "first answer");
    let second = store
        .add_turn(&id, Some(&first), "second question", &[])
        .unwrap();
    // Edit the second turn: a sibling under the same parent, displayed from now on.
    let edited = store
        .add_turn(&id, Some(&first), "second question, edited", &[])
        .unwrap();
    let view = store.conversation_view(&id).unwrap();
    assert_eq!(view.turns.len(), 2, "the path is root + the edit");
    assert_eq!(view.turns[1].id, edited, "the edit is displayed");
    assert_eq!(
        (view.turns[1].version, view.turns[1].versions),
        (2, 2),
        "version 2 of 2"
    );
    let view = store
        .select_turn_version(&edited, 1)
        .and_then(|c| store.conversation_view(&c))
        .unwrap();
    assert_eq!(view.turns[1].id, second, "the old branch is selectable");

    // Regenerate column 0 of the first turn: attempt 2 is displayed, attempt 1 kept.
    let (again, attempt) = store.start_answer(&first, &columns[0]).unwrap();
    assert_eq!(attempt, 2, "a second attempt");
    store
        .finish_answer(&again, &end("better answer", AnswerStatus::Complete))
        .unwrap();
    let shown = &store.conversation_view(&id).unwrap().turns[0].answers[0];
    assert_eq!(
        (shown.content.as_str(), shown.attempt, shown.attempts),
        ("better answer", 2, 2),
        "the newest attempt is shown"
    );
    store.select_attempt(&again, 1).unwrap();
    let shown = &store.conversation_view(&id).unwrap().turns[0].answers[0];
    assert_eq!(
        (shown.content.as_str(), shown.attempt),
        ("first answer", 1),
        "attempt 1 is selectable again"
    );
    let context = store.context_path(&second, &columns[0]).unwrap();
    assert_eq!(context.len(), 2, "root and the turn answered");
    assert_eq!(
        context[0].answer, "first answer",
        "context uses the displayed attempt"
    );
}

#[test]
fn columns_are_replaced_by_position_and_retired_not_deleted() {
    let (_dir, store) = open();
    let (id, _, columns) = answered(&store, "q", "a");
    store.set_columns(&id, &[spec("c/three")]).unwrap();
    let view = store.conversation_view(&id).unwrap();
    assert_eq!(view.columns[0].id, columns[0], "position 0 keeps its id");
    assert_eq!(view.columns[0].spec.model, "c/three", "with the new model");
    assert!(!view.columns[1].active, "the extra column is retired");
    assert_eq!(view.turns[0].answers.len(), 2, "its history is kept");

    store
        .set_columns(&id, &[spec("c/three"), spec("d/four")])
        .unwrap();
    let view = store.conversation_view(&id).unwrap();
    assert_eq!(view.columns.len(), 3, "a new column is added");
    assert!(view.columns[2].active, "the new one is active");

    store.continue_with_column(&id, &columns[0]).unwrap();
    let active: Vec<bool> = store
        .conversation_view(&id)
        .unwrap()
        .columns
        .iter()
        .map(|c| c.active)
        .collect();
    assert_eq!(
        active,
        vec![true, false, false],
        "only the chosen column stays"
    );
}

#[test]
fn the_search_index_follows_inserts_updates_and_deletes() {
    let (_dir, store) = open();
    let (id, turn, columns) = answered(&store, "tell me about narwhals", "placeholder");
    let hits = store.search("narwhals", 10).unwrap();
    assert_eq!(hits.len(), 1, "the user message is found");
    assert_eq!(hits[0].answer_id, None, "in the turn");
    assert_eq!(hits[0].turn_id, turn);

    let (a, _) = store.start_answer(&turn, &columns[0]).unwrap();
    store
        .save_answer_progress(&a, "tusks are teeth", "")
        .unwrap();
    let hits = store.search("tusks", 10).unwrap();
    assert_eq!(hits.len(), 1, "streamed text is searchable");
    assert_eq!(
        hits[0].answer_id.as_ref().map(AnswerId::as_str),
        Some(a.as_str())
    );
    store
        .finish_answer(&a, &end("spiral ivory", AnswerStatus::Complete))
        .unwrap();
    assert!(
        store.search("tusks", 10).unwrap().is_empty(),
        "replaced text leaves the index"
    );
    assert_eq!(
        store.search("ivor", 10).unwrap().len(),
        1,
        "last word is a prefix"
    );
    assert!(
        store.search("\"unbalanced AND (", 10).is_ok(),
        "FTS syntax in the query is just text"
    );

    store.delete_conversation(&id).unwrap();
    assert!(
        store.search("narwhals", 10).unwrap().is_empty(),
        "deleted conversations are not found"
    );
    assert!(
        store.search("ivory", 10).unwrap().is_empty(),
        "nor their answers"
    );
}

#[test]
fn highlights_are_byte_ranges_of_the_matched_words() {
    let (_dir, store) = open();
    answered(
        &store,
        "Ünïcode prefix words: the crème brûlée recipe <b>not markup</b>",
        "x",
    );
    let hits = store.search("brûlée recipe", 10).unwrap();
    assert_eq!(hits.len(), 1, "one hit");
    let hit = &hits[0];
    let marked: Vec<&str> = hit
        .highlights
        .iter()
        .map(|&(s, e)| &hit.snippet[s as usize..e as usize])
        .collect();
    assert_eq!(
        marked,
        vec!["brûlée", "recipe"],
        "ranges point at the words"
    );
    assert!(
        hit.snippet.contains("<b>not markup</b>"),
        "stored text comes back as plain text: {}",
        hit.snippet
    );
}

#[test]
fn a_full_disk_during_an_answer_update_loses_nothing_saved() {
    let (_dir, store) = open();
    let (_, turn, columns) = answered(&store, "q", "a");
    let (a, _) = store.start_answer(&turn, &columns[0]).unwrap();
    store
        .save_answer_progress(&a, "kept before the disk filled", "")
        .unwrap();
    store.cap_size(0).unwrap();
    let mut saw_full = false;
    let mut text = String::from("kept before the disk filled");
    for i in 0..2_000 {
        text.push_str(&format!(" more words number {i} to fill pages "));
        text.push_str(&"x".repeat(500));
        match store.save_answer_progress(&a, &text, "") {
            Ok(()) => {}
            Err(StoreError::DiskFull) => {
                saw_full = true;
                break;
            }
            Err(other) => panic!("expected DiskFull, got {other}"),
        }
    }
    assert!(saw_full, "the size cap must be hit");
    store.integrity_check().unwrap();
    let view = store
        .conversation_view(&store.answer_conversation(&a).unwrap())
        .unwrap();
    let shown = &view.turns[0].answers[0];
    assert!(
        shown.content.starts_with("kept before the disk filled"),
        "what was saved is still there"
    );
    assert_eq!(shown.status, AnswerStatus::Streaming, "the row is intact");
}

#[test]
fn export_then_import_gives_the_same_tree_with_new_ids() {
    let (_dir, store) = open();
    let (id, first, columns) = answered(&store, "root", "answer");
    store.add_turn(&id, Some(&first), "child", &[]).unwrap();
    store.add_turn(&id, Some(&first), "child v2", &[]).unwrap();
    let (again, _) = store.start_answer(&first, &columns[1]).unwrap();
    store
        .finish_answer(&again, &end("second try", AnswerStatus::Cancelled))
        .unwrap();
    let exported = store.export_conversation(&id).unwrap();
    assert_eq!(exported.turns.len(), 3, "every version is exported");
    let copy = store.import_conversation(&exported).unwrap();
    assert_ne!(copy, id, "a new conversation");
    assert_eq!(
        store.export_conversation(&copy).unwrap(),
        exported,
        "the tree survives a round trip"
    );
    assert_eq!(
        store.interrupt_streaming_answers().unwrap(),
        0,
        "nothing streaming"
    );
}

#[test]
fn hits_are_ranked_by_relevance() {
    let (_dir, store) = open();
    let (_, weak, _) = answered(
        &store,
        "a long message that mentions kiwi once among many other words about fruit and trees",
        "x",
    );
    let (_, strong, _) = answered(&store, "kiwi kiwi kiwi", "y");
    let hits = store.search("kiwi", 10).unwrap();
    let order: Vec<&str> = hits.iter().map(|h| h.turn_id.as_str()).collect();
    assert_eq!(
        order,
        vec![strong.as_str(), weak.as_str()],
        "bm25 puts the denser match first"
    );
}

#[test]
fn a_turn_found_in_its_question_and_every_column_is_one_hit() {
    let (_dir, store) = open();
    // The question and both columns' answers all say "otter".
    let (_, turn, _) = answered(&store, "what is an otter", "an otter is a mustelid");
    let (_, other, _) = answered(&store, "and a sea otter?", "a sea otter floats");
    let hits = store.search("otter", 10).unwrap();
    let mut turns: Vec<&str> = hits.iter().map(|h| h.turn_id.as_str()).collect();
    turns.sort_unstable();
    let mut want = vec![turn.as_str(), other.as_str()];
    want.sort_unstable();
    assert_eq!(turns, want, "one hit per turn, not one per column");
    assert_eq!(
        store.search("otter", 1).unwrap().len(),
        1,
        "the limit counts turns"
    );
}

/// The last word is searched as a prefix through FTS5's prefix indexes (two to four
/// characters) or, longer, by merging the words it starts; either way hits stay ranked and
/// the whole matched word is highlighted.
#[test]
fn prefixes_of_every_length_are_ranked_and_highlight_whole_words() {
    let (_dir, store) = open();
    let (_, weak, _) = answered(
        &store,
        "a long message that mentions kiwifruit once among many other words about trees",
        "x",
    );
    let (_, strong, _) = answered(&store, "kiwifruit kiwifruit kiwis", "y");
    for prefix in ["ki", "kiw", "kiwi", "kiwif", "kiwifruit"] {
        let hits = store.search(prefix, 10).unwrap();
        let order: Vec<&str> = hits.iter().map(|h| h.turn_id.as_str()).collect();
        assert_eq!(
            order,
            [strong.as_str(), weak.as_str()],
            "{prefix}: bm25 order"
        );
        for hit in &hits {
            let marked: Vec<&str> = hit
                .highlights
                .iter()
                .map(|&(s, e)| &hit.snippet[s as usize..e as usize])
                .collect();
            assert!(
                !marked.is_empty() && marked.iter().all(|m| m.starts_with(prefix)),
                "{prefix}: {marked:?} in {:?}",
                hit.snippet
            );
        }
    }
    let hits = store.search("many ki", 10).unwrap();
    assert_eq!(hits.len(), 1, "earlier words are whole words, all required");
    assert_eq!(hits[0].turn_id, weak);
}

/// A one-letter prefix stood for every word starting with that letter: on a long history a
/// search that ranked nothing useful and held the database for half a second.
#[test]
fn a_last_word_of_one_letter_is_matched_whole() {
    let (_dir, store) = open();
    let (_, words, _) = answered(&store, "apples and apricots", "none here");
    let (_, letter, _) = answered(&store, "plan a or plan b", "ok");
    let turns = |q: &str| -> Vec<String> {
        let hits = store.search(q, 10).unwrap();
        hits.into_iter().map(|h| h.turn_id.into_string()).collect()
    };
    assert_eq!(
        turns("a"),
        [letter.as_str()],
        "the word a, not every a-word"
    );
    assert_eq!(
        turns("plan b"),
        [letter.as_str()],
        "the last word is required"
    );
    assert_eq!(turns("ap"), [words.as_str()], "two letters are a prefix");
}

/// The sidebar used to total every conversation before showing the first: a page is now an
/// index range, in the same order and with the same totals as the whole list.
#[test]
fn the_sidebar_pages_through_conversations_in_the_order_of_the_whole_list() {
    let (_dir, store) = open();
    let (first, ..) = answered(&store, "first", "one");
    // Copies share one `updated_ms`, so their order falls to the id.
    let mut doc = store.export_conversation(&first).unwrap();
    doc.updated_ms = 42;
    for _ in 0..4 {
        store.import_conversation(&doc).unwrap();
    }
    let (pinned, ..) = answered(&store, "pinned", "two");
    store.pin_conversation(&pinned, true).unwrap();
    answered(&store, "latest", "three");

    let whole = store.conversation_summaries().unwrap();
    assert_eq!(whole.len(), 7);
    assert_eq!(whole[0].id, pinned, "pinned first");
    let mut paged = Vec::new();
    loop {
        let page = store.conversation_summaries_after(paged.last(), 2).unwrap();
        assert!(page.len() <= 2, "at most the limit");
        if page.is_empty() {
            break;
        }
        paged.extend(page);
    }
    assert_eq!(paged, whole, "the pages, joined, are the whole list");
    assert_eq!(
        store.conversation_summaries_after(None, 3).unwrap()[..],
        whole[..3],
        "the first page"
    );
}

/// Thumbs and the best-of vote used to live only in the page's memory: gone on reopening.
#[test]
fn thumbs_and_the_best_vote_are_kept_with_the_answers_and_do_not_clear_each_other() {
    use switchboard_core::Thumb;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DB_FILE);
    let (id, answers) = {
        let store = Store::open(&path).unwrap();
        let (id, ..) = answered(&store, "Which is better?", "this one");
        let view = store.conversation_view(&id).unwrap();
        let answers: Vec<AnswerId> = view.turns[0].answers.iter().map(|a| a.id.clone()).collect();
        store.set_thumb(&answers[0], Some(Thumb::Up)).unwrap();
        store.set_thumb(&answers[1], Some(Thumb::Down)).unwrap();
        store.set_best(&answers[1], true).unwrap();
        (id, answers)
    };
    let store = Store::open(&path).unwrap();
    let view = store.conversation_view(&id).unwrap();
    let a = &view.turns[0].answers;
    assert_eq!((a[0].thumb, a[0].best), (Some(Thumb::Up), false));
    assert_eq!(
        (a[1].thumb, a[1].best),
        (Some(Thumb::Down), true),
        "picking the best kept the earlier thumb"
    );
    // A later vote moves "best" to the other answer of the turn; thumbs stay.
    store.set_best(&answers[0], true).unwrap();
    let view = store.conversation_view(&id).unwrap();
    let a = &view.turns[0].answers;
    assert_eq!((a[0].best, a[1].best), (true, false));
    assert_eq!(
        (a[0].thumb, a[1].thumb),
        (Some(Thumb::Up), Some(Thumb::Down))
    );
    store.set_thumb(&answers[0], None).unwrap();
    assert_eq!(
        store.conversation_view(&id).unwrap().turns[0].answers[0].thumb,
        None
    );
    assert!(matches!(
        store.set_thumb(&AnswerId::from("no-such-answer"), Some(Thumb::Up)),
        Err(StoreError::NotFound { .. })
    ));
}

/// An answer refused before anything was sent (a budget, no key) said "cost unknown".
#[test]
fn an_answer_refused_before_sending_costs_nothing_and_says_it_was_not_sent() {
    let (_dir, store) = open();
    let id = store.create_conversation(&[spec("a/one")]).unwrap();
    let turn = store.add_turn(&id, None, "hello", &[]).unwrap();
    let column = store.columns(&id).unwrap()[0].0.clone();
    let (a, _) = store.start_answer(&turn, &column).unwrap();
    store
        .finish_answer(&a, &end("", AnswerStatus::Failed))
        .unwrap();
    let stats = &store.conversation_view(&id).unwrap().turns[0].answers[0].stats;
    assert_eq!(stats.cost_source, "not_sent");
    assert_eq!(stats.cost.unwrap().to_string(), "0");
    assert_eq!(stats.attempts, 0);
    let view = store.conversation_view(&id).unwrap();
    assert_eq!(
        (view.unknown_costs, view.total_cost.to_string().as_str()),
        (0, "0")
    );
}

#[test]
fn citations_are_kept_with_the_answer() {
    use switchboard_core::Citation;
    let (_dir, store) = open();
    let id = store.create_conversation(&[spec("a/one")]).unwrap();
    let turn = store.add_turn(&id, None, "news?", &[]).unwrap();
    let column = store.columns(&id).unwrap()[0].0.clone();
    let (a, _) = store.start_answer(&turn, &column).unwrap();
    let mut ended = end("See the report.", AnswerStatus::Complete);
    ended.citations = vec![Citation {
        url: "https://example.com/report".into(),
        title: Some("The report".into()),
    }];
    store.finish_answer(&a, &ended).unwrap();
    let view = store.conversation_view(&id).unwrap();
    assert_eq!(view.turns[0].answers[0].citations, ended.citations);
}
