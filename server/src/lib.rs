//! The ExpressConsent server: HTTP API, storage, and the access and billing rules.
//!
//! The tree is grouped by capability; dependencies run from the HTTP layer to the
//! capabilities to storage. Reading order: [`startup`] builds the router of [`http::app`]
//! from [`config`]; [`http::routes`] translate HTTP into calls to [`evidence::ingest`],
//! [`sharing`] and [`db`]; [`http::guard`] bounds what the open capture endpoint may cost;
//! [`sharing::rules`] decides access and billing without I/O; [`evidence`] checks each
//! snapshot, derives its consent facts and keeps the evidence files; [`orgs`] mints ids
//! and reads host names; [`http::error`] and [`http::envelope`] shape every response.
//!
//! | module | owns |
//! |---|---|
//! | [`http`] | the router, its state, the routes, and request/response shaping |
//! | [`evidence`] | ingest, the snapshot checker, consent facts, the evidence store |
//! | [`sharing`] | the access and billing rules and share links |
//! | [`orgs`] | ids and secrets, host names, the demo orgs |
//! | [`jobs`] | background work claimed from the database, with leases and retries |
//! | [`log`] | the transparency log: entries, tiles, checkpoints, proofs, witnesses |
//! | [`webhooks`] | signed `cdr.completed` events and their delivery |
//! | [`net`] | outbound HTTP refused to private networks (SSRF-safe): archive, webhooks |
//! | [`render`] | the evidence image: snapshots rendered by headless Chromium |
//! | [`report`] | the PDF/A-3b report: summary, image pages, the evidence embedded |
//! | [`verify`] | checking without the server: offline proofs, consistency, the witness |
//! | [`dashboard`] | the web dashboard: sign-in and sessions, pages for people |
//! | [`db`] | the metadata database: one file of queries per concept |
//! | [`cli`], [`config`], [`startup`] | the command line, settings and serving |

pub mod cli;
pub mod config;
pub mod dashboard;
pub mod db;
pub mod evidence;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
pub mod http;
pub mod jobs;
pub mod log;
pub mod net;
pub mod orgs;
pub mod render;
pub mod report;
pub mod sharing;
pub mod startup;
pub mod verify;
pub mod webhooks;
