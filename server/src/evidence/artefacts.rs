//! A CDR's derived artefacts, stored beside its evidence: the evidence image and the PDF
//! report. Neither ever changes the evidence; both are made from it and the assets archived
//! at ingest.
//!
//! Owns their object keys and how each is made from stored data:
//!
//! | object | made by | when |
//! |---|---|---|
//! | `cdrs/<id>/image.png` and `image.json` (size and outlined boxes) | [`render_image`] | by a job right after archiving; again on demand if missing |
//! | `cdrs/<id>/report-<fingerprint>.pdf` | [`report`] | by a job after the image, and on demand; a new share event makes a new fingerprint |
//!
//! The image's `image.json` is written after the PNG, so its presence means the image is
//! complete.

use bytes::Bytes;
use expressconsent_protocol::{ConsentFacts, ImageInfo, OutlinedBox};
use futures::future::BoxFuture;
use sha2::{Digest, Sha256};
use url::Url;

use crate::db::assets::load_manifest;
use crate::db::cdrs::CdrRecord;
use crate::db::shares::share_history;
use crate::db::{now_ms, Db};
use crate::evidence::archive::{lookup, Manifest};
use crate::evidence::facts::for_cdr;
use crate::evidence::store::EvidenceStore;
use crate::evidence::StoredCapture;
use crate::render::geometry::highlight_selector;
use crate::render::{AssetSource, RenderError, RenderRequest, Renderer};
use crate::report::{
    build_report, Attachment, Relationship, ReportAsset, ReportCheckbox, ReportData,
    ReportDisclosure, ReportField, ReportLog, ReportShareEvent, ReportTrigger,
};

/// The key of a CDR's evidence image.
pub fn image_key(cdr_id: &str) -> String {
    format!("cdrs/{cdr_id}/image.png")
}

/// The key of what the image's readers need to know besides its pixels.
pub fn image_info_key(cdr_id: &str) -> String {
    format!("cdrs/{cdr_id}/image.json")
}

/// The key of a report with this fingerprint of its contents.
pub fn report_key(cdr_id: &str, fingerprint: &str) -> String {
    format!("cdrs/{cdr_id}/report-{fingerprint}.pdf")
}

/// Why an artefact could not be made. Messages are for logs and job errors.
#[derive(Debug, thiserror::Error)]
pub enum ArtefactError {
    /// Reading or writing the evidence store failed.
    #[error("evidence store: {0}")]
    Store(#[from] object_store::Error),
    /// The database failed.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// The stored capture or facts could not be read.
    #[error("stored evidence: {0}")]
    Evidence(String),
    /// The renderer failed.
    #[error("render: {0}")]
    Render(#[from] RenderError),
    /// The report could not be built.
    #[error("report: {0}")]
    Report(String),
}

/// The archived assets of one CDR, as the renderer asks for them.
struct ArchiveSource<'a> {
    store: &'a EvidenceStore,
    manifest: Manifest,
}

impl AssetSource for ArchiveSource<'_> {
    fn get(&self, url: &Url) -> BoxFuture<'_, Option<(String, Bytes)>> {
        let url = url.clone();
        Box::pin(async move { lookup(self.store, &self.manifest, &url).await })
    }
}

/// Loads and parses a CDR's stored capture, with its raw bytes.
pub async fn load_capture(
    store: &EvidenceStore,
    cdr: &CdrRecord,
) -> Result<(Bytes, StoredCapture), ArtefactError> {
    let bytes = store.get(&cdr.object_key).await?;
    let parsed = crate::http::json::from_slice(&bytes)
        .map_err(|err| ArtefactError::Evidence(format!("the capture does not parse: {err}")))?;
    Ok((bytes, parsed))
}

