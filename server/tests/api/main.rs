//! End-to-end tests of the HTTP API: the real app on 127.0.0.1:0 over a fresh SQLite file
//! and evidence folder per test, spoken to with reqwest.

mod captures;
mod cli;
mod helpers;
mod shares;
mod web;
