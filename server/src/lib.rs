//! The ExpressConsent server: HTTP API, storage, and the access and billing rules.
//!
//! Reading order: [`startup`] builds a [`app::app`] from [`config`]; [`routes`] translate
//! HTTP into calls to [`ingest`] and [`db`]; [`rules`] decides access and billing without
//! I/O; [`evidence`] checks each snapshot and derives its consent facts; [`error`] and
//! [`envelope`] shape every response. [`evidence::check`] is the pure snapshot checker.

pub mod app;
pub mod auth;
pub mod body;
pub mod cli;
pub mod config;
pub mod db;
pub mod demo;
pub mod envelope;
pub mod error;
pub mod evidence;
pub mod host;
pub mod ids;
pub mod ingest;
pub mod json;
pub mod links;
pub mod metadata;
pub mod openapi;
pub mod pagination;
pub mod query;
pub mod routes;
pub mod rules;
pub mod startup;
pub mod store;
