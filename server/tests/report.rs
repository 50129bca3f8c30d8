//! The PDF report read back with poppler (Debian's poppler-utils), as a reviewer's tools
//! would read it: `pdftotext` for every printed item, `pdfimages` for the evidence image,
//! `pdfdetach` for the embedded evidence, `pdfinfo` for the PDF/A identification.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use expressconsent_server::report::{
    build_report, Attachment, Relationship, ReportAsset, ReportCheckbox, ReportData,
    ReportDisclosure, ReportField, ReportLog, ReportShareEvent, ReportTrigger,
};

const SPANISH: &str = "¡Acepto! ¿Está de acuerdo con que Señor Muñoz le llame mañana?";
const JAPANESE: &str = "個人情報の取り扱いに同意します。";
const ARABIC: &str = "أوافق على الشروط والأحكام";
const HASH: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

fn asset_hash(n: usize) -> String {
    format!("{n:04x}{}", &HASH[4..])
}

fn report_data() -> ReportData {
    ReportData {
        cdr_id: "cdr_01JABCDEF0123456789XYZ".into(),
        org_id: "org_capture_7f3a".into(),
        domain_id: "dom_42b9".into(),
        domain: "leads.example.com".into(),
        page_url: "https://leads.example.com/quote?step=2".into(),
        page_title: "Get your free quote".into(),
        captured_at_ms: 1_718_454_600_123,
        received_at_ms: 1_718_454_601_456,
        generated_at_ms: 1_718_460_000_000,
        ip: "203.0.113.77".into(),
        user_agent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"
            .into(),
        disclosures: vec![
            ReportDisclosure {
                id: "tcpa".into(),
                text:
                    "By clicking Get my quote I agree to receive calls at the number provided. ✅👍"
                        .into(),
                consent_mechanism: "click_through".into(),
                visible: true,
                font_size_px: 14.0,
                contrast_ratio: Some(3.2),
            },
            ReportDisclosure {
                id: "es".into(),
                text: SPANISH.into(),
                consent_mechanism: "checkbox".into(),
                visible: true,
                font_size_px: 12.5,
                contrast_ratio: Some(7.1),
            },
            ReportDisclosure {
                id: "ja".into(),
                text: JAPANESE.into(),
                consent_mechanism: "unchecked".into(),
                visible: false,
                font_size_px: 11.0,
                contrast_ratio: None,
            },
            ReportDisclosure {
                id: "ar".into(),
                text: ARABIC.into(),
                consent_mechanism: "not_detected".into(),
                visible: true,
                font_size_px: 16.0,
                contrast_ratio: Some(4.6),
            },
        ],
        checkboxes: vec![
            ReportCheckbox {
                consent_for: Some("es".into()),
                checked: true,
            },
            ReportCheckbox {
                consent_for: Some("ja".into()),
                checked: false,
            },
        ],
        trigger: Some(ReportTrigger {
            tag_name: "button".into(),
            text: "Get my quote".into(),
            selector: "form#lead > button.submit".into(),
            event_type: "submit".into(),
            is_trusted: true,
        }),
        fields: vec![
            ReportField {
                name: "email".into(),
                fill_method: "typed".into(),
                keystrokes: 23,
                focus_to_submit_ms: Some(8123.0),
            },
            ReportField {
                name: "phone".into(),
                fill_method: "pasted".into(),
                keystrokes: 0,
                focus_to_submit_ms: None,
            },
        ],
        time_on_page_ms: 45_678.0,
        pointer_activity: true,
        content_sha256: HASH.into(),
        assets: (0..3)
            .map(|n| ReportAsset {
                url: format!("https://cdn.example.com/a{n}.css"),
                status: "200".into(),
                sha256: Some(asset_hash(n)),
            })
            .collect(),
        shares: vec![ReportShareEvent {
            org_id: "org_buyer_91c2".into(),
            at_ms: 1_718_457_000_000,
            relation: "paid".into(),
        }],
        log: Some(ReportLog {
            index: 4242,
            tree_size: 4243,
            root_hash: "q2Bx5h0=".into(),
            witnesses: 2,
            checkpoint: "expressconsent.example/log\n4243\nq2Bx5h0=".into(),
            verifier_key: "expressconsent.example/log+3c9a1f2e+AQIDBA==".into(),
        }),
    }
}

