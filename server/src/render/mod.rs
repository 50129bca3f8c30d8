//! The evidence image: a stored snapshot rendered by headless Chromium into a full-page PNG
//! with the trigger control (and the `highlightTarget` element) outlined.
//!
//! Owns the browser process and what one render does; must not read the database, the
//! evidence store or the network: the snapshot comes in as text and every request the page
//! makes is answered by the caller's [`AssetSource`] (the archive made at ingest) or failed.
//!
//! | module | owns |
//! |---|---|
//! | [`geometry`] | pure decisions: image height cap, outline boxes, request answers |
//! | `browser` | the one Chromium process: launched lazily, reused, relaunched when dead |
//! | `page` | one render in a fresh browser context: interception, emulation, outline, capture |
//!
//! **Why `chromiumoxide`.** It is the maintained async CDP client for Rust on tokio, with
//! typed commands and events generated from the protocol, so interception (`Fetch`),
//! emulation and screenshots are typed calls rather than hand-written JSON over a
//! WebSocket. It is built without its `fetcher` feature: Chromium is Debian's
//! `/usr/bin/chromium` and nothing is downloaded. (`headless_chrome` is synchronous,
//! and `fantoccini` speaks WebDriver, which has no request interception.)
//!
//! **What one render does.** A new incognito browser context and target; scripts off
//! (`Emulation.setScriptExecutionDisabled`); the captured viewport width and height and
//! device pixel ratio (`Emulation.setDeviceMetricsOverride`); `Fetch.enable` for every
//! URL, answering the main document with the snapshot, other documents (iframes) with an
//! empty page, assets from the [`AssetSource`], and failing everything else; navigation to
//! the page's URL; on `load`, the outline added to each outlined element's `style` through
//! the `DOM` domain (which needs no page script; the stored snapshot is never modified, the
//! browser's copy is), shadow roots searched too, since the SDK's trigger selector of an
//! element in a shadow tree is a path from that tree's top; then one
//! `Page.captureScreenshot` of the whole document (`captureBeyondViewport`), PNG. Container
//! scroll offsets need nothing here: the SDK writes them into the snapshot as marks that
//! CSS `scroll-initial-target` scrolls to when the page is laid out.
//!
//! **Nothing reaches the network.** Every request is paused by `Fetch` and answered or
//! failed here. Behind that, Chromium runs with a proxy on a closed loopback port for every
//! host (loopback included) and no background networking, so a request that escaped the
//! interception (a preconnect, a DNS prefetch) would still go nowhere.
//!
//! **What bounds a render.** Time: [`RendererConfig::timeout`] per render (a page whose
//! assets never answer is stopped; its context and target are closed either way). Memory:
//! the image is at most [`geometry::MAX_IMAGE_HEIGHT_PX`] device pixels tall (and the
//! captured width), which bounds the screenshot bitmap, the largest allocation of a render;
//! renders run at most [`RendererConfig::max_concurrent`] at once, each in one renderer
//! process; no script runs, so no page can grow a heap.
//!
//! **Measured** (`cargo run -p expressconsent-server --example render_bench`; debug build,
//! Chromium 156, 2 cores shared with other builds, load average about 6): all of
//! Chromium's processes together peak at about 450 MB PSS while rendering the demo form at
//! 1,280 × 800, and 830 MB for a 5,000-element page cut at the 16,384 px cap (1,280 ×
//! 16,384 image). Time per render, p50 over 20: 0.6–0.9 s for the demo form, 2.8–3.9 s
//! for the 5,000-element page, whose image is 21 megapixels to capture and encode
//! (`optimizeForSpeed` took about a quarter off that for 35 % larger files; not used, as
//! the image is kept for years).
//!
//! **Network isolation, measured.** Without the proxy flag, a snapshot's resource hints
//! (`preconnect`, `dns-prefetch`, `prefetch`) opened two connections to their origin
//! although every request was intercepted; with it, none (`tests/render.rs`).

mod browser;
pub mod geometry;
mod page;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::time::{timeout_at, Instant};

use bytes::Bytes;
use futures::future::BoxFuture;
use tokio::sync::Semaphore;
use url::Url;

pub use geometry::PixelBox;

/// What to render: one stored snapshot and what the capture said about the screen.
#[derive(Debug, Clone)]
pub struct RenderRequest<'a> {
    /// The stored snapshot's HTML, unmodified.
    pub html: &'a str,
    /// The document's URL (`page.url`); relative URLs in the snapshot resolve against it.
    pub page_url: &'a Url,
    /// The captured layout viewport width in CSS pixels (`page.viewport.width`).
    pub viewport_width: u32,
    /// The captured layout viewport height in CSS pixels (`page.viewport.height`).
    pub viewport_height: u32,
    /// `page.devicePixelRatio`.
    pub device_pixel_ratio: f64,
    /// Selectors of the elements to outline, in order: the trigger's (`trigger.selector`),
    /// then the highlighted element's ([`geometry::highlight_selector`] of the
    /// `highlightTarget` label). A selector that matches nothing is skipped.
    pub outline: Vec<String>,
}

/// Answers the requests a page makes while it renders: the archive made at ingest.
pub trait AssetSource: Send + Sync {
    /// `Some((content type, body))` for an asset the source holds; `None` fails the
    /// request. `url` has no fragment.
    fn get(&self, url: &Url) -> BoxFuture<'_, Option<(String, Bytes)>>;
}

/// The image and where its outlines are.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// The PNG.
    pub png: Vec<u8>,
    /// Image width in pixels (viewport width × device pixel ratio).
    pub width: u32,
    /// Image height in pixels.
    pub height: u32,
    /// The outlined boxes, outline included, in image pixels, in the order of
    /// [`RenderRequest::outline`] (those that matched and are in the image).
    pub outlined: Vec<PixelBox>,
    /// The page was taller than the cap and the image is cut at the bottom.
    pub truncated: bool,
}

