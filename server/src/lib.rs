//! The ExpressConsent server: HTTP API, storage, and the access and billing rules.
//!
//! Reading order: [`startup`] builds a [`app::app`] from [`config`]; [`routes`] translate
//! HTTP into calls to [`ingest`] and [`db`]; [`rules`] decides access and billing without
//! I/O; [`error`] and [`envelope`] shape every response.

pub mod app;
pub mod auth;
pub mod body;
pub mod cli;
pub mod config;
pub mod consent;
pub mod db;
pub mod demo;
pub mod envelope;
pub mod error;
pub mod evidence;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
pub mod host;
pub mod ids;
pub mod ingest;
pub mod links;
pub mod metadata;
pub mod openapi;
pub mod pagination;
pub mod query;
pub mod routes;
pub mod rules;
pub mod startup;
pub mod store;
