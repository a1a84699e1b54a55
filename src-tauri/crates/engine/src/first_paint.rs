//! The chat screen as it was last seen, painted at the next launch before any of the UI's
//! JavaScript has run (issue 17: start-up).
//!
//! The UI saves the chat screen's markup when it settles; the desktop shell serves it inside
//! `index.html` as an inert overlay, which the live screen replaces in one frame once it has
//! painted. The markup holds model output, so it is treated as hostile on the way back in:
//! it is cleaned here with an allowlist (ammonia, which parses as browsers do) every time it
//! is loaded, not trusted because the UI sanitized it when it was rendered. Nothing it holds
//! can run: no script, no event handler, no URL, no inline style (the page's CSP would refuse
//! one anyway); only classes, text, the icons' SVG shapes, and a few layout properties the
//! shell's loader applies through the CSSOM.
//!
//! The file is tied to the build that wrote it: another build's class names would style it
//! wrongly, so it is ignored (and replaced at the next save).

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::{DataDir, EngineError};

/// The most markup kept: the chat screen is 30-60 KB; anything far larger is not it.
pub const MAX_FIRST_PAINT_BYTES: usize = 1024 * 1024;

/// The file in the data directory.
const FILE: &str = "first-paint.json";

/// The theme the screen was drawn in (what `:root[data-theme]` said).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "lowercase")]
pub enum ShownTheme {
    /// Light.
    Light,
    /// Dark.
    Dark,
}

/// The platform family the styles were chosen for (what `:root[data-platform]` said).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "lowercase")]
pub enum StylePlatform {
    /// Linux and the BSDs.
    Linux,
    /// macOS.
    Mac,
    /// Windows.
    Windows,
    /// Anything else.
    Other,
}

impl ShownTheme {
    fn as_str(self) -> &'static str {
        match self {
            Self::Light => "light",
            Self::Dark => "dark",
        }
    }
}

impl StylePlatform {
    fn as_str(self) -> &'static str {
        match self {
            Self::Linux => "linux",
            Self::Mac => "mac",
            Self::Windows => "windows",
            Self::Other => "other",
        }
    }
}

/// What the UI sends: the chat screen's markup and the document state it was drawn in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ScreenSnapshot {
    /// The screen's outer HTML, inline styles moved to `data-fp-style` and scroll offsets
    /// recorded as `data-fp-scroll` (see `ui/src/lib/shared/firstPaint.ts`).
    pub html: String,
    /// The theme shown.
    pub theme: ShownTheme,
    /// The platform the styles were chosen for.
    pub platform: StylePlatform,
}

/// The file's contents: the snapshot and the build that took it.
#[derive(Debug, Serialize, Deserialize)]
struct Saved {
    build: String,
    #[serde(flatten)]
    snapshot: ScreenSnapshot,
}

/// The saved first paint of one data directory.
#[derive(Debug, Clone)]
pub struct FirstPaint {
    file: PathBuf,
}

impl FirstPaint {
    /// The first paint kept in `data`.
    pub fn at(data: &DataDir) -> Self {
        Self {
            file: data.path().join(FILE),
        }
    }

    /// Saves `snapshot` as taken by `build`, replacing the last one whole (written aside and
    /// renamed, so a full disk or a crash leaves the old file, never half of a new one).
    pub async fn save(&self, build: &str, snapshot: ScreenSnapshot) -> Result<(), EngineError> {
        if snapshot.html.len() > MAX_FIRST_PAINT_BYTES {
            return Err(EngineError::InvalidInput {
                message: format!(
                    "the screen to keep for the next launch is {} bytes; at most {} are kept",
                    snapshot.html.len(),
                    MAX_FIRST_PAINT_BYTES
                ),
            });
        }
        let saved = Saved {
            build: build.to_owned(),
            snapshot,
        };
        let bytes = serde_json::to_vec(&saved).map_err(|e| EngineError::InvalidInput {
            message: format!("the screen could not be encoded: {e}"),
        })?;
        let file = self.file.clone();
        let written = tokio::task::spawn_blocking(move || write_whole(&file, &bytes)).await;
        match written {
            Ok(result) => result.map_err(|e| io_error("saved", &e)),
            Err(e) => Err(EngineError::InvalidInput {
                message: format!("saving the screen stopped: {e}"),
            }),
        }
    }

