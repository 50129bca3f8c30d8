//! One render: a fresh incognito browser context and target, the snapshot loaded with
//! scripts off and every request answered from the [`AssetSource`] or failed, the
//! outlines added, the full page captured. The caller disposes the context (and with it
//! the target) when the render ends, whether it succeeded, failed or was stopped by the
//! timeout; a context dropped without that (a cancelled render) is disposed in the
//! background.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use chromiumoxide::cdp::browser_protocol::browser::BrowserContextId;
use chromiumoxide::cdp::browser_protocol::dom::{
    GetAttributesParams, GetBoxModelParams, GetDocumentParams, Node, NodeId, QuerySelectorParams,
    SetAttributeValueParams, ShadowRootType,
};
use chromiumoxide::cdp::browser_protocol::emulation::{
    SetDeviceMetricsOverrideParams, SetScriptExecutionDisabledParams, SetScrollbarsHiddenParams,
};
use chromiumoxide::cdp::browser_protocol::fetch::{
    self, EventRequestPaused, FailRequestParams, FulfillRequestParams, HeaderEntry, RequestPattern,
    RequestStage,
};
use chromiumoxide::cdp::browser_protocol::network::{ErrorReason, ResourceType};
use chromiumoxide::cdp::browser_protocol::page::{
    CaptureScreenshotFormat, CaptureScreenshotParams, EventLoadEventFired, GetLayoutMetricsParams,
    NavigateParams, Viewport,
};
use chromiumoxide::cdp::browser_protocol::target::{
    CreateBrowserContextParams, CreateTargetParams,
};
use chromiumoxide::error::CdpError;
use chromiumoxide::{Browser, Page};
use futures::StreamExt;

use super::geometry::{self, Answer};
use super::{AssetSource, RenderRequest, Rendered};

/// Requests answered at once; an archive lookup may read object storage.
const CONCURRENT_ANSWERS: usize = 16;

