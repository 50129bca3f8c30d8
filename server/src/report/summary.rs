//! The summary pages: what the CDR records, in the order a reviewer checks it, and the
//! evidence image after them.

use chrono::{DateTime, Utc};

use super::data::ReportData;
use super::flow::{Cell, Columns, Flow, BODY_WIDTH, BOTTOM, MARGIN, PAGE_HEIGHT};
use super::image::Decoded;
use super::text::{Style, Typesetter, MUTED, WARN};

/// WCAG 2's AA minimum contrast for body text.
const WCAG_AA: f64 = 4.5;
/// The height kept for the caption above each image slice.
const CAPTION: f32 = 18.0;

/// An epoch-milliseconds instant as ISO 8601 in UTC, to the millisecond.
pub(crate) fn utc(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
        .unwrap_or_else(|| format!("{ms} ms since 1970 (out of range)"))
}

fn yes_no(value: bool) -> &'static str {
    if value {
        "yes"
    } else {
        "no"
    }
}

/// Lays out the summary, then the image over as many pages as it takes; returns the flow
/// and the (top row, rows) of each image slice in page order.
pub(crate) fn compose(
    ts: &mut Typesetter,
    data: &ReportData,
    image: &Decoded,
) -> (Flow, Vec<(u32, u32)>) {
    let mut doc = Doc {
        ts,
        flow: Flow::new(),
    };
    doc.title(data);
    doc.record(data);
    doc.disclosures(data);
    doc.checkboxes(data);
    doc.trigger(data);
    doc.interaction(data);
    doc.integrity(data);
    doc.shares(data);
    let slices = doc.image(image);
    (doc.flow, slices)
}

struct Doc<'a> {
    ts: &'a mut Typesetter,
    flow: Flow,
}

