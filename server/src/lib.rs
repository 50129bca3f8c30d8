//! The ExpressConsent server: HTTP API, storage, and the access and billing rules.
//!
//! Reading order: [`startup`] builds a [`app::app`] from [`config`]; [`routes`] translate
//! HTTP into calls to [`ingest`] and [`db`]; [`guard`] bounds what the open capture
//! endpoint may cost (with [`ratelimit`] and [`client_addr`]); [`rules`] decides access and
//! billing without I/O; [`evidence`] checks each snapshot and derives its consent facts
//! ([`evidence::check`] is the pure snapshot checker); [`error`] and [`envelope`] shape
//! every response.

pub mod app;
pub mod auth;
pub mod body;
pub mod cli;
pub mod client_addr;
pub mod config;
pub mod db;
pub mod demo;
pub mod envelope;
pub mod error;
pub mod evidence;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
pub mod guard;
pub mod host;
pub mod ids;
pub mod ingest;
pub mod json;
pub mod links;
pub mod metadata;
pub mod openapi;
pub mod pagination;
pub mod query;
pub mod ratelimit;
pub mod reply;
pub mod routes;
pub mod rules;
pub mod startup;
pub mod store;