/// A `width` × `height` PNG with a different colour in each band, so slices differ.
fn png(width: u32, height: u32) -> Vec<u8> {
    let mut pixels = Vec::with_capacity((width * height * 3) as usize);
    for y in 0..height {
        for x in 0..width {
            pixels.extend_from_slice(&[(y / 7) as u8, (x / 5) as u8, 0x80]);
        }
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().unwrap();
    writer.write_image_data(&pixels).unwrap();
    writer.finish().unwrap();
    out
}

fn evidence_json() -> Vec<u8> {
    // Bytes the report must give back exactly, including non-ASCII and no trailing newline.
    br#"{"cdrId":"cdr_01JABCDEF0123456789XYZ","text":"\u00a1Acepto!","snapshot":"<html>\u2026</html>"}"#.to_vec()
}

fn run(tool: &str, args: &[&str]) -> String {
    let out = Command::new(tool)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{tool}: {e}"));
    assert!(
        out.status.success(),
        "{tool} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn write(dir: &Path, pdf: &[u8]) -> PathBuf {
    let path = dir.join("report.pdf");
    std::fs::write(&path, pdf).unwrap();
    path
}

fn text_of(path: &Path) -> String {
    run("pdftotext", &["-enc", "UTF-8", path.to_str().unwrap(), "-"])
}

/// Whitespace-insensitive containment: pdftotext may break a long line where the PDF does.
fn contains(haystack: &str, needle: &str) -> bool {
    let squash = |s: &str| s.split_whitespace().collect::<String>();
    squash(haystack).contains(&squash(needle))
}

#[test]
fn the_summary_prints_every_item_a_reviewer_checks() {
    let dir = tempfile::tempdir().unwrap();
    let data = report_data();
    let started = Instant::now();
    let pdf = build_report(&data, &evidence_json(), &png(1280, 3000), &[]).unwrap();
    eprintln!(
        "report built in {:?} ({} bytes)",
        started.elapsed(),
        pdf.len()
    );
    let text = text_of(&write(dir.path(), &pdf));

    for item in [
        "cdr_01JABCDEF0123456789XYZ",
        "org_capture_7f3a",
        "dom_42b9",
        "leads.example.com",
        "https://leads.example.com/quote?step=2",
        "Get your free quote",
        "2024-06-15T12:30:00.123Z",
        "2024-06-15T12:30:01.456Z",
        "203.0.113.77",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36",
        "By clicking Get my quote I agree to receive calls at the number provided.",
        // Colour emoji are Type 3 bitmap glyphs whose box is taller than the line, so
        // pdftotext reads them as a block of their own; they are there all the same.
        "✅👍",
        SPANISH,
        JAPANESE,
        "consentMechanism: click_through",
        "consentMechanism: checkbox",
        "consentMechanism: unchecked",
        "consentMechanism: not_detected",
        "Visible: no",
        "Font size: 12.5 px",
        "Contrast: 3.20:1, below WCAG AA",
        "Contrast: 4.60:1 (meets WCAG AA)",
        "Contrast: not measured",
        "checked",
        "unchecked",
        "<button>",
        "form#lead > button.submit",
        "submit",
        "Trusted (isTrusted)",
        "email",
        "typed",
        "23",
        "8123 ms",
        "pasted",
        "never focused",
        "45678 ms (45.7 s)",
        "Pointer activity",
        HASH,
        "https://cdn.example.com/a0.css",
        "4242",
        "Tree size",
        "4243",
        "Root hash",
        "q2Bx5h0=",
        "Witnessed by",
        "expressconsent-server verify --evidence evidence.json --proof proof.txt --key",
        "expressconsent.example/log+3c9a1f2e+AQIDBA==",
        "2024-06-15T13:10:00.000Z",
        "org_buyer_91c2",
        "paid",
    ] {
        assert!(contains(&text, item), "missing {item:?} in:\n{text}");
    }
    for n in 0..3 {
        assert!(
            text.contains(&asset_hash(n)),
            "asset hash {n} is one word in the text"
        );
    }
}

/// `word` as poppler reads it back: each lam followed by an alef-like letter (drawn as one
/// ligature glyph) with its two letters turned around (see the Arabic test).
fn as_poppler_reads(word: &str) -> String {
    let mut chars: Vec<char> = word.chars().collect();
    let mut i = 0;
    while i + 1 < chars.len() {
        if chars[i] == 'ل' && matches!(chars[i + 1], 'ا' | 'أ' | 'إ' | 'آ' | 'ى') {
            chars.swap(i, i + 1);
            i += 1;
        }
        i += 1;
    }
    chars.into_iter().collect()
}

#[test]
fn arabic_prints_as_its_characters_right_to_left() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = build_report(&report_data(), &evidence_json(), &png(64, 64), &[]).unwrap();
    let text = text_of(&write(dir.path(), &pdf));
    // pdftotext gives right-to-left text back in logical order, except that it reverses
    // the two letters behind one ligature glyph (lam-alef, lam-alef maksura): the PDF maps
    // that glyph to "لا" in logical order and poppler turns each glyph's text around with
    // the line. Only that is allowed for, so every other letter and the word order are checked.
    let line: Vec<String> = ARABIC.split_whitespace().map(as_poppler_reads).collect();
    assert!(
        text.contains(&line.join(" ")),
        "missing Arabic {ARABIC:?} in:\n{text}"
    );
}

#[test]
fn the_evidence_image_spans_pages_at_its_full_height() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = build_report(&report_data(), &evidence_json(), &png(1280, 12000), &[]).unwrap();
    let path = write(dir.path(), &pdf);

    let list = run("pdfimages", &["-list", path.to_str().unwrap()]);
    // page num type width height color comp bpc enc interp object ID ...
    let images: Vec<(u32, u32, u32)> = list
        .lines()
        .skip(2)
        .map(|line| {
            let cols: Vec<&str> = line.split_whitespace().collect();
            assert_eq!(cols[2], "image", "no soft masks or stencils: {line}");
            (
                cols[0].parse().unwrap(),
                cols[3].parse().unwrap(),
                cols[4].parse().unwrap(),
            )
        })
        .collect();
    assert!(
        images.len() >= 6,
        "a 12,000 px image takes many pages: {list}"
    );
    assert!(
        images.iter().all(|&(_, w, _)| w == 1280),
        "full width in every slice: {list}"
    );
    assert_eq!(
        images.iter().map(|&(_, _, h)| h).sum::<u32>(),
        12000,
        "{list}"
    );
    let pages: Vec<u32> = images.iter().map(|&(p, _, _)| p).collect();
    let mut distinct = pages.clone();
    distinct.dedup();
    assert_eq!(pages, distinct, "one slice per page");
    let info = run("pdfinfo", &[path.to_str().unwrap()]);
    let page_count: u32 = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert_eq!(
        *pages.last().unwrap(),
        page_count,
        "the image ends the report"
    );
}

