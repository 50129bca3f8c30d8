//! The evidence image renderer against real Chromium (`/usr/bin/chromium`): snapshots
//! rendered from an in-memory asset source, pixels read back from the PNG.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use expressconsent_server::render::{
    geometry, AssetSource, PixelBox, RenderError, RenderRequest, Rendered, Renderer, RendererConfig,
};
use futures::future::BoxFuture;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use url::Url;

/// Assets by URL, as the archive would answer them.
#[derive(Default)]
struct Memory {
    assets: HashMap<String, (String, Bytes)>,
    /// URLs that never answer.
    hanging: Vec<String>,
}

impl Memory {
    fn with(mut self, url: &str, content_type: &str, body: impl Into<Bytes>) -> Self {
        self.assets
            .insert(url.to_owned(), (content_type.to_owned(), body.into()));
        self
    }
}

impl AssetSource for Memory {
    fn get(&self, url: &Url) -> BoxFuture<'_, Option<(String, Bytes)>> {
        let found = self.assets.get(url.as_str()).cloned();
        let hangs = self.hanging.iter().any(|h| h == url.as_str());
        Box::pin(async move {
            if hangs {
                futures::future::pending::<()>().await;
            }
            found
        })
    }
}

/// A local HTTP server that counts every connection made to it.
struct Counter {
    origin: String,
    connections: Arc<AtomicUsize>,
}

async fn counting_server() -> Counter {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let connections = Arc::new(AtomicUsize::new(0));
    let seen = connections.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            seen.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = socket.read(&mut buf).await;
                let body = "body{background:#ff00ff}";
                let reply = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: text/css\r\ncontent-length: {}\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(reply.as_bytes()).await;
            });
        }
    });
    Counter {
        origin,
        connections,
    }
}

fn renderer() -> Renderer {
    Renderer::new(RendererConfig::default())
}

fn page_url() -> Url {
    Url::parse("https://shop.example/quote").unwrap()
}

fn request<'a>(html: &'a str, url: &'a Url, outline: &[&str]) -> RenderRequest<'a> {
    RenderRequest {
        html,
        page_url: url,
        viewport_width: 400,
        viewport_height: 300,
        device_pixel_ratio: 1.0,
        outline: outline.iter().map(|s| s.to_string()).collect(),
    }
}

/// The image's pixels, RGBA.
struct Image {
    width: u32,
    height: u32,
    rgba: Vec<u8>,
}

impl Image {
    fn decode(rendered: &Rendered) -> Image {
        let mut decoder = png::Decoder::new(std::io::Cursor::new(rendered.png.as_slice()));
        decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().expect("a decodable size")];
        let info = reader.next_frame(&mut buf).unwrap();
        let channels = info.color_type.samples();
        let mut rgba = Vec::with_capacity((info.width * info.height * 4) as usize);
        for px in buf[..info.buffer_size()].chunks(channels) {
            rgba.extend_from_slice(&[px[0], px[1], px[2], if channels == 4 { px[3] } else { 255 }]);
        }
        assert_eq!((info.width, info.height), (rendered.width, rendered.height));
        Image {
            width: info.width,
            height: info.height,
            rgba,
        }
    }

    fn rgb(&self, x: u32, y: u32) -> [u8; 3] {
        let at = ((y * self.width + x) * 4) as usize;
        [self.rgba[at], self.rgba[at + 1], self.rgba[at + 2]]
    }
}

/// A solid `rgb` PNG, `size` pixels square.
fn solid_png(rgb: [u8; 3], size: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, size, size);
    encoder.set_color(png::ColorType::Rgb);
    let mut writer = encoder.write_header().unwrap();
    let data: Vec<u8> = (0..size * size).flat_map(|_| rgb).collect();
    writer.write_image_data(&data).unwrap();
    writer.finish().unwrap();
    out
}

const RED: [u8; 3] = [255, 0, 0];
const WHITE: [u8; 3] = [255, 255, 255];

