//! One CDR: the evidence image, the consent facts, the fill-in telemetry with the signals
//! buyers screen bots with, the share history, the snapshot in a sandboxed frame, and the
//! actions the org's relation allows (collect, share, download).

use axum::extract::{Path, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_SECURITY_POLICY, X_FRAME_OPTIONS};
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use expressconsent_protocol::{
    Access, CdrDetails, ConsentMechanism, DisclosureFacts, ShareRequest, Telemetry,
};
use maud::{html, Markup};
use serde::Deserialize;

use super::{as_org, problem};
use crate::dashboard::layout::{self, csrf_field, time, FlashKind, Nav};
use crate::dashboard::session::{CsrfForm, SignedIn};
use crate::db::shares::share_history;
use crate::http::app::AppState;
use crate::http::body::OptionalJsonBody;
use crate::http::envelope::Data;
use crate::http::error::ApiError;
use crate::http::query::ApiPath;
use crate::http::routes::{cdrs, evidence};
use crate::sharing::rules::may_mint;

/// The CDR page, its downloads and its actions.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/dashboard/cdrs/{cdr_id}", get(show))
        .route("/dashboard/cdrs/{cdr_id}/image.png", get(image))
        .route("/dashboard/cdrs/{cdr_id}/thumbnail.png", get(thumbnail))
        .route("/dashboard/cdrs/{cdr_id}/report.pdf", get(report))
        .route("/dashboard/cdrs/{cdr_id}/snapshot", get(snapshot))
        .route(
            "/dashboard/cdrs/{cdr_id}/snapshot.html",
            get(snapshot_download),
        )
        .route(
            "/dashboard/cdrs/{cdr_id}/evidence.json",
            get(evidence_download),
        )
        .route("/dashboard/cdrs/{cdr_id}/proof.txt", get(proof_download))
        .route("/dashboard/cdrs/{cdr_id}/collect", post(collect))
        .route("/dashboard/cdrs/{cdr_id}/share", post(share))
        .route("/dashboard/cdrs/{cdr_id}/match", post(check_lead))
}

/// What a page shows above the evidence after an action.
enum Notice {
    None,
    Flash(FlashKind, String),
    Link(expressconsent_protocol::ShareLink),
    Match(expressconsent_protocol::LeadMatch),
}

async fn show(
    State(state): State<AppState>,
    user: SignedIn,
    Path(cdr_id): Path<String>,
) -> Response {
    render(&state, &user, &cdr_id, Notice::None).await
}

async fn render(state: &AppState, user: &SignedIn, cdr_id: &str, notice: Notice) -> Response {
    let details = match cdrs::get_cdr(
        axum::extract::State(state.clone()),
        as_org(user),
        ApiPath(cdr_id.to_owned()),
    )
    .await
    {
        Ok(Data(details)) => details,
        Err(err) => return problem(user, Nav::Cdrs, err),
    };
    // Who claimed it and how: shown to the owner and to orgs that hold the evidence, as
    // the report does.
    let history = if details.is_owner || details.can_download {
        match share_history(&state.db, cdr_id).await {
            Ok(rows) => rows,
            Err(err) => return problem(user, Nav::Cdrs, err.into()),
        }
    } else {
        Vec::new()
    };
    let proof = match crate::log::proof::proof_for(&state.db, cdr_id).await {
        Ok(proof) => proof,
        Err(err) => return problem(user, Nav::Cdrs, ApiError::internal(err)),
    };
    let title = format!("CDR {}", details.cdr_id);
    let body = html! {
        @match &notice {
            Notice::None => {},
            Notice::Flash(kind, message) => (layout::flash(*kind, message)),
            Notice::Link(link) => (share_box(link)),
            Notice::Match(answer) => (match_box(answer)),
        }
        (summary(&details))
        (actions(user, &details))
        (lead_check(user, &details))
        div.grid2 {
            section aria-labelledby="consent" {
                h2 #consent { "Consent" }
                (disclosures(&details.facts.disclosures))
                (checkboxes(&details))
                (trigger(&details))
                (discrepancies(&details))
            }
            section aria-labelledby="behaviour" {
                h2 #behaviour { "How the form was filled in" }
                (telemetry(&details.facts.telemetry))
            }
        }
        section aria-labelledby="image" {
            h2 #image { "Evidence image" }
            (image_section(&details))
        }
        section aria-labelledby="proof" {
            h2 #proof { "Proof" }
            (proof_section(&details, proof.as_ref()))
        }
        section aria-labelledby="history" {
            h2 #history { "Share history" }
            @if !(details.is_owner || details.can_download) {
                p.muted { "Collect this CDR to see who else received it." }
            } @else if history.is_empty() {
                p.muted { "Nobody has claimed a share link of this CDR yet." }
            } @else {
                div.table-wrap { table.rows {
                    thead { tr { th scope="col" { "When" } th scope="col" { "Organization" } th scope="col" { "Outcome" } } }
                    tbody { @for (org, at, outcome) in &history {
                        tr {
                            td data-label="When" { (time(*at)) }
                            td.mono data-label="Organization" { (org) @if *org == user.org_id { " (you)" } }
                            td data-label="Outcome" { (outcome.replace('_', " ")) }
                        }
                    } }
                } }
            }
        }
        section aria-labelledby="snapshot" {
            h2 #snapshot { "Snapshot" }
            @if details.can_download {
                p.muted { "The page as captured, with every script disabled: it cannot run code or reach this dashboard." }
                iframe.snapshot sandbox="" referrerpolicy="no-referrer"
                    title="Captured page snapshot (scripts disabled)"
                    src=(format!("/dashboard/cdrs/{}/snapshot", details.cdr_id)) {}
            } @else {
                p.muted { "Collect this CDR to see the captured page." }
            }
        }
    };
    layout::page(user, &title, Nav::Cdrs, body).into_response()
}

