//! HTTP routes, one module per resource, each with a `router()`.
//!
//! Handlers here translate between HTTP and the modules that do the work (`ingest`,
//! `db`, `rules`); they hold no business rules of their own.

pub mod captures;
pub mod cdrs;
pub mod shares;
pub mod web;
