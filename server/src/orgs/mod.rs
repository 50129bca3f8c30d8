//! Orgs and what names them: the ids and secrets the server mints ([`ids`]), the host
//! names an org registers ([`host`]), and the demo orgs of `serve --demo` ([`demo`]).

pub mod demo;
pub mod host;
pub mod ids;