/// How the renderer runs Chromium.
#[derive(Debug, Clone)]
pub struct RendererConfig {
    /// The Chromium executable.
    pub chromium: PathBuf,
    /// The longest one render may take, from the start of its work (waiting for a turn
    /// not included) to the PNG.
    pub timeout: Duration,
    /// Renders at once; each is one renderer process. One on a 2-core machine.
    pub max_concurrent: usize,
}

impl Default for RendererConfig {
    fn default() -> Self {
        Self {
            chromium: PathBuf::from("/usr/bin/chromium"),
            timeout: Duration::from_secs(30),
            max_concurrent: 1,
        }
    }
}

/// Why a render failed. The messages name no internals; the source is logged.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The request cannot be rendered (a viewport or pixel ratio out of range).
    #[error("the snapshot cannot be rendered: {0}")]
    Invalid(&'static str),
    /// The render took longer than [`RendererConfig::timeout`].
    #[error("the render took too long")]
    Timeout,
    /// Chromium could not be started or failed during the render.
    #[error("the renderer failed")]
    Browser,
}

/// Widest and tallest viewport rendered, in CSS pixels.
const MAX_VIEWPORT_CSS: u32 = 8_192;
/// Largest device pixel ratio rendered.
const MAX_DEVICE_PIXEL_RATIO: f64 = 4.0;

/// Renders snapshots with one Chromium process, launched on first use and reused. Cheap to
/// clone: clones share the process.
#[derive(Clone)]
pub struct Renderer {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Renderer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Renderer")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

struct Inner {
    config: RendererConfig,
    browser: browser::Slot,
    turns: Semaphore,
}

impl Renderer {
    /// A renderer; Chromium starts with the first render.
    pub fn new(config: RendererConfig) -> Self {
        let turns = Semaphore::new(config.max_concurrent.max(1));
        let browser = browser::Slot::new(config.chromium.clone());
        Self {
            inner: Arc::new(Inner {
                config,
                browser,
                turns,
            }),
        }
    }

    /// Renders `request` into a full-page PNG, every request of the page answered by
    /// `assets` or failed. Waits for a turn when [`RendererConfig::max_concurrent`]
    /// renders are running.
    pub async fn render_png(
        &self,
        request: RenderRequest<'_>,
        assets: &dyn AssetSource,
    ) -> Result<Rendered, RenderError> {
        check(&request)?;
        let _turn = self
            .inner
            .turns
            .acquire()
            .await
            .map_err(|_| RenderError::Browser)?;
        let deadline = Instant::now() + self.inner.config.timeout;
        let browser = timeout_at(deadline, self.inner.browser.get())
            .await
            .map_err(|_| RenderError::Timeout)??;
        match self.attempt(&browser, &request, assets, deadline).await {
            Err(Attempt::Failed(error)) if self.inner.browser.is_dead(&browser).await => {
                tracing::warn!(%error, "Chromium died during a render; relaunching");
                let browser = timeout_at(deadline, self.inner.browser.get())
                    .await
                    .map_err(|_| RenderError::Timeout)??;
                self.attempt(&browser, &request, assets, deadline)
                    .await
                    .map_err(Attempt::into_error)
            }
            result => result.map_err(Attempt::into_error),
        }
    }

    /// One render in its own browser context, which is closed before this returns.
    async fn attempt(
        &self,
        browser: &Arc<chromiumoxide::Browser>,
        request: &RenderRequest<'_>,
        assets: &dyn AssetSource,
        deadline: Instant,
    ) -> Result<Rendered, Attempt> {
        let context = timeout_at(deadline, page::Context::create(browser))
            .await
            .map_err(|_| Attempt::TimedOut)??;
        let rendered = timeout_at(deadline, page::render(&context, request, assets)).await;
        context.dispose().await;
        rendered
            .map_err(|_| Attempt::TimedOut)?
            .map_err(Attempt::Failed)
    }

    /// The process id of the running Chromium, if one is running (for measurements and
    /// for tests that stop it).
    pub async fn browser_pid(&self) -> Option<u32> {
        self.inner.browser.pid().await
    }

    /// The DevTools WebSocket URL of the running Chromium, if one is running (for tests
    /// that list its targets).
    pub async fn devtools_url(&self) -> Option<String> {
        self.inner.browser.devtools_url().await
    }
}

/// How one attempt ended when it did not render.
enum Attempt {
    TimedOut,
    Failed(page::Failure),
}

impl From<page::Failure> for Attempt {
    fn from(failure: page::Failure) -> Self {
        Self::Failed(failure)
    }
}

impl Attempt {
    fn into_error(self) -> RenderError {
        match self {
            Self::TimedOut => RenderError::Timeout,
            Self::Failed(error) => {
                tracing::error!(%error, "render failed");
                RenderError::Browser
            }
        }
    }
}

fn check(request: &RenderRequest<'_>) -> Result<(), RenderError> {
    let in_range = |v: u32| (1..=MAX_VIEWPORT_CSS).contains(&v);
    if !in_range(request.viewport_width) || !in_range(request.viewport_height) {
        return Err(RenderError::Invalid("viewport out of range"));
    }
    let dpr = request.device_pixel_ratio;
    if !(dpr.is_finite() && dpr > 0.0 && dpr <= MAX_DEVICE_PIXEL_RATIO) {
        return Err(RenderError::Invalid("device pixel ratio out of range"));
    }
    if !matches!(request.page_url.scheme(), "http" | "https") {
        return Err(RenderError::Invalid("page URL is not http or https"));
    }
    Ok(())
}