#[test]
fn the_evidence_file_comes_back_byte_for_byte_with_the_other_attachments() {
    let dir = tempfile::tempdir().unwrap();
    let proof = Attachment {
        name: "proof.json".into(),
        mime: "application/json".into(),
        description: "Inclusion proof".into(),
        bytes: b"{\"index\":4242}".to_vec(),
        relationship: Relationship::Supplement,
    };
    let pdf = build_report(&report_data(), &evidence_json(), &png(64, 64), &[proof]).unwrap();
    let path = write(dir.path(), &pdf);

    let list = run("pdfdetach", &["-list", path.to_str().unwrap()]);
    assert!(list.contains("1: evidence.json"), "{list}");
    assert!(list.contains("2: proof.json"), "{list}");
    let saved = dir.path().join("saved.json");
    run(
        "pdfdetach",
        &[
            "-save",
            "1",
            "-o",
            saved.to_str().unwrap(),
            path.to_str().unwrap(),
        ],
    );
    assert_eq!(std::fs::read(&saved).unwrap(), evidence_json());
    // The relationship a PDF/A-3 reader uses to know this file is the report's source.
    let raw = String::from_utf8_lossy(&pdf);
    assert!(
        raw.contains("/AFRelationship/Source/Desc(The evidence of CDR"),
        "evidence is the Source"
    );
    assert!(raw.contains("/AFRelationship/Supplement/Desc(Inclusion proof)"));
}

#[test]
fn the_document_identifies_itself_as_pdf_a_3b() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = build_report(&report_data(), &evidence_json(), &png(64, 64), &[]).unwrap();
    let path = write(dir.path(), &pdf);

    let meta = run("pdfinfo", &["-meta", path.to_str().unwrap()]);
    let squashed: String = meta.split_whitespace().collect();
    assert!(
        squashed.contains("<pdfaid:part>3</pdfaid:part>") || squashed.contains("pdfaid:part=\"3\""),
        "{meta}"
    );
    assert!(
        squashed.contains("<pdfaid:conformance>B</pdfaid:conformance>")
            || squashed.contains("pdfaid:conformance=\"B\""),
        "{meta}"
    );
    assert!(
        meta.contains("Consent evidence report: CDR cdr_01JABCDEF0123456789XYZ"),
        "title: {meta}"
    );
    assert!(
        meta.contains("2024-06-15T14:00:00"),
        "creation date: {meta}"
    );
    let info = run("pdfinfo", &[path.to_str().unwrap()]);
    assert!(
        info.contains("Title:           Consent evidence report: CDR cdr_01JABCDEF0123456789XYZ"),
        "{info}"
    );
}

#[test]
fn a_long_asset_list_continues_over_pages_with_its_header_and_every_hash() {
    let dir = tempfile::tempdir().unwrap();
    let mut data = report_data();
    data.assets = (0..150)
        .map(|n| ReportAsset {
            url: format!(
                "https://cdn.example.com/very/long/path/{n}/{}.woff2",
                "segment".repeat(8)
            ),
            status: "200".into(),
            sha256: Some(asset_hash(n)),
        })
        .collect();
    let pdf = build_report(&data, &evidence_json(), &png(64, 64), &[]).unwrap();
    let path = write(dir.path(), &pdf);
    let text = text_of(&path);

    for n in 0..150 {
        assert!(
            text.contains(&asset_hash(n)),
            "asset hash {n} missing or broken"
        );
    }
    // Every page that lists assets after the first starts with the table's header.
    let pages: Vec<&str> = text.split('\u{c}').collect();
    let continued: Vec<&&str> = pages
        .iter()
        .filter(|p| p.contains("https://cdn.example.com/very/long"))
        .skip(1)
        .collect();
    assert!(continued.len() >= 2, "150 assets take several pages");
    for page in continued {
        let first = page.lines().find(|l| !l.trim().is_empty()).unwrap();
        assert_eq!(
            first.trim(),
            "URL",
            "header first on a continued page:\n{page}"
        );
    }
}