impl Doc<'_> {
    fn cell(&mut self, x: f32, width: f32, text: &str, style: Style) -> Cell {
        Cell {
            x,
            paragraph: self.flow.keep(self.ts, text, style, width),
        }
    }

    fn paragraph(&mut self, text: &str, style: Style) {
        let cell = self.cell(0.0, BODY_WIDTH, text, style);
        self.flow.row(&[cell]);
    }

    fn heading(&mut self, text: &str) {
        // A heading stays with at least a few lines of what follows it.
        self.flow.gap(10.0);
        self.flow.need(60.0);
        self.paragraph(text, Style::bold(12.5));
        self.flow.gap(3.0);
    }

    /// Label/value rows, the label column narrow and muted.
    fn pairs(&mut self, rows: &[(&str, String, Style)]) {
        let columns = Columns::share(&[1.0, 3.2]);
        let ((lx, lw), (vx, vw)) = (columns.0[0], columns.0[1]);
        for (label, value, style) in rows {
            let label = self.cell(lx, lw, label, Style::body(9.0).colored(MUTED));
            let value = self.cell(vx, vw, value, *style);
            self.flow.row(&[label, value]);
            self.flow.gap(2.0);
        }
    }

    /// A table with a header repeated on every page it reaches; `rows` are cells' text and
    /// style per column.
    fn table(&mut self, weights: &[f32], header: &[&str], rows: Vec<Vec<(String, Style)>>) {
        let columns = Columns::share(weights);
        let header = columns
            .0
            .iter()
            .zip(header)
            .map(|(&(x, w), text)| self.cell(x, w, text, Style::bold(8.5)))
            .collect();
        self.flow.begin_table(header);
        for row in rows {
            let cells: Vec<Cell> = columns
                .0
                .iter()
                .zip(&row)
                .map(|(&(x, w), (text, style))| self.cell(x, w, text, *style))
                .collect();
            self.flow.row(&cells);
            self.flow.rule(super::flow::INK_RULE);
        }
        self.flow.end_table();
    }

    fn none(&mut self, what: &str) {
        self.paragraph(what, Style::body(9.5).colored(MUTED));
    }

    fn title(&mut self, data: &ReportData) {
        self.paragraph("Consent evidence report", Style::bold(19.0));
        self.flow.gap(2.0);
        let line = format!(
            "Generated {} by ExpressConsent from the evidence of CDR {}. The evidence file \
             exactly as it was received is attached to this PDF as evidence.json \
             (associated file, relationship Source); its SHA-256 content hash is printed \
             below.",
            utc(data.generated_at_ms),
            data.cdr_id,
        );
        self.paragraph(&line, Style::body(9.0).colored(MUTED));
    }

    fn record(&mut self, data: &ReportData) {
        self.heading("Record");
        let body = Style::body(9.5);
        self.pairs(&[
            ("CDR id", data.cdr_id.clone(), Style::mono(9.0)),
            ("Org", data.org_id.clone(), Style::mono(9.0)),
            ("Domain id", data.domain_id.clone(), Style::mono(9.0)),
            ("Domain", data.domain.clone(), body),
            ("Page URL", data.page_url.clone(), body),
            ("Page title", data.page_title.clone(), body),
            ("Captured at (UTC)", utc(data.captured_at_ms), body),
            ("Received at (UTC)", utc(data.received_at_ms), body),
            ("IP address", data.ip.clone(), body),
            ("User agent", data.user_agent.clone(), body),
        ]);
    }

    fn disclosures(&mut self, data: &ReportData) {
        self.heading(&format!("Disclosures ({})", data.disclosures.len()));
        if data.disclosures.is_empty() {
            self.none("No disclosure was tagged on the page.");
        }
        let columns = Columns::share(&[1.3, 0.8, 0.8, 1.6]);
        for (n, d) in data.disclosures.iter().enumerate() {
            self.flow.gap(4.0);
            self.flow.need(70.0);
            let name = if d.id.is_empty() {
                format!("Disclosure {} (untagged)", n + 1)
            } else {
                format!("Disclosure {}: {}", n + 1, d.id)
            };
            self.paragraph(&name, Style::bold(9.5));
            self.flow.gap(1.0);
            self.paragraph(&d.text, Style::body(10.0));
            self.flow.gap(2.0);
            let small = Style::body(8.5);
            let flag = |ok: bool| if ok { small } else { small.colored(WARN) };
            let mechanism_ok = matches!(d.consent_mechanism.as_str(), "checkbox" | "click_through");
            let contrast = match d.contrast_ratio {
                Some(r) if r < WCAG_AA => (
                    format!("Contrast: {r:.2}:1, below WCAG AA ({WCAG_AA}:1)"),
                    flag(false),
                ),
                Some(r) => (format!("Contrast: {r:.2}:1 (meets WCAG AA)"), small),
                None => ("Contrast: not measured".to_owned(), small),
            };
            let facts = [
                (
                    format!("consentMechanism: {}", d.consent_mechanism),
                    flag(mechanism_ok),
                ),
                (format!("Visible: {}", yes_no(d.visible)), flag(d.visible)),
                (format!("Font size: {} px", d.font_size_px), small),
                contrast,
            ];
            let cells: Vec<Cell> = columns
                .0
                .iter()
                .zip(&facts)
                .map(|(&(x, w), (text, style))| self.cell(x, w, text, *style))
                .collect();
            self.flow.row(&cells);
        }
    }

    fn checkboxes(&mut self, data: &ReportData) {
        self.heading(&format!("Consent checkboxes ({})", data.checkboxes.len()));
        if data.checkboxes.is_empty() {
            return self.none("No consent checkbox was tagged on the page.");
        }
        let rows = data
            .checkboxes
            .iter()
            .enumerate()
            .map(|(n, c)| {
                let state = if c.checked {
                    ("checked".to_owned(), Style::body(9.0))
                } else {
                    ("unchecked".to_owned(), Style::body(9.0).colored(WARN))
                };
                let bound = c
                    .consent_for
                    .clone()
                    .unwrap_or_else(|| "(not bound to a disclosure)".into());
                vec![
                    ((n + 1).to_string(), Style::body(9.0)),
                    (bound, Style::body(9.0)),
                    state,
                ]
            })
            .collect();
        self.table(
            &[0.3, 3.0, 1.0],
            &["#", "Consents to disclosure", "State at submit"],
            rows,
        );
    }

    fn trigger(&mut self, data: &ReportData) {
        self.heading("Trigger");
        let Some(t) = &data.trigger else {
            return self.none("The SDK recorded no trigger event.");
        };
        let body = Style::body(9.5);
        let trusted = if t.is_trusted {
            body
        } else {
            body.colored(WARN)
        };
        self.pairs(&[
            ("Element", format!("<{}>", t.tag_name), body),
            ("Label", t.text.clone(), body),
            ("Selector", t.selector.clone(), Style::mono(8.5)),
            ("Event type", t.event_type.clone(), body),
            (
                "Trusted (isTrusted)",
                yes_no(t.is_trusted).to_owned(),
                trusted,
            ),
        ]);
    }

    fn interaction(&mut self, data: &ReportData) {
        self.heading("Form interaction");
        let body = Style::body(9.5);
        self.pairs(&[
            (
                "Time on page",
                format!(
                    "{:.0} ms ({:.1} s)",
                    data.time_on_page_ms,
                    data.time_on_page_ms / 1000.0
                ),
                body,
            ),
            (
                "Pointer activity",
                yes_no(data.pointer_activity).to_owned(),
                body,
            ),
        ]);
        self.flow.gap(4.0);
        if data.fields.is_empty() {
            return self.none("No field telemetry was recorded.");
        }
        let cell = Style::body(9.0);
        let rows = data
            .fields
            .iter()
            .map(|f| {
                let method = if f.fill_method.is_empty() {
                    "untouched".to_owned()
                } else {
                    f.fill_method.clone()
                };
                let focus = f
                    .focus_to_submit_ms
                    .map_or_else(|| "never focused".to_owned(), |ms| format!("{ms:.0} ms"));
                vec![
                    (f.name.clone(), cell),
                    (method, cell),
                    (f.keystrokes.to_string(), cell),
                    (focus, cell),
                ]
            })
            .collect();
        self.table(
            &[2.2, 1.2, 0.9, 1.3],
            &["Field", "Fill method", "Keystrokes", "Focus to submit"],
            rows,
        );
    }

    fn integrity(&mut self, data: &ReportData) {
        self.heading("Integrity");
        let mut pairs = vec![(
            "contentSha256",
            data.content_sha256.clone(),
            Style::mono(8.5),
        )];
        if let Some(log) = &data.log {
            pairs.push(("Log index", log.index.to_string(), Style::body(9.5)));
            pairs.push(("Tree size", log.tree_size.to_string(), Style::body(9.5)));
            pairs.push(("Root hash", log.root_hash.clone(), Style::mono(8.5)));
            pairs.push(("Witnessed by", log.witnesses.to_string(), Style::body(9.5)));
            pairs.push(("Log checkpoint", log.checkpoint.clone(), Style::mono(7.5)));
        }
        self.pairs(&pairs);
        if let Some(log) = &data.log {
            self.flow.gap(4.0);
            self.paragraph(
                "Verify offline: save the attached evidence.json and proof.txt, then run",
                Style::body(9.0),
            );
            self.paragraph(
                &format!(
                    "expressconsent-server verify --evidence evidence.json --proof proof.txt --key '{}'",
                    log.verifier_key
                ),
                Style::mono(7.5),
            );
            self.paragraph(
                "or check them with the C2SP tlog-proof, tlog-checkpoint and signed-note \
                 specifications alone (docs/verifying.md).",
                Style::body(9.0),
            );
        }
        self.flow.gap(6.0);
        self.paragraph(
            &format!("Archived assets ({})", data.assets.len()),
            Style::bold(10.0),
        );
        self.flow.gap(2.0);
        if data.assets.is_empty() {
            return self.none("The page referenced no asset outside the snapshot.");
        }
        let rows = data
            .assets
            .iter()
            .map(|a| {
                let hash = a.sha256.clone().unwrap_or_else(|| "(not stored)".into());
                vec![
                    (a.url.clone(), Style::body(8.0)),
                    (a.status.clone(), Style::body(8.0)),
                    (hash, Style::mono(6.5)),
                ]
            })
            .collect();
        // The hash column fits 64 hex digits at 6.5 pt on one line, so each hash reads as
        // one word when the text is extracted.
        self.table(&[1.9, 0.5, 2.9], &["URL", "Status", "SHA-256"], rows);
    }

    fn shares(&mut self, data: &ReportData) {
        self.heading(&format!("Share history ({})", data.shares.len()));
        if data.shares.is_empty() {
            return self.none("The CDR has not been shared.");
        }
        let cell = Style::body(9.0);
        let rows = data
            .shares
            .iter()
            .map(|s| {
                vec![
                    (utc(s.at_ms), cell),
                    (s.org_id.clone(), Style::mono(8.5)),
                    (s.relation.clone(), cell),
                ]
            })
            .collect();
        self.table(&[1.5, 2.0, 1.0], &["When (UTC)", "Org", "Relation"], rows);
    }

    /// The image, scaled to the body width, one slice per page under a caption.
    fn image(&mut self, image: &Decoded) -> Vec<(u32, u32)> {
        let scale = BODY_WIDTH / image.width as f32;
        let room = PAGE_HEIGHT - MARGIN - BOTTOM - CAPTION;
        let rows_per_page = ((room / scale).floor() as u32).max(1);
        let parts = image.height.div_ceil(rows_per_page);
        let mut slices = Vec::new();
        for part in 0..parts {
            let top = part * rows_per_page;
            let rows = rows_per_page.min(image.height - top);
            self.flow.new_page();
            let caption = format!(
                "Evidence image, part {} of {parts}: rows {}–{} of {} ({} × {} px as rendered)",
                part + 1,
                top + 1,
                top + rows,
                image.height,
                image.width,
                image.height,
            );
            self.paragraph(&caption, Style::body(8.0).colored(MUTED));
            self.flow.gap(CAPTION - 8.0 * 1.3);
            self.flow
                .image(slices.len(), BODY_WIDTH, rows as f32 * scale);
            slices.push((top, rows));
        }
        slices
    }
}
