//! `list_files` and `read_file`: one folder the user chose, read-only, and nothing outside it.
//!
//! Every path is resolved against the folder and canonicalized (which follows symlinks) before
//! use, then checked to still lie inside the canonical folder; `..` and absolute paths are
//! refused up front so the error says what was wrong rather than "outside the folder". The
//! file system is blocking, so each call runs on tokio's blocking pool.

use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use serde_json::json;
use switchboard_core::ToolSpec;
use walkdir::WalkDir;

use super::{Tool, ToolFuture};
use crate::AgentError;

const LIST: &str = "list_files";
const READ: &str = "read_file";

/// More than a model can use in one turn; it can read the rest by asking for a subfolder.
const MAX_ENTRIES: usize = 500;
/// About 64k tokens of text: plenty for source files, and one call cannot flood the context.
const MAX_READ_BYTES: usize = 256 * 1024;
/// Folders that are large, generated and almost never what the user meant.
const SKIPPED_DIRS: [&str; 3] = [".git", "node_modules", "target"];

/// Opens the folder of a [`ToolGrant::ReadFiles`](crate::ToolGrant::ReadFiles) grant.
pub(super) async fn open(root: &Path) -> Result<(ListFiles, ReadFile), AgentError> {
    if root.as_os_str().is_empty() {
        return Err(AgentError::Invalid(
            "choose a folder for the file tools (list_files, read_file)".to_owned(),
        ));
    }
    let given = root.to_owned();
    let folder = tokio::task::spawn_blocking(move || Folder::open(&given))
        .await
        .map_err(|e| AgentError::Invalid(format!("could not open the folder: {e}")))??;
    let folder = Arc::new(folder);
    Ok((
        ListFiles {
            folder: Arc::clone(&folder),
        },
        ReadFile { folder },
    ))
}

/// The canonical folder both tools read from.
struct Folder {
    root: PathBuf,
}

impl Folder {
    fn open(given: &Path) -> Result<Self, AgentError> {
        // A relative folder would depend on the app's working directory, which the user never
        // chose.
        if !given.is_absolute() {
            return Err(AgentError::Invalid(format!(
                "the folder for the file tools must be a full path, not {}",
                given.display()
            )));
        }
        let root = std::fs::canonicalize(given).map_err(|e| {
            AgentError::Invalid(match e.kind() {
                std::io::ErrorKind::NotFound => {
                    format!(
                        "the folder {} does not exist; choose another",
                        given.display()
                    )
                }
                _ => format!("cannot open the folder {}: {e}", given.display()),
            })
        })?;
        if !root.is_dir() {
            return Err(AgentError::Invalid(format!(
                "{} is a file, not a folder; choose a folder for the file tools",
                given.display()
            )));
        }
        Ok(Self { root })
    }

    /// The canonical path of `relative`, which must exist and lie inside the folder.
    fn resolve(&self, tool: &str, relative: &str) -> Result<PathBuf, AgentError> {
        let path = Path::new(relative);
        for component in path.components() {
            match component {
                Component::Normal(_) | Component::CurDir => {}
                Component::ParentDir => {
                    return Err(AgentError::tool(
                        tool,
                        format!(
                            "{relative:?}: \"..\" is not allowed; paths stay inside the folder"
                        ),
                    ));
                }
                Component::RootDir | Component::Prefix(_) => {
                    return Err(AgentError::tool(
                        tool,
                        format!("{relative:?} is absolute; give a path relative to the folder"),
                    ));
                }
            }
        }
        let canonical = std::fs::canonicalize(self.root.join(path)).map_err(|e| {
            AgentError::tool(
                tool,
                match e.kind() {
                    std::io::ErrorKind::NotFound => format!("{relative:?} does not exist"),
                    _ => format!("cannot open {relative:?}: {e}"),
                },
            )
        })?;
        // Only a symlink gets here with a path outside: `..` and absolute paths were refused.
        if !canonical.starts_with(&self.root) {
            return Err(AgentError::tool(
                tool,
                format!("{relative:?} leads outside the folder (through a link) and is refused"),
            ));
        }
        Ok(canonical)
    }

    /// `path` relative to the folder with `/` separators, as the model passes it back.
    fn display(&self, path: &Path) -> String {
        let relative = path.strip_prefix(&self.root).unwrap_or(path);
        relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/")
    }

    fn list(&self, relative: &str) -> Result<String, AgentError> {
        let dir = self.resolve(LIST, relative)?;
        if !dir.is_dir() {
            return Err(AgentError::tool(
                LIST,
                format!("{relative:?} is a file; use read_file to read it"),
            ));
        }
        let mut lines = Vec::new();
        let mut stopped_early = false;
        // Links are listed but not followed, so a link cannot pull outside files into the list.
        let mut walk = WalkDir::new(&dir)
            .min_depth(1)
            .follow_links(false)
            .sort_by_file_name()
            .into_iter();
        while let Some(entry) = walk.next() {
            // An unreadable entry (permissions, a race with deletion) should not hide the rest.
            let Ok(entry) = entry else { continue };
            if lines.len() == MAX_ENTRIES {
                stopped_early = true;
                break;
            }
            let name = self.display(entry.path());
            if entry.file_type().is_dir() {
                if SKIPPED_DIRS.iter().any(|s| entry.file_name() == *s) {
                    walk.skip_current_dir();
                    lines.push(format!("{name}/ (not listed)"));
                } else {
                    lines.push(format!("{name}/"));
                }
            } else {
                lines.push(name);
            }
        }
        if lines.is_empty() {
            return Ok("(the folder is empty)".to_owned());
        }
        if stopped_early {
            lines.push(format!(
                "[stopped after {MAX_ENTRIES} entries; list a subfolder to see more]"
            ));
        }
        Ok(lines.join("\n"))
    }

