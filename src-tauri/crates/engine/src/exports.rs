//! Writing a conversation export to a file the user can find.

use std::path::PathBuf;

use crate::{Engine, EngineError};

/// The formats a conversation can be exported in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    /// Readable Markdown (the displayed path).
    Markdown,
    /// The whole tree, re-importable.
    Json,
}

/// An export made in memory, for the user to save where they choose.
#[derive(Debug, Clone)]
pub struct ExportFile {
    /// A file name to suggest (`<title>.md`, `switchboard-spend-by-day.csv`).
    pub name: String,
    /// The contents.
    pub bytes: Vec<u8>,
}

impl ExportFile {
    /// The suggested name's extension (`md`, `json`, `csv`, `svg`, `png`).
    pub fn extension(&self) -> &str {
        self.name.rsplit_once('.').map_or("", |(_, ext)| ext)
    }
}

impl Engine {
    /// Writes an export where the user chose to save it (they confirmed any overwrite in the
    /// save dialog).
    pub async fn write_export(&self, path: PathBuf, bytes: Vec<u8>) -> Result<(), EngineError> {
        tokio::task::spawn_blocking(move || {
            std::fs::write(&path, &bytes).map_err(|e| io_error(&path, &e))
        })
        .await
        .map_err(|e| EngineError::Internal {
            context: format!("export task failed: {e}"),
        })?
    }

    /// Exports conversation `id` into the user's downloads folder (or the data directory's
    /// `exports/` when the OS has none) under a name made from its title; returns the path.
    /// Never overwrites: a numbered suffix is added when the name is taken.
    #[tracing::instrument(skip_all, err(Debug))]
    pub async fn save_export(
        &self,
        id: switchboard_core::ConversationId,
        format: ExportFormat,
    ) -> Result<PathBuf, EngineError> {
        let title = self.conversations().open(id.clone()).await?.title;
        let (text, ext) = match format {
            ExportFormat::Markdown => (self.conversations().export_markdown(id).await?, "md"),
            ExportFormat::Json => (self.conversations().export_json(id).await?, "json"),
        };
        self.save_download(file_stem(&title), ext, text.into_bytes())
            .await
    }

    /// Writes `text` to a new file `<stem>[-n].<ext>` in the user's downloads folder (or the
    /// data directory's `exports` when there is none), never overwriting a file.
    pub(crate) async fn save_download(
        &self,
        stem: String,
        ext: &'static str,
        bytes: Vec<u8>,
    ) -> Result<PathBuf, EngineError> {
        let dir = dirs::download_dir()
            .unwrap_or_else(|| self.inner.config.data_dir.path().join("exports"));
        tokio::task::spawn_blocking(move || {
            std::fs::create_dir_all(&dir).map_err(|e| io_error(&dir, &e))?;
            for n in 0..1000 {
                let name = if n == 0 {
                    format!("{stem}.{ext}")
                } else {
                    format!("{stem}-{n}.{ext}")
                };
                let path = dir.join(name);
                match std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(&path)
                {
                    Ok(mut file) => {
                        std::io::Write::write_all(&mut file, &bytes)
                            .map_err(|e| io_error(&path, &e))?;
                        return Ok(path);
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                    Err(e) => return Err(io_error(&path, &e)),
                }
            }
            Err(EngineError::invalid(format!(
                "too many exports named {stem} in {}",
                dir.display()
            )))
        })
        .await
        .map_err(|e| EngineError::Internal {
            context: format!("export task failed: {e}"),
        })?
    }
}

impl crate::Conversations<'_> {
    /// Conversation `id` as a file: Markdown (the shown path, then every answer its total
    /// counts) or the re-importable JSON tree, named after its title.
    pub async fn export_file(
        &self,
        id: switchboard_core::ConversationId,
        format: ExportFormat,
    ) -> Result<ExportFile, EngineError> {
        let title = self.conversations().open(id.clone()).await?.title;
        let (text, ext) = match format {
            ExportFormat::Markdown => (self.export_markdown(id).await?, "md"),
            ExportFormat::Json => (self.export_json(id).await?, "json"),
        };
        Ok(ExportFile {
            name: format!("{}.{ext}", file_stem(&title)),
            bytes: text.into_bytes(),
        })
    }
}

/// A file name from a conversation's title: letters, digits, `-` and `_`, at most 60.
fn file_stem(title: &str) -> String {
    let stem: String = title
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect::<String>()
        .trim_matches('-')
        .chars()
        .take(60)
        .collect();
    if stem.is_empty() {
        "conversation".to_owned()
    } else {
        stem
    }
}

fn io_error(path: &std::path::Path, err: &std::io::Error) -> EngineError {
    EngineError::invalid(format!("cannot write {}: {err}", path.display()))
}
