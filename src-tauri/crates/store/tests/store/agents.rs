//! Agents, their memory and runs, and MCP servers, in a real SQLite file.

use switchboard_core::{RunId, RunStatus};
use switchboard_store::{Store, StoreError};

use super::temp_db;

#[test]
fn agents_are_created_renamed_with_their_memory_and_deleted() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path).unwrap();
    store.put_agent(None, "reviewer", "{\"v\":1}").unwrap();
    assert!(matches!(
        store.put_agent(None, "reviewer", "{}"),
        Err(StoreError::Duplicate { .. })
    ));
    store
        .put_agent_memory("reviewer", "{\"pinned\":[\"tabs\"]}")
        .unwrap();
    store
        .put_agent(Some("reviewer"), "Reviewer", "{\"v\":2}")
        .unwrap();
    assert_eq!(
        store.agent("Reviewer").unwrap(),
        ("{\"v\":2}".to_owned(), "{\"pinned\":[\"tabs\"]}".to_owned())
    );
    assert!(matches!(
        store.agent("reviewer"),
        Err(StoreError::NotFound { .. })
    ));
    store.put_agent(None, "another", "{}").unwrap();
    assert!(matches!(
        store.put_agent(Some("another"), "Reviewer", "{}"),
        Err(StoreError::Duplicate { .. })
    ));
    let names: Vec<String> = store.agents().unwrap().into_iter().map(|a| a.0).collect();
    assert_eq!(names, ["another", "Reviewer"]);
    store.delete_agent("Reviewer").unwrap();
    assert!(matches!(
        store.delete_agent("Reviewer"),
        Err(StoreError::NotFound { .. })
    ));
}

#[test]
fn a_run_cut_short_by_a_crash_keeps_its_report_and_is_marked_interrupted() {
    let (_dir, path) = temp_db();
    {
        let store = Store::open(&path).unwrap();
        let (r1, r2) = (RunId::from("r1"), RunId::from("r2"));
        store
            .start_run(&r1, "reviewer", "{\"title\":\"a\"}")
            .unwrap();
        store
            .save_run(&r1, "{\"steps\":[1]}", RunStatus::Running)
            .unwrap();
        store
            .start_run(&r2, "reviewer", "{\"title\":\"b\"}")
            .unwrap();
        store
            .save_run(&r2, "{\"steps\":[]}", RunStatus::Done)
            .unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.interrupt_running_runs().unwrap(), 1);
    let runs = store.runs(Some("reviewer"), 10).unwrap();
    let r1 = runs.iter().find(|r| r.id.as_str() == "r1").unwrap();
    assert_eq!(r1.status.as_str(), "interrupted");
    assert_eq!(r1.report.as_deref(), Some("{\"steps\":[1]}"));
    assert!(r1.finished_ms.is_some());
    assert_eq!(
        runs.iter()
            .find(|r| r.id.as_str() == "r2")
            .unwrap()
            .status
            .as_str(),
        "done"
    );
    assert!(store.runs(Some("nobody"), 10).unwrap().is_empty());
    assert_eq!(store.runs(None, 1).unwrap().len(), 1);
}

/// A status word this version does not know (a newer version wrote it) lists the run as
/// interrupted, report kept, instead of failing the whole list.
#[test]
fn an_unknown_stored_status_lists_as_interrupted_and_the_rest_still_list() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path).unwrap();
    store
        .start_run(&RunId::from("new"), "reviewer", "{}")
        .unwrap();
    store
        .save_run(&RunId::from("new"), "{\"steps\":[2]}", RunStatus::Done)
        .unwrap();
    store
        .start_run(&RunId::from("old"), "reviewer", "{}")
        .unwrap();
    {
        // Stands in for a newer version's migration, which would widen the CHECK.
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "ignore_check_constraints", true)
            .unwrap();
        conn.execute(
            "UPDATE agent_run SET status = 'paused', report = '{}' WHERE id = 'new'",
            [],
        )
        .unwrap();
    }
    let runs = store.runs(None, 10).unwrap();
    let new = runs.iter().find(|r| r.id.as_str() == "new").unwrap();
    assert_eq!(new.status, RunStatus::Interrupted);
    assert_eq!(new.report.as_deref(), Some("{}"));
    let old = runs.iter().find(|r| r.id.as_str() == "old").unwrap();
    assert_eq!(old.status, RunStatus::Running);
}

#[test]
fn mcp_servers_are_replaced_by_name() {
    let (_dir, path) = temp_db();
    let store = Store::open(&path).unwrap();
    store.put_mcp_server("files", "{\"v\":1}").unwrap();
    store.put_mcp_server("files", "{\"v\":2}").unwrap();
    assert_eq!(
        store.mcp_servers().unwrap(),
        [("files".to_owned(), "{\"v\":2}".to_owned())]
    );
    store.delete_mcp_server("files").unwrap();
    assert!(store.mcp_servers().unwrap().is_empty());
}
