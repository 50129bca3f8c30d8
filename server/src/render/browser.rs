//! The one Chromium process behind the renderer: launched on first use, reused by every
//! render, and launched again when it has died (crashed, killed, out of memory).
//!
//! Chromium runs headless with its own fresh profile directory (removed with the
//! process), no sandbox (the server runs it in its own container or user), no GPU, and no
//! background networking; every host, loopback included, goes through a proxy on a closed
//! loopback port, so that nothing a render does reaches the network even if a request were
//! to escape the `Fetch` interception of [`super::page`].

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chromiumoxide::{Browser, BrowserConfig};
use futures::StreamExt;
use tempfile::TempDir;
use tokio::sync::Mutex;
use tokio::task::JoinHandle;

use super::RenderError;

/// How long Chromium may take to start and print its DevTools address.
const LAUNCH_TIMEOUT: Duration = Duration::from_secs(20);
/// How long a live Chromium takes at most to answer `Browser.getVersion`.
const HEALTH_TIMEOUT: Duration = Duration::from_secs(2);

/// The flags besides `--headless=new`, `--no-sandbox` and `--user-data-dir`, which
/// chromiumoxide adds from its configuration.
const FLAGS: [(&str, &str); 14] = [
    ("disable-gpu", ""),
    ("disable-dev-shm-usage", ""),
    ("disable-background-networking", ""),
    ("disable-component-update", ""),
    ("disable-sync", ""),
    ("no-first-run", ""),
    ("no-default-browser-check", ""),
    ("disable-breakpad", ""),
    ("disable-default-apps", ""),
    // The same colours whatever the machine's display profile.
    ("force-color-profile", "srgb"),
    // Nothing leaves the machine: a closed port as every host's proxy, loopback included
    // (`<-loopback>` removes loopback's implicit bypass). Requests answered by `Fetch`
    // never reach the proxy.
    ("proxy-server", "http://127.0.0.1:9"),
    ("proxy-bypass-list", "<-loopback>"),
    // An `http:` page URL stays `http:`, so the main document request is the one
    // intercepted; no per-site processes for a snapshot's iframes.
    (
        "disable-features",
        "HttpsUpgrades,HttpsFirstBalancedModeAutoEnable,site-per-process,IsolateOrigins",
    ),
    ("password-store", "basic"),
];

/// The running Chromium, if any, shared by the renders.
pub(super) struct Slot {
    chromium: PathBuf,
    running: Mutex<Option<Running>>,
}

struct Running {
    browser: Arc<Browser>,
    /// Drives the DevTools connection; ends when the connection does.
    handler: JoinHandle<()>,
    pid: Option<u32>,
    /// The profile directory, removed when the process is replaced.
    _profile: TempDir,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.handler.abort();
    }
}

impl Slot {
    pub(super) fn new(chromium: PathBuf) -> Self {
        Self {
            chromium,
            running: Mutex::new(None),
        }
    }

    /// The running Chromium, launched if there is none or it has died.
    pub(super) async fn get(&self) -> Result<Arc<Browser>, RenderError> {
        let mut running = self.running.lock().await;
        if let Some(current) = running.as_ref() {
            if !current.handler.is_finished() {
                return Ok(current.browser.clone());
            }
            tracing::warn!("Chromium's connection ended; relaunching");
        }
        *running = None;
        let launched = launch(&self.chromium).await?;
        let browser = launched.browser.clone();
        *running = Some(launched);
        Ok(browser)
    }

    /// Whether `browser` is gone (its connection ended, or it does not answer); a dead
    /// browser is forgotten so that the next [`Slot::get`] launches another.
    pub(super) async fn is_dead(&self, browser: &Arc<Browser>) -> bool {
        let mut running = self.running.lock().await;
        let Some(current) = running.as_ref() else {
            return true;
        };
        if !Arc::ptr_eq(&current.browser, browser) {
            // Already replaced by another render.
            return true;
        }
        let answers = !current.handler.is_finished()
            && matches!(
                tokio::time::timeout(HEALTH_TIMEOUT, browser.version()).await,
                Ok(Ok(_))
            );
        if !answers {
            *running = None;
        }
        !answers
    }