    fn read(&self, relative: &str) -> Result<String, AgentError> {
        let path = self.resolve(READ, relative)?;
        if path.is_dir() {
            return Err(AgentError::tool(
                READ,
                format!("{relative:?} is a folder; use list_files to see what is in it"),
            ));
        }
        let io_error = |e: std::io::Error| AgentError::tool(READ, format!("{relative:?}: {e}"));
        let file = std::fs::File::open(&path).map_err(io_error)?;
        let size = file.metadata().map_err(io_error)?.len();
        let mut bytes = Vec::new();
        // One byte past the cap tells "exactly the cap" from "more than the cap".
        file.take(MAX_READ_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(io_error)?;
        let truncated = bytes.len() > MAX_READ_BYTES;
        bytes.truncate(MAX_READ_BYTES);
        if bytes.contains(&0) {
            return Err(AgentError::tool(
                READ,
                format!("{relative:?} is a binary file; only text files can be read"),
            ));
        }
        let mut text = decode(bytes, truncated);
        if truncated {
            text.push_str(&format!(
                "\n\n[truncated: showed the first {} KiB of {size} bytes]",
                MAX_READ_BYTES / 1024
            ));
        }
        Ok(text)
    }
}

/// UTF-8 text, dropping a character the cap cut in half and replacing other invalid bytes.
fn decode(mut bytes: Vec<u8>, truncated: bool) -> String {
    if truncated
        && let Err(e) = std::str::from_utf8(&bytes)
        && e.error_len().is_none()
    {
        bytes.truncate(e.valid_up_to());
    }
    match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}

/// Runs blocking file work off the async threads.
async fn blocking<F>(tool: &'static str, work: F) -> Result<String, AgentError>
where
    F: FnOnce() -> Result<String, AgentError> + Send + 'static,
{
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| AgentError::tool(tool, format!("the file task failed: {e}")))?
}

fn path_arg(args: &serde_json::Value) -> Option<String> {
    args.get("path")
        .and_then(serde_json::Value::as_str)
        .map(str::to_owned)
}

/// `list_files`.
pub(super) struct ListFiles {
    folder: Arc<Folder>,
}

impl Tool for ListFiles {
    fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: LIST.to_owned(),
            description: Some(format!(
                "Lists the files in the folder the user shared, recursively, one path per line \
                 relative to that folder (folders end in \"/\"). .git, node_modules and target \
                 are not descended into. Stops after {MAX_ENTRIES} entries. Pass the paths to \
                 read_file."
            )),
            parameters: json!({
                "type": "object",
                "properties": {
                    "path": {
                        "type": "string",
                        "description": "A subfolder to list, relative to the shared folder, e.g. \"src\". Omit to list everything."
                    }
                },
                "additionalProperties": false
            }),
        }
    }

    fn side_effects(&self) -> bool {
        false
    }

    fn call(&self, args: serde_json::Value) -> ToolFuture<'_> {
        let folder = Arc::clone(&self.folder);
        Box::pin(async move {
            let relative = path_arg(&args).unwrap_or_default();
            blocking(LIST, move || folder.list(&relative)).await
        })
    }
}

/// `read_file`.
pub(super) struct ReadFile {
    folder: Arc<Folder>,
}

impl Tool for ReadFile {
    fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: READ.to_owned(),
            description: Some(format!(
                "Reads one text file from the folder the user shared. Files over {} KiB are cut \
                 off (the result says so); binary files are refused.",
                MAX_READ_BYTES / 1024
            )),
            parameters: json!({
                "type": "object",
                "properties": {
                    "path": {
                        "type": "string",
                        "description": "The file, relative to the shared folder, as list_files prints it, e.g. \"src/main.rs\"."
                    }
                },
                "required": ["path"],
                "additionalProperties": false
            }),
        }
    }

    fn side_effects(&self) -> bool {
        false
    }

    fn call(&self, args: serde_json::Value) -> ToolFuture<'_> {
        let folder = Arc::clone(&self.folder);
        Box::pin(async move {
            let relative = path_arg(&args)
                .ok_or_else(|| AgentError::tool(READ, "expected {\"path\": \"…\"}"))?;
            blocking(READ, move || folder.read(&relative)).await
        })
    }
}

#[cfg(test)]
mod tests {
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
        std::os::unix::fs::symlink(f.outside.parent().unwrap(), root(&f).join("elsewhere"))
            .unwrap();
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

    #[tokio::test]
    async fn both_tools_are_read_only() {
        let spec = |t: &dyn Tool| (t.spec().name, t.side_effects());
        let dir = tempfile::tempdir().unwrap();
        let (list, read) = open(dir.path()).await.unwrap();
        assert_eq!(spec(&list), ("list_files".to_owned(), false));
        assert_eq!(spec(&read), ("read_file".to_owned(), false));
    }
}