#[tokio::test]
async fn a_snapshot_renders_with_its_archived_cross_origin_style_and_image_and_nothing_reaches_the_network(
) {
    let server = counting_server().await;
    let origin = &server.origin;
    let html = format!(
        r#"<!DOCTYPE html><html><head>
<link rel="preconnect" href="{origin}"><link rel="dns-prefetch" href="{origin}">
<link rel="stylesheet" href="{origin}/site.css">
<link rel="prefetch" href="{origin}/next.html">
<style>html,body{{margin:0}}</style></head>
<body><img src="{origin}/pic.png" style="position:absolute;left:20px;top:40px;width:50px;height:50px">
<img src="{origin}/missing.png" style="position:absolute;left:100px;top:40px;width:50px;height:50px">
<iframe src="{origin}/frame.html" style="position:absolute;left:200px;top:40px;border:0"></iframe>
<div style="height:500px"></div></body></html>"#
    );
    let assets = Memory::default()
        .with(
            &format!("{origin}/site.css"),
            "text/css",
            "body{background:#0a14c8}",
        )
        .with(
            &format!("{origin}/pic.png"),
            "image/png",
            solid_png([0, 200, 0], 10),
        );
    let url = page_url();
    let renderer = renderer();

    let styled = renderer
        .render_png(request(&html, &url, &[]), &assets)
        .await
        .unwrap();
    let unstyled = renderer
        .render_png(request(&html, &url, &[]), &Memory::default())
        .await
        .unwrap();

    let image = Image::decode(&styled);
    assert_eq!((image.width, image.height), (400, 500));
    assert_eq!(
        image.rgb(5, 5),
        [10, 20, 200],
        "the archived style sheet applies"
    );
    assert_eq!(image.rgb(45, 65), [0, 200, 0], "the archived image shows");
    let bare = Image::decode(&unstyled);
    assert_eq!(bare.rgb(5, 5), WHITE, "without the archive, no style");
    assert_eq!(
        server.connections.load(Ordering::SeqCst),
        0,
        "no request reached the asset's origin"
    );
}

#[tokio::test]
async fn scripts_in_a_snapshot_do_not_run() {
    let html = r#"<!DOCTYPE html><html><body style="margin:0;background:#fff">
<div id="box" style="width:100px;height:100px;background:#fff"></div>
<script>document.body.style.background = '#f00';
document.getElementById('box').style.background = '#f00';</script>
<img src="data:," onerror="document.body.style.background='#f00'">
</body></html>"#;
    let url = page_url();

    let rendered = renderer()
        .render_png(request(html, &url, &[]), &Memory::default())
        .await
        .unwrap();

    let image = Image::decode(&rendered);
    assert_eq!(image.rgb(50, 50), WHITE);
    assert_eq!(image.rgb(300, 200), WHITE);
}

#[tokio::test]
async fn the_trigger_is_outlined_where_it_is_at_the_captured_width_and_pixel_ratio() {
    // The window was scrolled (the SDK's mark in <body>); the outline's reported box is
    // where the element is in the full-page image regardless.
    let html = r#"<!DOCTYPE html><html data-ec-scroll-x="0" data-ec-scroll-y="500"><body style="margin:0;position:relative"><template shadowrootmode="open"><i data-ec-scroll-mark="" style="position:absolute;width:0;height:0;margin:0;padding:0;border:0;pointer-events:none;scroll-margin:0;scroll-snap-align:start;scroll-initial-target:nearest;left:0px;top:500px"></i><slot></slot></template>
<div style="height:1600px"></div>
<form id="lead"><button style="position:absolute;left:100px;top:1200px;width:200px;height:50px;border:0;background:#0000ff">Get my quote</button></form>
</body></html>"#;
    let url = page_url();
    let trigger = "html > body > form#lead > button";
    let mut req = request(html, &url, &[trigger]);
    req.device_pixel_ratio = 2.0;

    let rendered = renderer()
        .render_png(req, &Memory::default())
        .await
        .unwrap();

    let image = Image::decode(&rendered);
    assert_eq!(
        (image.width, image.height),
        (800, 3200),
        "width × DPR, whole page"
    );
    assert_eq!(
        rendered.outlined,
        vec![PixelBox {
            x: 194,
            y: 2394,
            width: 412,
            height: 112
        }]
    );
    let at = rendered.outlined[0];
    assert_eq!(
        image.rgb(at.x + 1, at.y + 1),
        RED,
        "outline at the top left"
    );
    assert_eq!(image.rgb(at.x + at.width - 2, at.y + at.height - 2), RED);
    assert_eq!(image.rgb(400, 2450), [0, 0, 255], "the button inside it");
    assert_eq!(image.rgb(at.x - 2, at.y + 20), WHITE, "nothing outside it");
}