fn relation_label(access: Access) -> &'static str {
    match access {
        Access::Paid => "paid",
        Access::Free => "free",
        Access::Saved => "saved",
        Access::Unpaid => "unpaid",
    }
}

/// The relation as a badge: what the org holds.
pub(crate) fn relation_badge(access: Access, is_owner: bool) -> Markup {
    let class = if access.can_download() {
        "badge ok"
    } else {
        "badge warn"
    };
    html! {
        span class=(class) { (relation_label(access)) }
        @if is_owner { " " span.badge { "captured by you" } }
    }
}

/// A consent mechanism as a badge, with words a reader understands.
pub(crate) fn mechanism_badge(mechanism: ConsentMechanism) -> Markup {
    let (class, label) = match mechanism {
        ConsentMechanism::Checkbox => ("badge ok", "checkbox checked"),
        ConsentMechanism::ClickThrough => ("badge ok", "click-through"),
        ConsentMechanism::Unchecked => ("badge bad", "checkbox not checked"),
        ConsentMechanism::NotDetected => ("badge bad", "not detected"),
    };
    html! { span class=(class) { (label) } }
}

fn summary(d: &CdrDetails) -> Markup {
    html! {
        dl.facts {
            dt { "Captured" } dd { (time(d.created_at)) }
            dt { "Your access" } dd { (relation_badge(d.access, d.is_owner)) }
            dt { "Domain" } dd { (d.domain_id) }
            dt { "Page" } dd.mono { (d.page_url) }
            dt { "Package" } dd { a href=(format!("/dashboard/packages/{}", urlencode(&d.package_id))) { (d.package_id) } }
            dt { "IP address" } dd.mono { (d.received_ip) }
            dt { "User agent" } dd.mono { (d.user_agent) }
            dt { "Evidence SHA-256" } dd.mono { (d.content_sha256) }
            dt { "Size" } dd { (d.size_bytes) " bytes" }
            @if let Some(custom) = &d.custom {
                dt { "Metadata" } dd.mono { (serde_json::Value::Object(custom.clone()).to_string()) }
            }
        }
    }
}