    /// The overlay to serve for `build`: `None` when nothing was saved, the file is unreadable
    /// or another build's, or nothing is left once it is cleaned. Never fails: the app then
    /// simply starts without it.
    pub fn load(&self, build: &str) -> Option<String> {
        let bytes = std::fs::read(&self.file).ok()?;
        if bytes.len() > MAX_FIRST_PAINT_BYTES * 2 {
            return None;
        }
        let saved: Saved = match serde_json::from_slice(&bytes) {
            Ok(saved) => saved,
            Err(e) => {
                tracing::warn!(error = %e, "the saved first paint is unreadable; ignored");
                return None;
            }
        };
        if saved.build != build {
            return None;
        }
        overlay(&saved.snapshot)
    }

    /// Deletes the saved screen (a conversation it may show was deleted).
    pub fn forget(&self) {
        match std::fs::remove_file(&self.file) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => tracing::warn!(error = %e, "the saved first paint could not be deleted"),
        }
    }
}

fn io_error(what: &str, e: &std::io::Error) -> EngineError {
    EngineError::InvalidInput {
        message: format!("the screen for the next launch could not be {what}: {e}"),
    }
}

/// Writes `bytes` aside, then renames over `file`. The file is as private as the database
/// (0600 on unix): it holds the conversation on screen.
fn write_whole(file: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let aside = file.with_extension("json.new");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(&aside)?.write_all(bytes)?;
    std::fs::rename(&aside, file).inspect_err(|_| {
        let _ = std::fs::remove_file(&aside);
    })
}

/// The overlay element: the cleaned markup inside a container the loader script in
/// `index.html` recognises, carrying the document state to restore before the first paint.
///
/// It is served inside a `<template>`, which the loader moves into the page. Served as plain
/// markup, the loader's script started 175 ms after the page had arrived in some launches
/// (5 of 15), instead of 10 ms: WebKit may hold a script back to paint what is already
/// parsed first. Template content is never rendered, and with it the loader started within
/// 8-11 ms in every launch measured (`tests/benches/launch.rs`).
fn overlay(snapshot: &ScreenSnapshot) -> Option<String> {
    let cleaned = clean(&snapshot.html);
    if cleaned.trim().is_empty() {
        return None;
    }
    Some(format!(
        "<template id=\"first-paint-saved\"><div id=\"first-paint\" inert aria-hidden=\"true\" \
         data-theme=\"{}\" data-platform=\"{}\">{cleaned}</div></template>",
        snapshot.theme.as_str(),
        snapshot.platform.as_str()
    ))
}

/// Elements the chat screen draws. Anything else is dropped with its attributes (its text
/// is kept, as text).
const TAGS: &[&str] = &[
    "a",
    "article",
    "aside",
    "b",
    "blockquote",
    "br",
    "button",
    "code",
    "dd",
    "del",
    "div",
    "dl",
    "dt",
    "em",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "i",
    "input",
    "kbd",
    "label",
    "li",
    "main",
    "nav",
    "ol",
    "option",
    "p",
    "pre",
    "s",
    "section",
    "select",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "textarea",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul", // the icons (lucide) are these SVG shapes
    "svg",
    "path",
    "circle",
    "rect",
    "line",
    "polyline",
    "polygon",
    "ellipse",
    "g",
];

/// Attributes any kept element may carry. No `id` (it would duplicate the live screen's),
/// no `data-testid`, no `href` or `src`, no event handler.
const GENERIC: &[&str] = &[
    "class",
    "role",
    "aria-hidden",
    "aria-label",
    "title",
    "lang",
    "dir",
    "data-fp-style",
    "data-fp-scroll",
];

/// The SVG presentation attributes lucide's icons use.
const SVG_SHAPE: &[&str] = &[
    "viewBox",
    "fill",
    "stroke",
    "stroke-width",
    "stroke-linecap",
    "stroke-linejoin",
    "width",
    "height",
    "d",
    "cx",
    "cy",
    "r",
    "rx",
    "ry",
    "x",
    "y",
    "x1",
    "x2",
    "y1",
    "y2",
    "points",
];

/// Layout properties `data-fp-style` may set: what the virtual list and the column grid
/// write inline. A value may not call anything (`url(`, `image-set(`…) or escape.
const STYLE_PROPERTIES: &[&str] = &[
    "contain",
    "flex",
    "position",
    "width",
    "height",
    "min-height",
    "left",
    "top",
    "transform",
    "--cols",
];