/// Renders the CDR's image from its snapshot and archive and stores it (again, if it
/// exists: the result is the same).
pub async fn render_image(
    db: &Db,
    store: &EvidenceStore,
    renderer: &Renderer,
    cdr: &CdrRecord,
) -> Result<ImageInfo, ArtefactError> {
    let (_, capture) = load_capture(store, cdr).await?;
    let manifest = load_manifest(db, &cdr.id).await?;
    let page_url = Url::parse(&capture.page.url)
        .or_else(|_| Url::parse(&cdr.page_url))
        .unwrap_or_else(|_| Url::parse("https://invalid.example/").expect("a valid URL"));
    let mut outline = Vec::new();
    if let Some(trigger) = capture.trigger.as_ref().filter(|t| !t.selector.is_empty()) {
        outline.push(trigger.selector.clone());
    }
    if let Some(label) = capture
        .highlight_target
        .as_deref()
        .filter(|l| !l.is_empty())
    {
        outline.push(highlight_selector(label));
    }
    let (width, height, dpr) = screen(&capture);
    let request = RenderRequest {
        html: &capture.snapshot.html,
        page_url: &page_url,
        viewport_width: width,
        viewport_height: height,
        device_pixel_ratio: dpr,
        outline,
    };
    let source = ArchiveSource { store, manifest };
    let rendered = renderer.render_png(request, &source).await?;
    let info = ImageInfo {
        width: rendered.width,
        height: rendered.height,
        truncated: rendered.truncated,
        outlined: rendered
            .outlined
            .iter()
            .map(|b| OutlinedBox {
                x: b.x,
                y: b.y,
                width: b.width,
                height: b.height,
            })
            .collect(),
    };
    store
        .put(&image_key(&cdr.id), Bytes::from(rendered.png))
        .await?;
    let json = serde_json::to_vec(&info).map_err(|err| ArtefactError::Evidence(err.to_string()))?;
    store
        .put(&image_info_key(&cdr.id), Bytes::from(json))
        .await?;
    Ok(info)
}

/// The captured viewport and pixel ratio, within what the renderer accepts: a forged or
/// odd capture (a zero or huge viewport) renders at a sensible size rather than not at all.
fn screen(capture: &StoredCapture) -> (u32, u32, f64) {
    let dimension = |value: f64, default: u32| {
        if value.is_finite() && value >= 1.0 {
            (value.round() as u32).min(8_192)
        } else {
            default
        }
    };
    let viewport = capture.page.viewport;
    let dpr = capture.page.device_pixel_ratio;
    let dpr = if dpr.is_finite() && dpr > 0.0 {
        dpr.clamp(0.25, 4.0)
    } else {
        1.0
    };
    (
        dimension(viewport.width, 1280),
        dimension(viewport.height, 800),
        dpr,
    )
}

/// The image's size and outlines, once it is rendered.
pub async fn image_info(
    store: &EvidenceStore,
    cdr_id: &str,
) -> Result<Option<ImageInfo>, ArtefactError> {
    let Some(json) = store.get_optional(&image_info_key(cdr_id)).await? else {
        return Ok(None);
    };
    serde_json::from_slice(&json)
        .map(Some)
        .map_err(|err| ArtefactError::Evidence(format!("image.json: {err}")))
}

/// The CDR's report as of now (share history included), built and stored unless a report
/// with the same contents is stored already. `None` while the image is not rendered.
pub async fn report(
    db: &Db,
    store: &EvidenceStore,
    cdr: &CdrRecord,
    log_verifier_key: &str,
) -> Result<Option<Bytes>, ArtefactError> {
    let Some(image) = store.get_optional(&image_key(&cdr.id)).await? else {
        return Ok(None);
    };
    if image_info(store, &cdr.id).await?.is_none() {
        return Ok(None);
    }
    let (evidence, capture) = load_capture(store, cdr).await?;
    let facts = for_cdr(db, store, &cdr.id, &cdr.object_key)
        .await
        .map_err(|err| ArtefactError::Evidence(err.to_string()))?;
    let manifest = load_manifest(db, &cdr.id).await?;
    let shares = share_history(db, &cdr.id).await?;
    let mut data = report_data(cdr, &capture, &facts, &manifest, shares);
    let proof = crate::log::proof::proof_for(db, &cdr.id)
        .await
        .map_err(|err| ArtefactError::Evidence(format!("log proof: {err}")))?;

    // The fingerprint leaves the log's growth out: a report made against an earlier
    // checkpoint proves inclusion as well as a newer one, so it is kept (until the CDR
    // first appears in the log, or more witnesses have cosigned).
    let mut hash = Sha256::new();
    hash.update(format!("{data:?}"));
    hash.update(format!(
        "log:{:?}",
        proof.as_ref().map(|p| (p.index, p.cosignatures))
    ));
    hash.update(Sha256::digest(&image));
    let fingerprint = hex::encode(&hash.finalize()[..16]);
    let key = report_key(&cdr.id, &fingerprint);
    if let Some(pdf) = store.get_optional(&key).await? {
        return Ok(Some(pdf));
    }
    data.generated_at_ms = now_ms();
    let mut attachments = Vec::new();
    if let Some(proof) = proof {
        data.log = Some(ReportLog {
            index: proof.index,
            tree_size: proof.tree_size,
            root_hash: proof.root_hash_b64,
            witnesses: proof.cosignatures,
            checkpoint: proof.checkpoint,
            verifier_key: log_verifier_key.to_owned(),
        });
        attachments.push(Attachment {
            name: "proof.txt".into(),
            mime: "text/plain".into(),
            description: "Inclusion proof in the transparency log (c2sp.org/tlog-proof@v1)".into(),
            bytes: proof.text.into_bytes(),
            relationship: Relationship::Supplement,
        });
    }
    let pdf =
        tokio::task::spawn_blocking(move || build_report(&data, &evidence, &image, &attachments))
            .await
            .map_err(|err| ArtefactError::Report(err.to_string()))?
            .map_err(|err| ArtefactError::Report(err.to_string()))?;
    let pdf = Bytes::from(pdf);
    store.put(&key, pdf.clone()).await?;
    Ok(Some(pdf))
}