fn actions(user: &SignedIn, d: &CdrDetails) -> Markup {
    let base = format!("/dashboard/cdrs/{}", d.cdr_id);
    html! {
        div.actions {
            @if !d.access.can_download() {
                form method="post" action=(format!("{base}/collect"))
                    data-confirm="Collect this CDR? Your organization is billed once (1 billing event)." {
                    (csrf_field(user))
                    button type="submit" { "Collect (1 billing event)" }
                }
            }
            @if may_mint(Some(d.access)).is_ok() {
                form method="post" action=(format!("{base}/share")) {
                    (csrf_field(user))
                    label.inline {
                        "Link valid for"
                        select name="days" {
                            option value="1" { "1 day" }
                            option value="7" { "7 days" }
                            option value="30" selected { "30 days" }
                            option value="365" { "1 year" }
                        }
                    }
                    button.secondary type="submit" { "Create share link" }
                }
            }
            @if d.can_download {
                a.button.secondary href=(format!("{base}/image.png")) download=(format!("{}.png", d.cdr_id)) { "Download PNG" }
                a.button.secondary href=(format!("{base}/report.pdf")) download=(format!("{}.pdf", d.cdr_id)) { "Download PDF report" }
                a.button.secondary href=(format!("{base}/snapshot.html")) download=(format!("{}.html", d.cdr_id)) { "Download snapshot" }
                a.button.secondary href=(format!("{base}/evidence.json")) download=(format!("{}.evidence.json", d.cdr_id)) { "Download evidence bytes" }
            }
        }
        @if !d.access.can_download() {
            p.muted {
                @if d.access == Access::Saved {
                    "Your organization saved this CDR without paying. Collect it to see the image, download the report and share it."
                } @else {
                    "Your organization captured this CDR with auto-collect off. Collect it to download its evidence."
                }
            }
        }
    }
}

fn share_box(link: &expressconsent_protocol::ShareLink) -> Markup {
    html! {
        div.flash.done role="status" {
            p { "Share link created. Send it to your partner; it is shown only now." }
            label {
                "Share URL (valid until " (time(link.share_expires_at)) ")"
                input #share-url type="text" readonly value=(link.share_url);
            }
            button.secondary type="button" data-copy="#share-url" hidden { "Copy link" }
        }
    }
}

/// WCAG AA: 4.5:1 for normal text, 3:1 for large text (24 px, or 18.66 px bold — the
/// weight is not captured, so only the size rule applies).
pub(crate) fn below_aa(font_size_px: f64, contrast: f64) -> bool {
    let needed = if font_size_px >= 24.0 { 3.0 } else { 4.5 };
    contrast < needed
}

fn disclosures(list: &[DisclosureFacts]) -> Markup {
    html! {
        h3 { "Disclosures" }
        @if list.is_empty() {
            p.muted { "The page had no element tagged as a disclosure (data-ec-disclosure)." }
        }
        @for (i, d) in list.iter().enumerate() {
            article.disclosure aria-label=(format!("Disclosure {}", i + 1)) {
                p { (mechanism_badge(d.consent_mechanism))
                    @if !d.captured.id.is_empty() { " " span.mono { (d.captured.id) } } }
                blockquote dir="auto" { (d.captured.text) }
                dl.facts {
                    dt { "Visible" }
                    dd {
                        @if !d.measured { span.badge.bad { "not measured" } }
                        @else if d.captured.rendered && d.captured.in_viewport && d.captured.opacity > 0.0 {
                            span.badge.ok { "rendered, in view" }
                        } @else if d.captured.rendered {
                            span.badge.warn { "rendered, not in view" }
                        } @else { span.badge.bad { "not rendered" } }
                        @if d.captured.opacity < 1.0 { " opacity " (format!("{:.2}", d.captured.opacity)) }
                    }
                    dt { "Font size" }
                    dd {
                        (format!("{:.1} px", d.captured.font_size_px))
                        @if d.measured && d.captured.font_size_px < 12.0 { " " span.badge.warn { "small" } }
                    }
                    dt { "Contrast" }
                    dd {
                        @match d.captured.contrast_ratio {
                            Some(c) => {
                                (format!("{c:.2}:1"))
                                @if below_aa(d.captured.font_size_px, c) { " " span.badge.bad { "below WCAG AA" } }
                                @else { " " span.badge.ok { "WCAG AA" } }
                            },
                            None => span.muted { "not measured" },
                        }
                    }
                }
            }
        }
    }
}