/// Cleans saved markup to what may be painted (see the module's header).
fn clean(html: &str) -> String {
    let mut tag_attributes: HashMap<&str, HashSet<&str>> = HashMap::new();
    for svg in [
        "svg", "path", "circle", "rect", "line", "polyline", "polygon", "ellipse", "g",
    ] {
        tag_attributes.insert(svg, SVG_SHAPE.iter().copied().collect());
    }
    for form in ["input", "button", "select", "textarea", "option"] {
        tag_attributes.insert(
            form,
            [
                "type",
                "placeholder",
                "value",
                "disabled",
                "rows",
                "selected",
            ]
            .into_iter()
            .collect(),
        );
    }
    tag_attributes.insert("td", ["colspan", "rowspan"].into_iter().collect());
    tag_attributes.insert("th", ["colspan", "rowspan", "scope"].into_iter().collect());
    let cleaned = ammonia::Builder::empty()
        .tags(TAGS.iter().copied().collect())
        .generic_attributes(GENERIC.iter().copied().collect())
        .tag_attributes(tag_attributes)
        .url_schemes(HashSet::new())
        .link_rel(None)
        .strip_comments(true)
        .attribute_filter(|_element, attribute, value| match attribute {
            "data-fp-style" => Some(layout_only(value).into()),
            "data-fp-scroll" => value
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b'.')
                .then(|| value.into()),
            _ => Some(value.into()),
        })
        .clean(html)
        .to_string();
    // Tauri swaps this token for a fresh CSP nonce wherever it appears in a served page; text
    // that spells it must stay text, so it is never spelled out.
    cleaned.replace("__TAURI_", "__TAURI&#95;")
}