#[tokio::test]
async fn a_control_in_a_shadow_root_and_the_highlighted_element_are_outlined() {
    // The SDK's path of an element in a shadow tree starts at that tree's top element;
    // the document has a button too, which the same path would match.
    let html = r#"<!DOCTYPE html><html><body style="margin:0">
<button style="position:absolute;left:10px;top:10px;width:40px;height:20px">light</button>
<div style="position:absolute;left:100px;top:100px"><template shadowrootmode="open"><div><button style="width:80px;height:30px;border:0;background:#00f">Submit</button></div></template></div>
<p data-expressconsent-highlight-label="tcpa" style="position:absolute;left:50px;top:200px;width:200px;height:20px;margin:0">I agree</p>
</body></html>"#;
    let url = page_url();
    let highlight = geometry::highlight_selector("tcpa");

    let rendered = renderer()
        .render_png(
            request(html, &url, &["div > button", &highlight]),
            &Memory::default(),
        )
        .await
        .unwrap();

    let image = Image::decode(&rendered);
    assert_eq!(
        rendered.outlined,
        vec![
            PixelBox {
                x: 97,
                y: 97,
                width: 86,
                height: 36
            },
            PixelBox {
                x: 47,
                y: 197,
                width: 206,
                height: 26
            }
        ]
    );
    assert_eq!(image.rgb(98, 98), RED);
    assert_eq!(image.rgb(48, 198), RED);
    assert_ne!(image.rgb(8, 8), RED, "the light-DOM button is not outlined");
}

#[tokio::test]
async fn a_scrolled_container_renders_at_its_captured_offset() {
    // As the SDK writes it: the container's mark at its offset, in a shadow root of its own.
    let html = r#"<!DOCTYPE html><html><body style="margin:0">
<div style="width:200px;height:100px;overflow:auto;position:relative" data-ec-scroll-x="0" data-ec-scroll-y="300"><template shadowrootmode="open"><i data-ec-scroll-mark="" style="position:absolute;width:0;height:0;margin:0;padding:0;border:0;pointer-events:none;scroll-margin:0;scroll-snap-align:start;scroll-initial-target:nearest;left:0px;top:300px"></i><slot></slot></template><div style="height:300px;background:#fff"></div><div style="height:100px;background:#00c800"></div></div>
</body></html>"#;
    let url = page_url();

    let rendered = renderer()
        .render_png(request(html, &url, &[]), &Memory::default())
        .await
        .unwrap();

    assert_eq!(Image::decode(&rendered).rgb(50, 50), [0, 200, 0]);
}

#[tokio::test]
async fn a_killed_chromium_is_relaunched_for_the_next_render() {
    let html = "<!DOCTYPE html><body style='background:#0a14c8'>";
    let url = page_url();
    let renderer = renderer();
    renderer
        .render_png(request(html, &url, &[]), &Memory::default())
        .await
        .unwrap();
    let first = renderer.browser_pid().await.unwrap();

    rustix::process::kill_process(
        rustix::process::Pid::from_raw(first as i32).unwrap(),
        rustix::process::Signal::KILL,
    )
    .unwrap();
    let rendered = renderer
        .render_png(request(html, &url, &[]), &Memory::default())
        .await
        .unwrap();

    assert_eq!(Image::decode(&rendered).rgb(5, 5), [10, 20, 200]);
    assert_ne!(renderer.browser_pid().await, Some(first));
}

#[tokio::test]
async fn a_render_whose_asset_never_answers_times_out_and_its_page_is_closed() {
    let html =
        r#"<!DOCTYPE html><link rel="stylesheet" href="https://cdn.example/slow.css"><body>"#;
    let url = page_url();
    let renderer = Renderer::new(RendererConfig {
        timeout: Duration::from_secs(3),
        ..RendererConfig::default()
    });
    let hanging = Memory {
        hanging: vec!["https://cdn.example/slow.css".into()],
        ..Memory::default()
    };

    let started = std::time::Instant::now();
    let result = renderer
        .render_png(request(html, &url, &[]), &hanging)
        .await;

    assert!(matches!(result, Err(RenderError::Timeout)), "{result:?}");
    assert!(started.elapsed() < Duration::from_secs(10));
    let pages = open_pages(&renderer).await;
    assert!(
        !pages.iter().any(|u| u.starts_with("https://shop.example")),
        "{pages:?}"
    );
    // The browser is still usable.
    renderer
        .render_png(request("<body>", &url, &[]), &Memory::default())
        .await
        .unwrap();
}

/// The URLs of the page targets Chromium has open, from its DevTools HTTP endpoint.
async fn open_pages(renderer: &Renderer) -> Vec<String> {
    let ws = Url::parse(&renderer.devtools_url().await.unwrap()).unwrap();
    let list = format!(
        "http://{}:{}/json/list",
        ws.host_str().unwrap(),
        ws.port().unwrap()
    );
    let targets: Vec<serde_json::Value> = reqwest::get(list).await.unwrap().json().await.unwrap();
    targets
        .iter()
        .filter(|t| t["type"] == "page")
        .map(|t| t["url"].as_str().unwrap_or_default().to_owned())
        .collect()
}