fn checkboxes(d: &CdrDetails) -> Markup {
    html! {
        h3 { "Consent checkboxes" }
        @if d.facts.consent_checkboxes.is_empty() {
            p.muted { "No consent checkbox (data-ec-consent-checkbox) on the page." }
        } @else {
            ul { @for c in &d.facts.consent_checkboxes {
                li {
                    @if c.checked { span.badge.ok { "checked" } } @else { span.badge.bad { "not checked" } }
                    @if let Some(for_id) = &c.consent_for { " for disclosure " span.mono { (for_id) } }
                }
            } }
        }
    }
}

fn trigger(d: &CdrDetails) -> Markup {
    html! {
        h3 { "Submit" }
        @match &d.facts.trigger {
            None => p.muted { "No submit event was recorded." },
            Some(t) => {
                p {
                    "The consumer pressed " strong dir="auto" { "“" (t.reported.text) "”" }
                    " (" (t.reported.tag_name) ", " (t.reported.event_type) ") "
                    @if t.reported.is_trusted { span.badge.ok { "trusted event" } }
                    @else { span.badge.bad { "not a trusted event" } }
                    @if !t.submit_control { " " span.badge.warn { "not a tagged submit control" } }
                }
            },
        }
    }
}

fn discrepancies(d: &CdrDetails) -> Markup {
    html! {
        @if !d.facts.discrepancies.is_empty() {
            h3 { "Where the SDK's report and the snapshot disagree" }
            ul { @for x in &d.facts.discrepancies { li { (x.message) } } }
        }
    }
}

/// Signals lead buyers screen bots and fraud with, from the telemetry.
pub(crate) fn signals(t: &Telemetry) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let seconds = t.time_on_page_ms / 1000.0;
    if seconds < 5.0 {
        out.push((
            "bad",
            format!("only {seconds:.1} s on the page before submitting"),
        ));
    }
    if !t.pointer_activity && !t.touch_activity {
        out.push(("bad", "no mouse, pen or touch activity".to_owned()));
    }
    let count = |m: &str| t.fields.values().filter(|f| f.fill_method == m).count();
    for (method, level) in [("programmatic", "bad"), ("pasted", "warn")] {
        let n = count(method);
        if n > 0 {
            out.push((level, format!("{n} field(s) filled {method}")));
        }
    }
    out
}

fn telemetry(t: &Telemetry) -> Markup {
    let flags = signals(t);
    html! {
        dl.facts {
            dt { "Time on page" } dd { (format!("{:.1} s", t.time_on_page_ms / 1000.0)) }
            dt { "Pointer activity" } dd { @if t.pointer_activity { "yes" } @else { "none" } }
            dt { "Touch activity" } dd { @if t.touch_activity { "yes" } @else { "none" } }
        }
        h3 { "Signals" }
        @if flags.is_empty() {
            p { span.badge.ok { "none" } " Nothing unusual: typed by a person with a pointer, in a plausible time." }
        } @else {
            ul.signals { @for (level, text) in &flags { li { span class=(format!("badge {level}")) { "check" } " " (text) } } }
        }
        h3 { "Fields" }
        @if t.fields.is_empty() {
            p.muted { "No field telemetry was recorded." }
        } @else {
            div.table-wrap { table.rows {
                thead { tr { th scope="col" { "Field" } th scope="col" { "Filled" } th scope="col" { "Keystrokes" } th scope="col" { "Focus to submit" } } }
                tbody { @for (name, f) in &t.fields {
                    tr {
                        td.mono data-label="Field" { (name) }
                        td data-label="Filled" {
                            @match f.fill_method.as_str() {
                                "" => span.muted { "untouched" },
                                m @ "programmatic" => span.badge.bad { (m) },
                                m @ "pasted" => span.badge.warn { (m) },
                                m => (m),
                            }
                        }
                        td data-label="Keystrokes" { (f.keystrokes) }
                        td data-label="Focus to submit" {
                            @match f.focus_to_submit_ms { Some(ms) => (format!("{:.1} s", ms / 1000.0)), None => "—" }
                        }
                    }
                } }
            } }
        }
    }
}

