//! End-to-end tests of the HTTP API: the real app on 127.0.0.1:0 over a fresh database
//! (SQLite by default, PostgreSQL with `EC_TEST_POSTGRES_URL`) and evidence folder per
//! test, spoken to with reqwest.

mod abuse;
mod archive;
mod captures;
mod cdr_list;
mod cdrs;
mod claims;
mod cli;
mod concurrency;
mod dashboard_auth;
mod dashboard_pages;
mod documented;
mod evidence_bytes;
mod facts;
mod helpers;
mod idempotency;
mod jobs;
mod leads;
mod lifecycle;
mod limits;
mod listing;
mod log;
mod matrix;
mod migrations;
mod openapi;
mod org;
mod packages;
mod rejections;
mod rendering;
mod scenarios;
mod shares;
mod storable;
mod web;
mod webhooks;
mod witnessed;
