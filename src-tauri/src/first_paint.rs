//! Serves the chat screen saved at the last run inside `index.html`, so the window paints it
//! before the UI's script has been fetched, parsed and run (issue 17: start-up). What is saved,
//! how it is cleaned and when it is ignored is `switchboard_engine::FirstPaint`'s; here is only
//! the Tauri side: the asset provider that puts it into the page, and the command that saves it.
//!
//! `index.html` carries a `<!--first-paint-->` marker and a small inline loader (added by
//! `ui/vite.config.ts`; Tauri hashes it into the CSP at build time). The loader restores the
//! document state the overlay was drawn in, lets it paint, then starts the UI's module script;
//! the live screen removes the overlay in the frame it first paints (`ui/src/lib/shared/firstPaint.ts`).

use std::borrow::Cow;
use std::hash::{Hash, Hasher};
use std::sync::Mutex;
use std::thread::JoinHandle;

use switchboard_engine::{EngineError, FirstPaint, ScreenSnapshot};
use tauri::utils::assets::{AssetKey, AssetsIter, CspHash};
use tauri::{Assets, Runtime};

/// Where in `index.html` the overlay goes.
const MARKER: &str = "<!--first-paint-->";

/// The page the overlay is served in.
const INDEX: &str = "index.html";

/// The app's embedded assets, with the saved screen put into the first `index.html` served.
pub(crate) struct WithFirstPaint<R: Runtime> {
    inner: Box<dyn Assets<R>>,
    /// Loaded and cleaned on a thread started before the window exists, so the first request
    /// for the page (some hundreds of milliseconds later) only joins it. Taken by that first
    /// request: a reload shows the live screen at once.
    pending: Mutex<Option<JoinHandle<Option<String>>>>,
}

/// What the save command needs: where to save, and which build is saving.
pub(crate) struct Keeper {
    paint: Option<FirstPaint>,
    build: String,
}

/// Wraps `context`'s assets and starts loading the saved screen; returns what the save command
/// needs. With no data directory (the engine could not start), nothing is loaded or saved.
pub(crate) fn install<R: Runtime>(
    context: &mut tauri::Context<R>,
    paint: Option<FirstPaint>,
) -> Keeper {
    let build = build_of(context.assets());
    let pending = paint.clone().and_then(|paint| {
        let build = build.clone();
        std::thread::Builder::new()
            .name("first-paint".into())
            .spawn(move || paint.load(&build))
            .ok()
    });
    // `set_assets` hands back what it replaced, which becomes the inner provider; the
    // placeholder is never served.
    let placeholder: Box<dyn Assets<R>> = Box::new(Nothing);
    let inner = context.set_assets(placeholder);
    context.set_assets(Box::new(WithFirstPaint {
        inner,
        pending: Mutex::new(pending),
    }));
    Keeper { paint, build }
}

/// Identifies the UI build: `index.html` names every asset by its content hash, so it changes
/// whenever a class name can. The hasher's fixed keys make it the same from run to run of
/// one binary, which is all that is compared.
fn build_of<R: Runtime>(assets: &dyn Assets<R>) -> String {
    let mut hasher = std::hash::DefaultHasher::new();
    assets.get(&AssetKey::from(INDEX)).hash(&mut hasher);
    env!("CARGO_PKG_VERSION").hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}

impl<R: Runtime> Assets<R> for WithFirstPaint<R> {
    fn setup(&self, app: &tauri::App<R>) {
        self.inner.setup(app);
    }

    fn get(&self, key: &AssetKey) -> Option<Cow<'_, [u8]>> {
        let page = self.inner.get(key)?;
        if *key != AssetKey::from(INDEX) {
            return Some(page);
        }
        let pending = self.pending.lock().ok().and_then(|mut p| p.take());
        let Some(overlay) = pending.and_then(|h| h.join().ok()).flatten() else {
            return Some(page);
        };
        let html = String::from_utf8_lossy(&page);
        if !html.contains(MARKER) {
            tracing::warn!("index.html has no first-paint marker; served without it");
            return Some(page);
        }
        Some(Cow::Owned(html.replacen(MARKER, &overlay, 1).into_bytes()))
    }

    fn iter(&self) -> Box<AssetsIter<'_>> {
        self.inner.iter()
    }

    fn csp_hashes(&self, html_path: &AssetKey) -> Box<dyn Iterator<Item = CspHash<'_>> + '_> {
        self.inner.csp_hashes(html_path)
    }
}

/// Serves nothing; only stands in while the real provider is being wrapped.
struct Nothing;

impl<R: Runtime> Assets<R> for Nothing {
    fn get(&self, _key: &AssetKey) -> Option<Cow<'_, [u8]>> {
        None
    }

    fn iter(&self) -> Box<AssetsIter<'_>> {
        Box::new(std::iter::empty())
    }

    fn csp_hashes(&self, _html_path: &AssetKey) -> Box<dyn Iterator<Item = CspHash<'_>> + '_> {
        Box::new(std::iter::empty())
    }
}

impl Keeper {
    /// Saves `snapshot` as this build's (nothing, when there is no data directory).
    pub(crate) async fn save(&self, snapshot: ScreenSnapshot) -> Result<(), EngineError> {
        match &self.paint {
            Some(paint) => paint.save(&self.build, snapshot).await,
            None => Ok(()),
        }
    }
}
