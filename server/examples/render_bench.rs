//! Measures the evidence image renderer: time per render (p50, p99 over 20 renders) of the
//! demo lead form (`www/demo.html`) and of a page of about 5,000 elements, and the memory
//! of all of Chromium's processes (PSS), sampled while they render.
//!
//! `cargo run -p expressconsent-server --example render_bench`

use std::time::{Duration, Instant};

use bytes::Bytes;
use expressconsent_server::render::{AssetSource, RenderRequest, Renderer, RendererConfig};
use futures::future::BoxFuture;
use url::Url;

const RENDERS: usize = 20;

/// No archive: every asset request fails, as for a page that inlines its styles.
struct NoAssets;

impl AssetSource for NoAssets {
    fn get(&self, _: &Url) -> BoxFuture<'_, Option<(String, Bytes)>> {
        Box::pin(async { None })
    }
}

#[tokio::main]
async fn main() {
    let demo = include_str!("../../www/demo.html");
    let big = big_page(5_000);
    let renderer = Renderer::new(RendererConfig::default());
    let url = Url::parse("https://demo.example/").unwrap();
    let request = |html| RenderRequest {
        html,
        page_url: &url,
        viewport_width: 1280,
        viewport_height: 800,
        device_pixel_ratio: 1.0,
        outline: vec!["html > body > main > form > button".into()],
    };
    // Chromium's launch is not a render's cost.
    renderer.render_png(request(demo), &NoAssets).await.unwrap();
    let pid = renderer.browser_pid().await.unwrap();
    for (name, html) in [("demo form", demo), ("5k-node page", big.as_str())] {
        let mut times = Vec::new();
        let mut peak_pss = 0;
        let mut bytes = 0;
        for _ in 0..RENDERS {
            let started = Instant::now();
            let render = renderer.render_png(request(html), &NoAssets);
            tokio::pin!(render);
            let rendered = loop {
                tokio::select! {
                    rendered = &mut render => break rendered.unwrap(),
                    () = tokio::time::sleep(Duration::from_millis(20)) => {
                        peak_pss = peak_pss.max(tree_pss_kb(pid));
                    }
                }
            };
            times.push(started.elapsed());
            bytes = rendered.png.len();
        }
        times.sort();
        println!(
            "{name}: p50 {:?}, p99 {:?} over {RENDERS} renders; PNG {bytes} bytes; \
             Chromium PSS peak {} MB (all processes)",
            times[RENDERS / 2],
            times[RENDERS * 99 / 100],
            peak_pss / 1024
        );
    }
}

/// A page of `count` elements: rows of a table-like list with text and borders.
fn big_page(count: usize) -> String {
    let mut html = String::from("<!DOCTYPE html><html><body><main><form>");
    for i in 0..count / 5 {
        html.push_str(&format!(
            "<div style='border-bottom:1px solid #ddd;padding:2px'><span>Row {i}</span> \
             <b>bold</b> <i>italic</i> <a href='#r{i}'>link</a></div>"
        ));
    }
    html.push_str("<button>Submit</button></form></main></body></html>");
    html
}

/// The proportional set size (shared pages counted once across the processes) of `pid`
/// and its descendants, in kB, from `/proc`. Summing RSS would count the pages Chromium's
/// forked processes share once per process.
fn tree_pss_kb(root: u32) -> u64 {
    let mut parents = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // The parent is the second field after the command name's closing parenthesis.
        let ppid = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1))
            .and_then(|p| p.parse::<u32>().ok());
        if let Some(ppid) = ppid {
            parents.push((pid, ppid));
        }
    }
    let mut tree = vec![root];
    let mut grew = true;
    while grew {
        grew = false;
        for &(pid, ppid) in &parents {
            if tree.contains(&ppid) && !tree.contains(&pid) {
                tree.push(pid);
                grew = true;
            }
        }
    }
    tree.iter()
        .filter_map(|pid| std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok())
        .filter_map(|status| {
            status
                .lines()
                .find(|l| l.starts_with("Pss:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .sum()
}
