//! How the webview draws: without a GPU, WebKitGTK's accelerated compositing runs its GL through
//! Mesa's software rasteriser (llvmpipe), which on a 2-core machine made every streaming frame
//! 2-4x slower than plain CPU painting and cost about 95 MiB more (libLLVM and layer buffers in
//! the web process), measured with `tests/benches/ui.rs` and `launch.rs` (issue 17). So with no
//! GPU render node the app turns compositing off, as `WEBKIT_DISABLE_COMPOSITING_MODE=1` does.
//! A machine with a GPU keeps WebKit's default. Anyone can decide for themselves:
//! `SWITCHBOARD_COMPOSITING=on|off`, or WebKit's own variable, which is left as set.

/// WebKitGTK's switch, read when the web process starts.
const WEBKIT_VARIABLE: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";

/// What the environment and the machine say about compositing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Compositing {
    /// Leave WebKit's default (a GPU is there, or someone set WebKit's variable).
    Default,
    /// Turn it off.
    Off,
}

/// Decides from `SWITCHBOARD_COMPOSITING`, WebKit's own variable and whether a GPU render node
/// exists.
pub(crate) fn choose(ours: Option<&str>, webkits_set: bool, has_render_node: bool) -> Compositing {
    match ours.map(str::trim) {
        Some("off") => Compositing::Off,
        Some("on") => Compositing::Default,
        _ if webkits_set || has_render_node => Compositing::Default,
        _ => Compositing::Off,
    }
}

/// Whether `/dev/dri` has a render node (`renderD128`…), i.e. a GPU Mesa can draw with.
fn has_render_node() -> bool {
    std::fs::read_dir("/dev/dri").is_ok_and(|dir| {
        dir.flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
    })
}

/// Applies the choice. Must run first thing in `main`, before any thread exists: it may set an
/// environment variable, which is only sound while the process has one thread.
pub(crate) fn apply_before_threads() {
    if !cfg!(target_os = "linux") {
        return;
    }
    let ours = std::env::var("SWITCHBOARD_COMPOSITING").ok();
    let webkits_set = std::env::var_os(WEBKIT_VARIABLE).is_some();
    if choose(ours.as_deref(), webkits_set, has_render_node()) == Compositing::Off {
        // SAFETY: called from `run()` at the top of `main`, before logging, the async runtime,
        // GTK or anything else has started a thread, so nothing can read the environment
        // concurrently. WebKit reads this variable later, when it starts its web process.
        #[allow(unsafe_code)]
        unsafe {
            std::env::set_var(WEBKIT_VARIABLE, "1");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Compositing, choose};

    #[test]
    fn without_a_gpu_compositing_is_off_unless_someone_said_otherwise() {
        assert_eq!(choose(None, false, false), Compositing::Off);
        assert_eq!(choose(None, false, true), Compositing::Default);
        // WebKit's own variable, whatever its value, is the user's decision.
        assert_eq!(choose(None, true, false), Compositing::Default);
        assert_eq!(choose(Some("on"), false, false), Compositing::Default);
        assert_eq!(choose(Some("off"), false, true), Compositing::Off);
        assert_eq!(choose(Some(" off "), true, true), Compositing::Off);
        // Anything else is no opinion.
        assert_eq!(choose(Some("maybe"), false, false), Compositing::Off);
        assert_eq!(choose(Some("maybe"), false, true), Compositing::Default);
    }
}