/// What the report prints, from what is stored. `generated_at_ms` is left 0 (the caller
/// sets it), so that equal contents have equal fingerprints.
fn report_data(
    cdr: &CdrRecord,
    capture: &StoredCapture,
    facts: &ConsentFacts,
    manifest: &Manifest,
    shares: Vec<(String, i64, String)>,
) -> ReportData {
    let name = |value: &dyn erased::AsJson| value.json_name();
    ReportData {
        cdr_id: cdr.id.clone(),
        org_id: cdr.org_id.clone(),
        domain_id: cdr.domain_id.clone(),
        domain: cdr.domain_id.clone(),
        page_url: cdr.page_url.clone(),
        page_title: capture.page.title.clone(),
        captured_at_ms: capture.page.captured_at as i64,
        received_at_ms: cdr.created_at,
        generated_at_ms: 0,
        ip: cdr.received_ip.clone(),
        user_agent: cdr.user_agent.clone(),
        disclosures: facts
            .disclosures
            .iter()
            .map(|d| ReportDisclosure {
                id: d.captured.id.clone(),
                text: d.captured.text.clone(),
                consent_mechanism: name(&d.consent_mechanism),
                visible: d.captured.rendered && d.captured.opacity > 0.0,
                font_size_px: d.captured.font_size_px,
                contrast_ratio: d.captured.contrast_ratio,
            })
            .collect(),
        checkboxes: facts
            .consent_checkboxes
            .iter()
            .map(|c| ReportCheckbox {
                consent_for: c.consent_for.clone(),
                checked: c.checked,
            })
            .collect(),
        trigger: facts.trigger.as_ref().map(|t| ReportTrigger {
            tag_name: t.reported.tag_name.clone(),
            text: t.reported.text.clone(),
            selector: t.reported.selector.clone(),
            event_type: t.reported.event_type.clone(),
            is_trusted: t.reported.is_trusted,
        }),
        fields: facts
            .telemetry
            .fields
            .iter()
            .map(|(name, f)| ReportField {
                name: name.clone(),
                fill_method: f.fill_method.clone(),
                keystrokes: f.keystrokes,
                focus_to_submit_ms: f.focus_to_submit_ms,
            })
            .collect(),
        time_on_page_ms: facts.telemetry.time_on_page_ms,
        pointer_activity: facts.telemetry.pointer_activity,
        content_sha256: cdr.content_sha256.clone(),
        assets: manifest
            .assets
            .iter()
            .map(|a| ReportAsset {
                url: a.url.clone(),
                status: a.status.as_str().to_owned(),
                sha256: a.sha256.clone(),
            })
            .collect(),
        shares: shares
            .into_iter()
            .map(|(org_id, at_ms, relation)| ReportShareEvent {
                org_id,
                at_ms,
                relation,
            })
            .collect(),
        log: None,
    }
}

mod erased {
    /// The name a value has in JSON (a unit enum's variant), for the report's plain strings.
    pub trait AsJson {
        fn json_name(&self) -> String;
    }

    impl<T: serde::Serialize> AsJson for T {
        fn json_name(&self) -> String {
            match serde_json::to_value(self) {
                Ok(serde_json::Value::String(s)) => s,
                Ok(other) => other.to_string(),
                Err(_) => String::new(),
            }
        }
    }
}