fn image_section(d: &CdrDetails) -> Markup {
    html! {
        @if !d.can_download {
            p.muted { "Collect this CDR to see the evidence image." }
        } @else {
            @match &d.image {
                Some(info) => {
                    figure.evidence {
                        img src=(format!("/dashboard/cdrs/{}/image.png", d.cdr_id)) width=(info.width) height=(info.height)
                            alt="The page as the consumer saw it when submitting, with the pressed button outlined in red";
                        figcaption.muted {
                            "The full page as captured, rendered from the snapshot and the assets archived at capture; the control the consumer pressed is outlined in red."
                            @if info.truncated { " The page is taller than the image: it stops at 16,384 pixels." }
                        }
                    }
                },
                None => p.muted { "The image is being rendered; reload the page in a few seconds." },
            }
        }
    }
}

/// Percent-encodes a path segment.
pub(crate) fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn download(
    user: &SignedIn,
    result: Result<Response, ApiError>,
    filename: Option<String>,
) -> Response {
    match result {
        Ok(mut response) => {
            if let Some(name) = filename.filter(|_| response.status().is_success()) {
                if let Ok(value) =
                    HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
                {
                    response.headers_mut().insert(CONTENT_DISPOSITION, value);
                }
            }
            response
        }
        Err(err) => problem(user, Nav::Cdrs, err),
    }
}

async fn image(
    State(state): State<AppState>,
    user: SignedIn,
    Path(cdr_id): Path<String>,
) -> Response {
    let result = evidence::image(State(state), as_org(&user), ApiPath(cdr_id)).await;
    download(&user, result, None).await
}

async fn report(
    State(state): State<AppState>,
    user: SignedIn,
    Path(cdr_id): Path<String>,
) -> Response {
    let name = format!("{cdr_id}.pdf");
    let result = evidence::report(State(state), as_org(&user), ApiPath(cdr_id)).await;
    download(&user, result, Some(name)).await
}

/// The snapshot for the dashboard's own frame: the API's sandboxed response, which this
/// page alone may frame.
async fn snapshot(
    State(state): State<AppState>,
    user: SignedIn,
    Path(cdr_id): Path<String>,
) -> Response {
    let mut response = download(
        &user,
        evidence::snapshot(State(state), as_org(&user), ApiPath(cdr_id)).await,
        None,
    )
    .await;
    if response.status().is_success() {
        let csp = format!("{}; frame-ancestors 'self'", evidence::SNAPSHOT_CSP);
        let headers = response.headers_mut();
        if let Ok(value) = HeaderValue::from_str(&csp) {
            headers.insert(CONTENT_SECURITY_POLICY, value);
        }
        headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("SAMEORIGIN"));
    }
    response
}

async fn snapshot_download(
    State(state): State<AppState>,
    user: SignedIn,
    Path(cdr_id): Path<String>,
) -> Response {
    let name = format!("{cdr_id}.html");
    let result = evidence::snapshot(State(state), as_org(&user), ApiPath(cdr_id)).await;
    download(&user, result, Some(name)).await
}

#[derive(Debug, Deserialize)]
struct Empty {}

async fn collect(
    State(state): State<AppState>,
    Path(cdr_id): Path<String>,
    CsrfForm { user, .. }: CsrfForm<Empty>,
) -> Response {
    match cdrs::collect(State(state.clone()), as_org(&user), ApiPath(cdr_id.clone())).await {
        Ok(Data(result)) => {
            let message = if result.billed {
                "Collected: your organization was billed once (1 billing event). The evidence is yours to download and share."
            } else {
                "Your organization already had access; nothing was billed."
            };
            render(
                &state,
                &user,
                &cdr_id,
                Notice::Flash(FlashKind::Done, message.into()),
            )
            .await
        }
        Err(err) => problem(&user, Nav::Cdrs, err),
    }
}

#[derive(Debug, Deserialize)]
struct ShareForm {
    days: Option<u32>,
}

async fn share(
    State(state): State<AppState>,
    Path(cdr_id): Path<String>,
    CsrfForm { user, form }: CsrfForm<ShareForm>,
) -> Response {
    let days = u64::from(form.days.unwrap_or(30).clamp(1, 730));
    let request = ShareRequest {
        expires_in_ms: Some(days * 86_400_000),
    };
    match cdrs::share(
        State(state.clone()),
        as_org(&user),
        ApiPath(cdr_id.clone()),
        OptionalJsonBody(request),
    )
    .await
    {
        Ok(Data(link)) => render(&state, &user, &cdr_id, Notice::Link(link)).await,
        Err(err) => match err {
            ApiError::Forbidden(_) | ApiError::InvalidArgument(_) => {
                let message = err.to_string();
                render(
                    &state,
                    &user,
                    &cdr_id,
                    Notice::Flash(FlashKind::Problem, message),
                )
                .await
            }
            other => problem(&user, Nav::Cdrs, other),
        },
    }
}

