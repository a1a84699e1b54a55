//! `list_files` and `read_file`: one folder the user chose, read-only, and nothing outside it.
//!
//! Every path is resolved against the folder and canonicalized (which follows symlinks) before
//! use, then checked to still lie inside the canonical folder; `..` and absolute paths are
//! refused up front so the error says what was wrong rather than "outside the folder".
//! Canonical paths cannot see hard links, so a file with more than one link is refused: one of
//! its other names may lie outside the folder. Only regular files are read (a FIFO would block
//! for ever, a device could be endless). The file system is blocking, so each call runs on
//! tokio's blocking pool under a time limit.

use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

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
/// A local read or a 500-entry listing takes milliseconds; a call still running after this is
/// stuck (a hung network mount, a file system that blocks), and the task should go on.
const CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// Opens the folder of a [`ToolGrant::ReadFiles`](crate::ToolGrant::ReadFiles) grant.
pub(super) async fn open(root: &Path) -> Result<(ListFiles, ReadFile), AgentError> {
    if root.as_os_str().is_empty() {
        return Err(AgentError::Invalid(
            "choose a folder for the file tools (list_files, read_file)".to_owned(),
        ));
    }
    let given = root.to_owned();
    let home = std::env::home_dir();
    let folder = tokio::task::spawn_blocking(move || Folder::open(&given, home.as_deref()))
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

/// `Err` when `root` is plainly the whole system or the user's home folder, judged from the
/// path as written (for saving a spec; opening the folder checks the real, canonical path).
pub(crate) fn check_root(root: &Path, home: Option<&Path>) -> Result<(), TooBroad> {
    let whole_home = home.is_some_and(|h| h.starts_with(root) && root.components().count() > 0);
    if root.is_absolute() && (root.parent().is_none() || whole_home) {
        return Err(TooBroad(root.to_owned()));
    }
    Ok(())
}

/// A folder that holds the whole system or the user's whole home folder: sharing it shares
/// everything (keys, browser profiles, other users' files).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{} holds the whole system or your whole home folder, which is too much to share; \
     choose the project or documents folder the agent needs",
    .0.display()
)]
pub(crate) struct TooBroad(PathBuf);

impl From<TooBroad> for AgentError {
    fn from(e: TooBroad) -> Self {
        Self::Invalid(e.to_string())
    }
}

/// The canonical folder both tools read from.
struct Folder {
    root: PathBuf,
}

impl Folder {
    /// `home` is the user's home folder: it and the folders above it are refused, since
    /// sharing them shares everything (keys, browser profiles, other users' files).
    fn open(given: &Path, home: Option<&Path>) -> Result<Self, AgentError> {
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
        let home = home.and_then(|h| std::fs::canonicalize(h).ok());
        let whole_home = home.as_deref().is_some_and(|h| h.starts_with(&root));
        if root.parent().is_none() || whole_home {
            return Err(TooBroad(given.to_owned()).into());
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
        let refuse = |why: String| AgentError::tool(READ, format!("{relative:?} {why}"));
        let file = open_without_blocking(&path).map_err(io_error)?;
        // The opened handle's own metadata: what is read is what was checked, even if the path
        // was swapped for something else after `resolve`.
        let metadata = file.metadata().map_err(io_error)?;
        if !metadata.is_file() {
            return Err(refuse(
                "is not a regular file (a pipe, socket or device); only files can be read"
                    .to_owned(),
            ));
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            if metadata.nlink() > 1 {
                return Err(refuse(format!(
                    "has {} hard links, and another of its names may lie outside the folder, so \
                     it is not read; copy the file into the folder if the agent needs it",
                    metadata.nlink()
                )));
            }
        }
        let size = metadata.len();
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

/// Opens `path` for reading without waiting for a writer: on a FIFO a plain open blocks until
/// one comes, before any check could refuse it. Regular files read as usual with the flag.
/// `path` is canonical, so its last part is never a link; `O_NOFOLLOW` refuses one that was
/// swapped in since.
#[cfg(unix)]
fn open_without_blocking(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW)
        .open(path)
}

/// Windows has no FIFOs in the file system; a named pipe lives under `\\.\pipe\`, which
/// `resolve` never reaches, so the type check on the opened handle is enough.
#[cfg(not(unix))]
fn open_without_blocking(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}

/// Runs blocking file work off the async threads, giving up after `limit`. The blocking thread
/// cannot be interrupted, but the task goes on and the model is told.
async fn blocking<F>(tool: &'static str, limit: Duration, work: F) -> Result<String, AgentError>
where
    F: FnOnce() -> Result<String, AgentError> + Send + 'static,
{
    match tokio::time::timeout(limit, tokio::task::spawn_blocking(work)).await {
        Ok(done) => {
            done.map_err(|e| AgentError::tool(tool, format!("the file task failed: {e}")))?
        }
        Err(_) => Err(AgentError::tool(
            tool,
            format!(
                "gave up after {} s: the file system did not answer",
                limit.as_secs()
            ),
        )),
    }
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
            blocking(LIST, CALL_TIMEOUT, move || folder.list(&relative)).await
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
            blocking(READ, CALL_TIMEOUT, move || folder.read(&relative)).await
        })
    }
}

#[cfg(test)]
mod tests;