/// Why one render failed; logged, never shown to a client.
#[derive(Debug, thiserror::Error)]
pub(super) enum Failure {
    #[error("DevTools: {0}")]
    Cdp(#[from] CdpError),
    #[error("{0}")]
    Page(&'static str),
}

/// A render's own incognito browser context; disposing it closes its target.
pub(super) struct Context {
    browser: Arc<Browser>,
    id: Option<BrowserContextId>,
}

impl Context {
    pub(super) async fn create(browser: &Arc<Browser>) -> Result<Self, Failure> {
        let id = browser
            .create_browser_context(CreateBrowserContextParams::default())
            .await?;
        Ok(Self {
            browser: browser.clone(),
            id: Some(id),
        })
    }

    /// Closes the context and its target, waiting at most `DISPOSE_TIMEOUT`.
    pub(super) async fn dispose(mut self) {
        if let Some(id) = self.id.take() {
            dispose(self.browser.clone(), id).await;
        }
    }
}

/// A context dropped undisposed (its render was cancelled) is disposed in the background.
impl Drop for Context {
    fn drop(&mut self) {
        let (Some(id), Ok(runtime)) = (self.id.take(), tokio::runtime::Handle::try_current())
        else {
            return;
        };
        runtime.spawn(dispose(self.browser.clone(), id));
    }
}

/// How long closing a render's context may take; a browser that does not answer is
/// found dead by the next render.
const DISPOSE_TIMEOUT: Duration = Duration::from_secs(5);

async fn dispose(browser: Arc<Browser>, id: BrowserContextId) {
    let disposed = tokio::time::timeout(DISPOSE_TIMEOUT, browser.dispose_browser_context(id));
    if !matches!(disposed.await, Ok(Ok(()))) {
        tracing::debug!("a render's browser context was not disposed");
    }
}

/// Renders `request` in a new target of `context`.
pub(super) async fn render(
    context: &Context,
    request: &RenderRequest<'_>,
    assets: &dyn AssetSource,
) -> Result<Rendered, Failure> {
    let id = context
        .id
        .clone()
        .ok_or(Failure::Page("context disposed"))?;
    let target = CreateTargetParams::builder()
        .url("about:blank")
        .browser_context_id(id)
        .build()
        .map_err(|_| Failure::Page("target parameters"))?;
    let page = context.browser.new_page(target).await?;
    page.execute(SetScriptExecutionDisabledParams::new(true))
        .await?;
    page.execute(SetDeviceMetricsOverrideParams::new(
        i64::from(request.viewport_width),
        i64::from(request.viewport_height),
        request.device_pixel_ratio,
        false,
    ))
    .await?;
    // No scrollbar takes layout space: the consumer's screenshot-sized view is the
    // content, and on a right-to-left page Chromium would put the scrollbar on the left,
    // shifting the page right in an image clipped from x = 0.
    page.execute(SetScrollbarsHiddenParams::new(true)).await?;
    let paused = page.event_listener::<EventRequestPaused>().await?;
    page.execute(fetch::EnableParams {
        patterns: Some(vec![RequestPattern {
            url_pattern: Some("*".into()),
            resource_type: None,
            request_stage: Some(RequestStage::Request),
        }]),
        handle_auth_requests: None,
    })
    .await?;
    let served = AtomicBool::new(false);
    // Requests keep coming after `load` (lazy images as the capture grows the viewport),
    // so they are answered until the capture is done.
    let answering = paused.for_each_concurrent(CONCURRENT_ANSWERS, |event| {
        answer(&page, event, request, assets, &served)
    });
    tokio::select! {
        rendered = load_and_capture(&page, request) => rendered,
        () = answering => Err(Failure::Page("the target went away")),
    }
}

async fn load_and_capture(page: &Page, request: &RenderRequest<'_>) -> Result<Rendered, Failure> {
    let mut loaded = page.event_listener::<EventLoadEventFired>().await?;
    let navigated = page
        .execute(NavigateParams::new(request.page_url.as_str()))
        .await?;
    if let Some(error) = &navigated.result.error_text {
        tracing::warn!(%error, "navigation to the snapshot failed");
        return Err(Failure::Page("navigation failed"));
    }
    loaded.next().await.ok_or(Failure::Page("no load event"))?;
    let outlined = outline(page, &request.outline).await?;
    let metrics = page.execute(GetLayoutMetricsParams::default()).await?;
    // The horizontal band the consumer's window showed: from the window's scroll position,
    // which on a right-to-left page with content overflowing to the left starts at the
    // right end (document x > 0), not at the document's left edge.
    let left = metrics.result.css_layout_viewport.page_x.max(0) as f64;
    let dpr = request.device_pixel_ratio;
    let (height, truncated) = geometry::capture_height(metrics.result.css_content_size.height, dpr);
    let shot = page
        .execute(CaptureScreenshotParams {
            format: Some(CaptureScreenshotFormat::Png),
            quality: None,
            clip: Some(Viewport {
                x: left,
                y: 0.0,
                width: f64::from(request.viewport_width),
                height,
                scale: 1.0,
            }),
            from_surface: Some(true),
            // Only when the page is taller than the window: Chromium draws a right-to-left
            // page shifted when capturing beyond a viewport it fits in (as Playwright does).
            capture_beyond_viewport: Some(height > f64::from(request.viewport_height)),
            optimize_for_speed: None,
        })
        .await?;
    let png = base64::engine::general_purpose::STANDARD
        .decode(AsRef::<str>::as_ref(&shot.result.data))
        .map_err(|_| Failure::Page("screenshot is not base64"))?;
    let (width, height) = png_size(&png).ok_or(Failure::Page("screenshot is not a PNG"))?;
    let viewport = &metrics.result.css_visual_viewport;
    let mut boxes = Vec::new();
    for node in outlined {
        let Ok(model) = page
            .execute(GetBoxModelParams::builder().node_id(node).build())
            .await
        else {
            // No box (not rendered): nothing to outline.
            continue;
        };
        let quad = model.result.model.border.inner();
        if let Some(at) = geometry::outline_box(
            quad,
            (viewport.page_x - left, viewport.page_y),
            dpr,
            (width, height),
        ) {
            boxes.push(at);
        }
    }
    Ok(Rendered {
        png,
        width,
        height,
        outlined: boxes,
        truncated,
    })
}

/// Adds the outline to the first element each selector matches, in the document or else
/// in its open shadow roots (in document order); returns the elements outlined.
async fn outline(page: &Page, selectors: &[String]) -> Result<Vec<NodeId>, Failure> {
    if selectors.is_empty() {
        return Ok(Vec::new());
    }
    let document = page
        .execute(GetDocumentParams {
            depth: Some(-1),
            pierce: Some(true),
        })
        .await?
        .result
        .root;
    let mut shadows = Vec::new();
    shadow_roots(&document, &mut shadows);
    let mut outlined = Vec::new();
    for selector in selectors {
        let roots: Vec<NodeId> = if geometry::is_document_path(selector) {
            std::iter::once(document.node_id)
                .chain(shadows.iter().copied())
                .collect()
        } else {
            shadows
                .iter()
                .copied()
                .chain(std::iter::once(document.node_id))
                .collect()
        };
        let Some(node) = first_match(page, &roots, selector).await else {
            tracing::debug!(%selector, "outline selector matches nothing");
            continue;
        };
        let attributes = page
            .execute(GetAttributesParams::new(node))
            .await?
            .result
            .attributes;
        let style = attributes
            .chunks(2)
            .find(|pair| pair[0].eq_ignore_ascii_case("style"))
            .and_then(|pair| pair.get(1))
            .map(String::as_str);
        page.execute(SetAttributeValueParams::new(
            node,
            "style",
            geometry::outlined_style(style),
        ))
        .await?;
        outlined.push(node);
    }
    Ok(outlined)
}

/// The open shadow roots under `node`, in document order (iframes' documents not).
fn shadow_roots(node: &Node, out: &mut Vec<NodeId>) {
    for root in node.shadow_roots.iter().flatten() {
        // Open roots only: the SDK serializes no other (user-agent roots are the
        // browser's own, closed ones the page's secret).
        if root.shadow_root_type == Some(ShadowRootType::Open) {
            out.push(root.node_id);
        }
        shadow_roots(root, out);
    }
    for child in node.children.iter().flatten() {
        shadow_roots(child, out);
    }
}

async fn first_match(page: &Page, roots: &[NodeId], selector: &str) -> Option<NodeId> {
    for root in roots {
        match page
            .execute(QuerySelectorParams::new(*root, selector))
            .await
        {
            Ok(found) if *found.result.node_id.inner() != 0 => return Some(found.result.node_id),
            Ok(_) => {}
            // An invalid selector is invalid in every tree.
            Err(_) => return None,
        }
    }
    None
}

/// Answers one paused request, as [`geometry::answer`] decides.
async fn answer(
    page: &Page,
    event: Arc<EventRequestPaused>,
    request: &RenderRequest<'_>,
    assets: &dyn AssetSource,
    served: &AtomicBool,
) {
    let is_document = event.resource_type == ResourceType::Document;
    let mut decision = geometry::answer(&event.request.url, is_document, request.page_url, false);
    if decision == Answer::Snapshot && served.swap(true, Ordering::AcqRel) {
        decision = Answer::EmptyDocument;
    }
    let id = event.request_id.clone();
    let html = "text/html; charset=utf-8";
    let result = match decision {
        Answer::Snapshot => page
            .execute(fulfill(id, html, request.html.as_bytes(), None))
            .await
            .map(drop),
        Answer::EmptyDocument => page.execute(fulfill(id, html, b"", None)).await.map(drop),
        Answer::Asset(url) => match assets.get(&url).await {
            Some((content_type, body)) => {
                let origin = origin_header(&event);
                page.execute(fulfill(id, &content_type, &body, origin.as_deref()))
                    .await
                    .map(drop)
            }
            None => page
                .execute(FailRequestParams::new(id, ErrorReason::Failed))
                .await
                .map(drop),
        },
        Answer::Fail => page
            .execute(FailRequestParams::new(id, ErrorReason::BlockedByClient))
            .await
            .map(drop),
    };
    if let Err(error) = result {
        // The request may have been cancelled meanwhile (the page moved on).
        tracing::debug!(%error, url = %event.request.url, "answering a request");
    }
}

/// A `200` with `body`. An asset answers a CORS request (a cross-origin font) for its
/// `origin`, as the asset's origin did when the consumer's browser loaded it.
fn fulfill(
    id: fetch::RequestId,
    content_type: &str,
    body: &[u8],
    origin: Option<&str>,
) -> FulfillRequestParams {
    let mut headers = vec![HeaderEntry::new("Content-Type", content_type)];
    if let Some(origin) = origin {
        headers.push(HeaderEntry::new("Access-Control-Allow-Origin", origin));
        headers.push(HeaderEntry::new("Access-Control-Allow-Credentials", "true"));
        headers.push(HeaderEntry::new("Vary", "Origin"));
    }
    FulfillRequestParams {
        request_id: id,
        response_code: 200,
        response_headers: Some(headers),
        binary_response_headers: None,
        body: Some(
            base64::engine::general_purpose::STANDARD
                .encode(body)
                .into(),
        ),
        response_phrase: None,
    }
}

/// The `Origin` header of a paused request, if it has one.
fn origin_header(event: &EventRequestPaused) -> Option<String> {
    let headers = event.request.headers.inner().as_object()?;
    headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("origin"))
        .and_then(|(_, value)| value.as_str())
        .map(str::to_owned)
}

/// Width and height from a PNG's header.
fn png_size(png: &[u8]) -> Option<(u32, u32)> {
    const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
    if png.len() < 24 || !png.starts_with(SIGNATURE) || &png[12..16] != b"IHDR" {
        return None;
    }
    let be = |at: usize| u32::from_be_bytes([png[at], png[at + 1], png[at + 2], png[at + 3]]);
    Some((be(16), be(20)))
}
