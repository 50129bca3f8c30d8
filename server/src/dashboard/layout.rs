//! The page shell every dashboard page shares: head, navigation, the signed-in user and
//! sign-out, and small building blocks (times, flash messages, empty states) so that pages
//! look and behave alike.

use chrono::{TimeZone as _, Utc};
use maud::{html, Markup, PreEscaped, DOCTYPE};

use crate::dashboard::session::{Role, SignedIn};

/// Which navigation entry a page belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    /// The CDR list, search and one CDR.
    Cdrs,
    /// Claiming a share URL.
    Claim,
    /// A session's CDRs.
    Packages,
    /// The billing ledger.
    Billing,
    /// Admin settings.
    Settings,
}

impl Nav {
    fn entries(role: Role) -> impl Iterator<Item = (Nav, &'static str, &'static str)> {
        [
            (Nav::Cdrs, "CDRs", "/dashboard/"),
            (Nav::Claim, "Claim", "/dashboard/claim"),
            (Nav::Packages, "Packages", "/dashboard/packages"),
            (Nav::Billing, "Billing", "/dashboard/billing"),
            (Nav::Settings, "Settings", "/dashboard/settings"),
        ]
        .into_iter()
        .filter(move |(nav, _, _)| *nav != Nav::Settings || role == Role::Admin)
    }
}

/// A full page for a signed-in user.
pub fn page(user: &SignedIn, title: &str, active: Nav, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            (head(title))
            body {
                a.skip href="#main" { "Skip to content" }
                header.top {
                    a.brand href="/dashboard/" { "ExpressConsent" }
                    nav aria-label="Main" {
                        ul {
                            @for (nav, label, href) in Nav::entries(user.role) {
                                li {
                                    @if nav == active {
                                        a href=(href) aria-current="page" { (label) }
                                    } @else {
                                        a href=(href) { (label) }
                                    }
                                }
                            }
                        }
                    }
                    div.who {
                        span.org { (user.org_name) }
                        span.email { (user.email) }
                        form method="post" action="/dashboard/sign-out" {
                            (csrf_field(user))
                            button.link type="submit" { "Sign out" }
                        }
                    }
                }
                main #main tabindex="-1" {
                    h1 { (title) }
                    (body)
                }
            }
        }
    }
}

/// A page for people who are not signed in (sign-in, choosing a password).
pub fn bare(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            (head(title))
            body.bare {
                main #main {
                    p.brand { "ExpressConsent" }
                    h1 { (title) }
                    (body)
                }
            }
        }
    }
}

fn head(title: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            meta name="referrer" content="same-origin";
            title { (title) " · ExpressConsent" }
            link rel="icon" href="data:,";
            link rel="stylesheet" href="/dashboard/static/app.css";
            script src="/dashboard/static/app.js" defer {}
        }
    }
}

/// The hidden CSRF field every state-changing form carries.
pub fn csrf_field(user: &SignedIn) -> Markup {
    html! { input type="hidden" name="csrf" value=(user.csrf_token); }
}

/// A point in time: UTC in the markup and on hover, turned into the viewer's time zone by
/// the page script.
pub fn time(ms: i64) -> Markup {
    let utc = Utc.timestamp_millis_opt(ms).single().unwrap_or_default();
    let iso = utc.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let shown = utc.format("%Y-%m-%d %H:%M:%S UTC").to_string();
    html! { time datetime=(iso) title=(shown) data-local { (shown) } }
}

/// A message shown once at the top of a page (after a form post).
pub fn flash(kind: FlashKind, message: &str) -> Markup {
    let (class, role) = match kind {
        FlashKind::Done => ("flash done", "status"),
        FlashKind::Problem => ("flash problem", "alert"),
    };
    html! { div class=(class) role=(role) { (message) } }
}

/// What a flash message reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlashKind {
    /// Something worked.
    Done,
    /// Something did not.
    Problem,
}

/// What an empty list says: what it would show and what to do next.
pub fn empty(what: &str, next: Markup) -> Markup {
    html! {
        div.empty {
            p { (what) }
            p { (next) }
        }
    }
}

/// Inline JSON for the page script, escaped so that no string can close the script.
pub fn json_script(id: &str, value: &serde_json::Value) -> Markup {
    let text = value
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026");
    html! { script type="application/json" id=(id) { (PreEscaped(text)) } }
}
