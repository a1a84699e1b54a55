//! The file tools against real temporary folders.

use super::*;

struct Fixture {
    // The shared folder and its sibling; dropped (deleted) with the fixture.
    dirs: [tempfile::TempDir; 2],
    list: ListFiles,
    read: ReadFile,
    outside: PathBuf,
}

/// A shared folder with a few files, and a secret in a sibling folder.
async fn fixture() -> Fixture {
    let shared = tempfile::tempdir().unwrap();
    let other = tempfile::tempdir().unwrap();
    let root = shared.path();
    std::fs::create_dir_all(root.join("src")).unwrap();
    std::fs::write(root.join("src/main.rs"), "fn main() {}\n").unwrap();
    std::fs::write(root.join("README.md"), "# hello\n").unwrap();
    std::fs::create_dir_all(root.join("node_modules/left-pad")).unwrap();
    std::fs::write(root.join("node_modules/left-pad/index.js"), "x").unwrap();
    std::fs::create_dir_all(root.join(".git")).unwrap();
    std::fs::write(root.join(".git/HEAD"), "ref").unwrap();
    let outside = other.path().join("secret.txt");
    std::fs::write(&outside, "top secret").unwrap();
    let (list, read) = open(root).await.unwrap();
    Fixture {
        dirs: [shared, other],
        list,
        read,
        outside,
    }
}

fn root(f: &Fixture) -> &Path {
    f.dirs[0].path()
}

async fn read(f: &Fixture, path: &str) -> Result<String, AgentError> {
    f.read.call(json!({ "path": path })).await
}

#[tokio::test]
async fn lists_recursively_relative_to_the_folder_skipping_heavy_dirs() {
    let f = fixture().await;
    let out = f.list.call(json!({})).await.unwrap();
    assert_eq!(
        out,
        ".git/ (not listed)\nREADME.md\nnode_modules/ (not listed)\nsrc/\nsrc/main.rs"
    );
    let sub = f.list.call(json!({ "path": "src" })).await.unwrap();
    assert_eq!(
        sub, "src/main.rs",
        "paths stay relative to the shared folder"
    );
}

#[tokio::test]
async fn listing_stops_at_the_cap_and_says_so() {
    let f = fixture().await;
    let many = root(&f).join("many");
    std::fs::create_dir(&many).unwrap();
    for i in 0..MAX_ENTRIES + 10 {
        std::fs::write(many.join(format!("{i:04}.txt")), "").unwrap();
    }
    let out = f.list.call(json!({ "path": "many" })).await.unwrap();
    assert_eq!(out.lines().count(), MAX_ENTRIES + 1);
    assert!(out.ends_with("list a subfolder to see more]"), "{out}");
}

#[tokio::test]
async fn reads_a_text_file() {
    let f = fixture().await;
    assert_eq!(read(&f, "src/main.rs").await.unwrap(), "fn main() {}\n");
    assert_eq!(read(&f, "./README.md").await.unwrap(), "# hello\n");
}

#[tokio::test]
async fn parent_and_absolute_paths_are_refused() {
    let f = fixture().await;
    let err = read(&f, "../secret.txt").await.unwrap_err();
    assert!(err.to_string().contains("\"..\" is not allowed"), "{err}");
    let err = read(&f, "src/../../x").await.unwrap_err();
    assert!(err.to_string().contains("\"..\" is not allowed"), "{err}");
    let absolute = f.outside.to_string_lossy().into_owned();
    let err = read(&f, &absolute).await.unwrap_err();
    assert!(err.to_string().contains("is absolute"), "{err}");
    let err = f.list.call(json!({ "path": "/" })).await.unwrap_err();
    assert!(err.to_string().contains("is absolute"), "{err}");
}

#[cfg(unix)]
#[tokio::test]
async fn symlinks_leading_outside_are_refused() {
    let f = fixture().await;
    std::os::unix::fs::symlink(&f.outside, root(&f).join("link.txt")).unwrap();
    std::os::unix::fs::symlink(f.outside.parent().unwrap(), root(&f).join("elsewhere")).unwrap();
    let err = read(&f, "link.txt").await.unwrap_err();
    assert!(
        err.to_string().contains("leads outside the folder"),
        "{err}"
    );
    let err = read(&f, "elsewhere/secret.txt").await.unwrap_err();
    assert!(
        err.to_string().contains("leads outside the folder"),
        "{err}"
    );
    let err = f
        .list
        .call(json!({ "path": "elsewhere" }))
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("leads outside the folder"),
        "{err}"
    );
    // A link that stays inside is fine.
    std::os::unix::fs::symlink(root(&f).join("README.md"), root(&f).join("readme")).unwrap();
    assert_eq!(read(&f, "readme").await.unwrap(), "# hello\n");
}