/// What a list shows until the evidence image is rendered.
const PENDING_THUMBNAIL: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"160\" height=\"120\" \
     viewBox=\"0 0 160 120\"><rect width=\"160\" height=\"120\" fill=\"#f5f7fa\"/><text x=\"80\" y=\"66\" \
     font-family=\"sans-serif\" font-size=\"16\" fill=\"#4a5563\" text-anchor=\"middle\">rendering…</text></svg>";

/// A small picture of the top of the evidence image for lists; made on first request and
/// kept beside the image. `404` while there is no image yet (the list shows a placeholder).
async fn thumbnail(
    State(state): State<AppState>,
    user: SignedIn,
    Path(cdr_id): Path<String>,
) -> Response {
    use crate::evidence::{artefacts, thumbnail};
    use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
    let cdr = match evidence::downloadable(&state, &as_org(&user), &cdr_id).await {
        Ok(cdr) => cdr,
        Err(err) => return problem(&user, Nav::Cdrs, err),
    };
    let key = thumbnail::key(&cdr.id);
    let cached = match state.store.get_optional(&key).await {
        Ok(found) => found,
        Err(err) => return problem(&user, Nav::Cdrs, ApiError::internal(err)),
    };
    let bytes = match cached {
        Some(bytes) => bytes,
        None => {
            let image = match state
                .store
                .get_optional(&artefacts::image_key(&cdr.id))
                .await
            {
                Ok(Some(image)) => image,
                // Not rendered yet: a placeholder the browser asks again for next time.
                Ok(None) => {
                    return (
                        [(CONTENT_TYPE, "image/svg+xml"), (CACHE_CONTROL, "no-store")],
                        PENDING_THUMBNAIL,
                    )
                        .into_response()
                }
                Err(err) => return problem(&user, Nav::Cdrs, ApiError::internal(err)),
            };
            let made = match tokio::task::spawn_blocking(move || thumbnail::thumbnail(&image)).await
            {
                Ok(Ok(made)) => bytes::Bytes::from(made),
                Ok(Err(why)) => return problem(&user, Nav::Cdrs, ApiError::internal(why)),
                Err(err) => return problem(&user, Nav::Cdrs, ApiError::internal(err)),
            };
            if let Err(err) = state.store.put(&key, made.clone()).await {
                tracing::warn!(error = %err, "cannot keep a thumbnail");
            }
            made
        }
    };
    (
        [
            (CONTENT_TYPE, "image/png"),
            (CACHE_CONTROL, "private, max-age=86400"),
        ],
        bytes,
    )
        .into_response()
}

/// "Check a lead": does the phone or email the seller sent match what the consumer typed?
/// Any relation may ask (a buyer checks before paying); only keyed fingerprints are compared.
fn lead_check(user: &SignedIn, d: &CdrDetails) -> Markup {
    html! {
        details.lead-check {
            summary { "Check a lead against this evidence" }
            form.filters method="post" action=(format!("/dashboard/cdrs/{}/match", d.cdr_id)) {
                (csrf_field(user))
                label { "Phone" input type="tel" name="phone" autocomplete="off"; }
                label { "Email" input type="email" name="email" autocomplete="off"; }
                button.secondary type="submit" { "Check" }
            }
            p.muted { "Compared with what the consumer typed into the form's phone and email fields, without the server ever storing them." }
        }
    }
}

fn match_box(answer: &expressconsent_protocol::LeadMatch) -> Markup {
    let line = |what: &str, value: Option<bool>| -> Markup {
        html! {
            li {
                (what) ": "
                @match value {
                    Some(true) => span.badge.ok { "matches" },
                    Some(false) => span.badge.bad { "does not match" },
                    None => span.muted { "not checked, or the form had no such field" },
                }
            }
        }
    };
    let all_match = answer.email != Some(false)
        && answer.phone != Some(false)
        && (answer.email.is_some() || answer.phone.is_some());
    let class = if all_match {
        "flash done"
    } else {
        "flash problem"
    };
    html! {
        div class=(class) role="status" {
            p { "Lead check:" }
            ul { (line("Phone", answer.phone)) (line("Email", answer.email)) }
        }
    }
}

