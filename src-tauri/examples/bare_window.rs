//! A bare Tauri window, the baseline for `tests/benches/launch.rs`: what the app's start-up
//! time and memory would be with none of Switchboard in it.
//!
//! It is built exactly like the app (same crate, profile, tauri features, config, CSP and
//! capabilities, and the page served by the same custom protocol) and differs in three
//! ways only: the page is an empty HTML document (and the one-line script that marks its first
//! paint) instead of the UI, and there are no
//! commands and no engine (no database, no keychain, no logging). Build it with the
//! custom-protocol feature, as `tauri build` does for the app; without it the window loads
//! the Vite dev server instead:
//!
//! ```sh
//! npm run build -w ui   # generate_context! embeds ui/dist even though the window shows none of it
//! cargo build -p switchboard-desktop --bin bare-window --features bare-window,tauri/custom-protocol
//! # → target/debug/bare-window
//! ```
//!
//! It is a `[[bin]]` of the app's crate (kept out of `src/`, as it is no part of the app), not
//! a cargo example: an example would also get the dev-dependencies' features and so a
//! differently built dependency graph.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::borrow::Cow;

use tauri::utils::assets::{AssetKey, AssetsIter, CspHash};

/// The one page of the bare window, for whatever path the webview asks for except the script.
const PAGE: &[u8] = b"<!doctype html><html><head><meta charset=\"utf-8\"><title>Bare window</title><script src=\"/first-content.js\"></script></head><body></body></html>";
/// Sets the start-up benchmark's mark exactly as the app does once its chat screen has content
/// (`ui/src/lib/shell/firstContent.ts`): two animation frames after the page is in the DOM.
const SCRIPT_PATH: &str = "/first-content.js";
const SCRIPT: &[u8] = b"requestAnimationFrame(() => requestAnimationFrame(() => performance.mark('switchboard:first-content')));";

struct EmptyPage;

impl<R: tauri::Runtime> tauri::Assets<R> for EmptyPage {
    fn get(&self, key: &AssetKey) -> Option<Cow<'_, [u8]>> {
        Some(Cow::Borrowed(if key.as_ref() == SCRIPT_PATH {
            SCRIPT
        } else {
            PAGE
        }))
    }

    fn iter(&self) -> Box<AssetsIter<'_>> {
        Box::new(
            [
                (Cow::Borrowed("/index.html"), Cow::Borrowed(PAGE)),
                (Cow::Borrowed(SCRIPT_PATH), Cow::Borrowed(SCRIPT)),
            ]
            .into_iter(),
        )
    }

    fn csp_hashes(&self, _html_path: &AssetKey) -> Box<dyn Iterator<Item = CspHash<'_>> + '_> {
        Box::new(std::iter::empty())
    }
}

fn main() {
    // The app's own context: its window (label, size), CSP and capabilities.
    let mut context = tauri::generate_context!();
    if let Some(window) = context.config_mut().app.windows.first_mut() {
        window.title = "Bare window".to_owned();
    }
    context.set_assets(Box::new(EmptyPage));
    if let Err(err) = tauri::Builder::default().run(context) {
        eprintln!("the bare window stopped with an error: {err}");
        std::process::exit(1);
    }
}