#[tokio::test]
async fn binary_files_are_refused() {
    let f = fixture().await;
    std::fs::write(root(&f).join("logo.png"), b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap();
    let err = read(&f, "logo.png").await.unwrap_err();
    assert!(err.to_string().contains("binary"), "{err}");
}

#[tokio::test]
async fn large_files_are_truncated_with_a_note() {
    let f = fixture().await;
    // "é" is two bytes, so the cap falls in the middle of a character.
    let big = format!("a{}", "é".repeat(MAX_READ_BYTES));
    std::fs::write(root(&f).join("big.txt"), &big).unwrap();
    let out = read(&f, "big.txt").await.unwrap();
    let (body, note) = out.split_once("\n\n[truncated").unwrap();
    assert_eq!(
        body.len(),
        MAX_READ_BYTES - 1,
        "the half character is dropped"
    );
    assert!(
        !body.contains('\u{FFFD}'),
        "no replacement character at the cut"
    );
    assert!(note.contains(&big.len().to_string()), "{note}");
}

#[tokio::test]
async fn missing_files_and_folders_in_the_wrong_tool_are_explained() {
    let f = fixture().await;
    let err = read(&f, "nope.txt").await.unwrap_err();
    assert!(err.to_string().contains("does not exist"), "{err}");
    let err = read(&f, "src").await.unwrap_err();
    assert!(err.to_string().contains("use list_files"), "{err}");
    let err = f.read.call(json!({})).await.unwrap_err();
    assert!(err.to_string().contains("path"), "{err}");
}

#[tokio::test]
async fn the_folder_must_be_chosen_exist_and_be_a_folder() {
    let err = open(Path::new("")).await.err().unwrap();
    assert!(
        matches!(&err, AgentError::Invalid(m) if m.starts_with("choose a folder")),
        "{err}"
    );
    let dir = tempfile::tempdir().unwrap();
    let err = open(&dir.path().join("gone")).await.err().unwrap();
    assert!(
        matches!(&err, AgentError::Invalid(m) if m.contains("does not exist")),
        "{err}"
    );
    let file = dir.path().join("f.txt");
    std::fs::write(&file, "").unwrap();
    let err = open(&file).await.err().unwrap();
    assert!(
        matches!(&err, AgentError::Invalid(m) if m.contains("not a folder")),
        "{err}"
    );
    let err = open(Path::new("relative/dir")).await.err().unwrap();
    assert!(
        matches!(&err, AgentError::Invalid(m) if m.contains("full path")),
        "{err}"
    );
}

#[cfg(unix)]
#[tokio::test]
async fn a_fifo_is_refused_at_once_rather_than_waited_on() {
    let f = fixture().await;
    let fifo = root(&f).join("pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success(), "mkfifo failed");
    // Without a writer, a plain open of the FIFO never returns.
    let Ok(outcome) = tokio::time::timeout(Duration::from_secs(10), read(&f, "pipe")).await else {
        // Release the stuck reader so the test fails instead of hanging the runtime.
        let _ = std::fs::OpenOptions::new().write(true).open(&fifo);
        panic!("read_file on a FIFO hung");
    };
    let err = outcome.unwrap_err();
    assert!(
        err.to_string().contains("not a regular file"),
        "the model is told why: {err}"
    );
    let listed = f.list.call(json!({})).await.unwrap();
    assert!(listed.contains("pipe"), "listing still shows it: {listed}");
}

#[cfg(unix)]
#[tokio::test]
async fn a_hard_link_to_an_outside_file_is_refused() {
    let f = fixture().await;
    std::fs::hard_link(&f.outside, root(&f).join("linked.txt")).unwrap();
    let err = read(&f, "linked.txt").await.unwrap_err();
    assert!(
        err.to_string().contains("has 2 hard links"),
        "canonicalizing cannot see where a hard link leads, so it is refused: {err}"
    );
    assert!(!err.to_string().contains("top secret"), "{err}");
}

#[test]
fn the_root_and_the_whole_home_folder_are_too_broad_to_share() {
    let home = tempfile::tempdir().unwrap();
    let project = home.path().join("project");
    std::fs::create_dir(&project).unwrap();
    for too_broad in [Path::new("/"), home.path(), home.path().parent().unwrap()] {
        let err = Folder::open(too_broad, Some(home.path())).err().unwrap();
        assert!(
            matches!(&err, AgentError::Invalid(m) if m.contains("too much to share")),
            "{}: {err}",
            too_broad.display()
        );
    }
    assert!(
        Folder::open(&project, Some(home.path())).is_ok(),
        "a folder inside the home folder is fine"
    );
    // The same judgement on the path as written, for saving a spec.
    assert!(check_root(Path::new("/"), None).is_err());
    assert!(check_root(home.path(), Some(home.path())).is_err());
    assert!(check_root(&project, Some(home.path())).is_ok());
}

#[tokio::test]
async fn a_file_call_that_hangs_gives_up_at_its_limit() {
    let started = std::time::Instant::now();
    let err = blocking(READ, Duration::from_millis(100), || {
        std::thread::sleep(Duration::from_secs(1));
        Ok("late".to_owned())
    })
    .await
    .unwrap_err();
    assert!(err.to_string().contains("gave up after"), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "the task went on without the stuck call"
    );
}

#[tokio::test]
async fn both_tools_are_read_only() {
    let spec = |t: &dyn Tool| (t.spec().name, t.side_effects());
    let dir = tempfile::tempdir().unwrap();
    let (list, read) = open(dir.path()).await.unwrap();
    assert_eq!(spec(&list), ("list_files".to_owned(), false));
    assert_eq!(spec(&read), ("read_file".to_owned(), false));
}