#[derive(Debug, Deserialize)]
struct LeadForm {
    email: Option<String>,
    phone: Option<String>,
}

async fn check_lead(
    State(state): State<AppState>,
    Path(cdr_id): Path<String>,
    CsrfForm { user, form }: CsrfForm<LeadForm>,
) -> Response {
    let request = expressconsent_protocol::LeadMatchRequest {
        email: super::filled(&form.email).map(str::to_owned),
        phone: super::filled(&form.phone).map(str::to_owned),
    };
    if request.email.is_none() && request.phone.is_none() {
        let message = "Enter the lead's phone number or email to check it.".to_owned();
        return render(
            &state,
            &user,
            &cdr_id,
            Notice::Flash(FlashKind::Problem, message),
        )
        .await;
    }
    match crate::http::routes::related::match_lead(
        State(state.clone()),
        as_org(&user),
        ApiPath(cdr_id.clone()),
        crate::http::body::JsonBody(request),
    )
    .await
    {
        Ok(Data(answer)) => render(&state, &user, &cdr_id, Notice::Match(answer)).await,
        Err(ApiError::InvalidArgument(message)) => {
            render(
                &state,
                &user,
                &cdr_id,
                Notice::Flash(FlashKind::Problem, message),
            )
            .await
        }
        Err(err) => problem(&user, Nav::Cdrs, err),
    }
}

/// The stored evidence bytes (what `contentSha256` and the log entry hash).
async fn evidence_download(
    State(state): State<AppState>,
    user: SignedIn,
    Path(cdr_id): Path<String>,
) -> Response {
    let result = evidence::evidence_bytes(State(state), as_org(&user), ApiPath(cdr_id)).await;
    download(&user, result, None).await
}

fn proof_section(d: &CdrDetails, proof: Option<&crate::log::proof::ProofBundle>) -> Markup {
    html! {
        @match proof {
            None => p.muted { "Not in the transparency log yet; it is added within a second or two of capture. Reload to see it." },
            Some(p) => {
                p {
                    "In the log at index " strong { (p.index) } ", witnessed by " strong { (p.cosignatures) } "."
                }
                dl.facts {
                    dt { "Tree size" } dd { (p.tree_size) }
                    dt { "Root hash" } dd.mono { (p.root_hash_b64) }
                    dt { "Evidence SHA-256" } dd.mono { (d.content_sha256) }
                }
                p.muted { "Anyone can check offline, without trusting this server, that the evidence existed unchanged in the log: download the proof and the evidence bytes and run expressconsent-server verify, or follow docs/verifying.md." }
                div.actions {
                    a.button.secondary href=(format!("/dashboard/cdrs/{}/proof.txt", d.cdr_id)) download=(format!("{}.proof.txt", d.cdr_id)) { "Download proof" }
                }
            },
        }
    }
}

/// The CDR's inclusion proof (`c2sp.org/tlog-proof@v1`), for any relation.
async fn proof_download(
    State(state): State<AppState>,
    user: SignedIn,
    Path(cdr_id): Path<String>,
) -> Response {
    if let Err(err) = cdrs::related(&state, &as_org(&user), &cdr_id).await {
        return problem(&user, Nav::Cdrs, err);
    }
    match crate::log::proof::proof_for(&state.db, &cdr_id).await {
        Ok(Some(p)) => (
            [
                (
                    axum::http::header::CONTENT_TYPE,
                    "text/plain; charset=utf-8".to_owned(),
                ),
                (
                    CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{cdr_id}.proof.txt\""),
                ),
            ],
            p.text,
        )
            .into_response(),
        Ok(None) => problem(
            &user,
            Nav::Cdrs,
            ApiError::FailedPrecondition("not in the log yet; try again in a second".into()),
        ),
        Err(err) => problem(&user, Nav::Cdrs, ApiError::internal(err)),
    }
}