/// Keeps the declarations of `style` whose property is a layout one and whose value is plain.
fn layout_only(style: &str) -> String {
    let plain = |v: &str| {
        !v.is_empty()
            && v.bytes().all(|b| {
                b.is_ascii_alphanumeric()
                    || matches!(b, b' ' | b'.' | b'%' | b'-' | b'(' | b')' | b',')
            })
            && !v.contains("url")
            && !v.contains("image")
            && !v.contains("var")
    };
    style
        .split(';')
        .filter_map(|declaration| {
            let (property, value) = declaration.split_once(':')?;
            let (property, value) = (property.trim(), value.trim());
            (STYLE_PROPERTIES.contains(&property) && plain(value))
                .then(|| format!("{property}: {value};"))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(html: &str) -> ScreenSnapshot {
        ScreenSnapshot {
            html: html.to_owned(),
            theme: ShownTheme::Dark,
            platform: StylePlatform::Linux,
        }
    }

    #[test]
    fn scripts_handlers_urls_and_ids_never_survive() {
        let hostile = concat!(
            "<div class=\"turn\" id=\"x\" data-testid=\"turn\" onclick=\"alert(1)\">",
            "<script>alert(1)</script><img src=x onerror=alert(1)>",
            "<a href=\"javascript:alert(1)\" class=\"link\">link</a>",
            "<iframe src=\"https://evil\"></iframe><style>*{}</style>",
            "<svg><foreignObject><script>alert(1)</script></foreignObject></svg>",
            "<p style=\"background:url(https://evil)\">text</p>",
            "<math><mi xlink:href=\"javascript:alert(1)\">m</mi></math>",
            "</div>"
        );
        let out = clean(hostile);
        for banned in [
            "<script",
            "onclick",
            "onerror",
            "<img",
            "href",
            "javascript",
            "<iframe",
            "<style",
            "foreignObject",
            "id=",
            "data-testid",
            "style=",
            "<math",
            "evil",
        ] {
            assert!(!out.contains(banned), "{banned} survived: {out}");
        }
        assert!(out.contains("<div class=\"turn\">"), "{out}");
        assert!(out.contains("<a class=\"link\">link</a>"), "{out}");
        assert!(out.contains("<p>text</p>"), "{out}");
    }

    #[test]
    fn icons_layout_and_scroll_are_kept() {
        let html = concat!(
            "<svg class=\"icon\" viewBox=\"0 0 24 24\" fill=\"none\" stroke=\"currentColor\" ",
            "stroke-width=\"2\" onload=\"alert(1)\"><path d=\"M5 12h14\"></path>",
            "<circle cx=\"12\" cy=\"12\" r=\"3\"></circle></svg>",
            "<div data-fp-style=\"contain: layout style; position: absolute; top: 5630.78px; ",
            "background: url(x); width: 100%\" data-fp-scroll=\"5120.5\"></div>",
            "<div data-fp-scroll=\"1;alert(1)\" data-fp-style=\"--cols: 2\"></div>",
        );
        let out = clean(html);
        assert!(out.contains("viewBox=\"0 0 24 24\""), "{out}");
        assert!(out.contains("<path d=\"M5 12h14\"></path>"), "{out}");
        assert!(out.contains("cx=\"12\""), "{out}");
        assert!(!out.contains("onload"), "{out}");
        assert!(
            out.contains(
                "data-fp-style=\"contain: layout style; position: absolute; top: 5630.78px; \
                 width: 100%;\""
            ),
            "{out}"
        );
        assert!(out.contains("data-fp-scroll=\"5120.5\""), "{out}");
        assert!(!out.contains("alert"), "{out}");
        assert!(out.contains("data-fp-style=\"--cols: 2;\""), "{out}");
    }

    #[test]
    fn the_csp_nonce_token_is_never_spelled_out() {
        let out = clean("<p>__TAURI_SCRIPT_NONCE__ and __TAURI_STYLE_NONCE__</p>");
        assert!(!out.contains("__TAURI_"), "{out}");
        assert!(out.contains("__TAURI&#95;SCRIPT_NONCE__"), "{out}");
    }

    #[tokio::test]
    async fn a_saved_screen_is_served_to_its_own_build_only() {
        let dir = tempfile::tempdir().unwrap();
        let paint = FirstPaint::at(&DataDir::at(dir.path()));
        assert_eq!(paint.load("b1"), None, "nothing saved yet");
        paint
            .save("b1", snapshot("<div class=\"app\"><p>hello</p></div>"))
            .await
            .unwrap();
        let served = paint.load("b1").unwrap();
        assert_eq!(
            served,
            "<template id=\"first-paint-saved\"><div id=\"first-paint\" inert \
             aria-hidden=\"true\" data-theme=\"dark\" data-platform=\"linux\">\
             <div class=\"app\"><p>hello</p></div></div></template>"
        );
        assert_eq!(paint.load("b2"), None, "another build's class names");
        paint.forget();
        assert_eq!(paint.load("b1"), None);
        paint.forget(); // nothing there: not an error
    }

    #[tokio::test]
    async fn bad_files_and_oversized_screens_are_refused_without_loss() {
        let dir = tempfile::tempdir().unwrap();
        let paint = FirstPaint::at(&DataDir::at(dir.path()));
        paint
            .save("b", snapshot("<p class=\"kept\">kept</p>"))
            .await
            .unwrap();
        let huge = "x".repeat(MAX_FIRST_PAINT_BYTES + 1);
        let err = paint.save("b", snapshot(&huge)).await.unwrap_err();
        assert!(err.to_string().contains("at most"), "{err}");
        assert!(
            paint.load("b").unwrap().contains("kept"),
            "the old one stays"
        );

        std::fs::write(dir.path().join(FILE), b"{not json").unwrap();
        assert_eq!(paint.load("b"), None);
        std::fs::write(
            dir.path().join(FILE),
            br#"{"build":"b","html":"<script>x</script>","theme":"dark","platform":"linux"}"#,
        )
        .unwrap();
        assert_eq!(paint.load("b"), None, "nothing left once cleaned");
        std::fs::write(
            dir.path().join(FILE),
            br#"{"build":"b","html":"<p>x</p>","theme":"\"><script>","platform":"linux"}"#,
        )
        .unwrap();
        assert_eq!(paint.load("b"), None, "a theme that is not one");
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn the_file_is_private_to_its_owner() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let paint = FirstPaint::at(&DataDir::at(dir.path()));
        paint.save("b", snapshot("<p>x</p>")).await.unwrap();
        let mode = std::fs::metadata(dir.path().join(FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn a_directory_that_cannot_be_written_says_so() {
        let paint = FirstPaint::at(&DataDir::at("/proc/no-such-dir"));
        let err = paint.save("b", snapshot("<p>x</p>")).await.unwrap_err();
        assert!(err.to_string().contains("could not be saved"), "{err}");
    }
}