    pub(super) async fn pid(&self) -> Option<u32> {
        self.running.lock().await.as_ref().and_then(|r| r.pid)
    }

    pub(super) async fn devtools_url(&self) -> Option<String> {
        let running = self.running.lock().await;
        running
            .as_ref()
            .map(|r| r.browser.websocket_address().clone())
    }
}

/// util-linux's `setpriv` and coreutils' `nice`, present on every Debian system.
const SETPRIV: &str = "/usr/bin/setpriv";
const NICE: &str = "/usr/bin/nice";

/// An executable that runs `chromium` so that the kernel kills it when this process dies,
/// however it dies (`kill -9` included, when no destructor runs), and at the lowest CPU
/// priority (`nice -n 19`), so that rendering takes only the CPU that captures and claims
/// leave over: a two-line script in `dir` that execs `setpriv --pdeathsig KILL` and `nice`
/// on Chromium. Without `setpriv`, Chromium itself (it is then killed only when the
/// renderer is dropped).
fn dies_with_us(chromium: &Path, dir: &Path) -> PathBuf {
    use std::os::unix::fs::PermissionsExt as _;
    if !Path::new(SETPRIV).exists() || !Path::new(NICE).exists() {
        return chromium.to_owned();
    }
    let script = dir.join("chromium-with-parent");
    // Run as root, Chromium raises its own processes' priority back (the browser and GPU
    // processes to nice -8): without CAP_SYS_NICE it cannot go below the nice it is given.
    let keep_nice = match rustix::process::getuid().is_root() {
        true => " --bounding-set -sys_nice",
        false => "",
    };
    let quoted = chromium.display().to_string().replace('\'', "'\\''");
    let body = format!(
        "#!/bin/sh\nexec {SETPRIV} --pdeathsig KILL{keep_nice} -- {NICE} -n 19 '{quoted}' \"$@\"\n"
    );
    let written = std::fs::write(&script, body)
        .and_then(|()| std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o700)));
    match written {
        Ok(()) => script,
        Err(error) => {
            tracing::warn!(%error, "cannot write the Chromium wrapper; launching Chromium directly");
            chromium.to_owned()
        }
    }
}

async fn launch(chromium: &Path) -> Result<Running, RenderError> {
    let profile = tempfile::Builder::new()
        .prefix("ec-chromium-")
        .tempdir()
        .map_err(|error| {
            tracing::error!(%error, "cannot create Chromium's profile directory");
            RenderError::Browser
        })?;
    let executable = dies_with_us(chromium, profile.path());
    let mut config = BrowserConfig::builder()
        .chrome_executable(&executable)
        .disable_default_args()
        .new_headless_mode()
        .no_sandbox()
        .user_data_dir(profile.path())
        .launch_timeout(LAUNCH_TIMEOUT)
        // Each render sets its own viewport.
        .viewport(None);
    for (flag, value) in FLAGS {
        config = if value.is_empty() {
            config.arg(flag)
        } else {
            config.arg((flag, value))
        };
    }
    let config = config.build().map_err(|error| {
        tracing::error!(%error, "Chromium configuration");
        RenderError::Browser
    })?;
    let (mut browser, mut handler) = Browser::launch(config).await.map_err(|error| {
        tracing::error!(%error, "cannot launch Chromium");
        RenderError::Browser
    })?;
    let pid = browser
        .get_mut_child()
        .and_then(|child| child.as_mut_inner().id());
    let handler = tokio::spawn(async move {
        while let Some(event) = handler.next().await {
            if let Err(error) = event {
                tracing::warn!(%error, "Chromium's DevTools connection ended");
                break;
            }
        }
    });
    tracing::info!(?pid, "Chromium launched");
    Ok(Running {
        browser: Arc::new(browser),
        handler,
        pid,
        _profile: profile,
    })
}
