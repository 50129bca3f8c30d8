//! The HTTP API: the router and its state, one module of routes per resource, and what
//! every request passes through on the way in and out.
//!
//! | module | owns |
//! |---|---|
//! | [`app`] | the shared state and the router, middleware included |
//! | [`routes`] | the handlers, one module per resource, each in the OpenAPI document |
//! | [`auth`] | API-key authentication of a request |
//! | [`body`], [`json`], [`query`] | reading bodies, strict JSON objects and URL parts |
//! | [`pagination`] | page sizes, orders and opaque page tokens |
//! | [`guard`], [`ratelimit`], [`client_addr`], [`cpu`] | what the open capture endpoint may cost |
//! | [`error`], [`envelope`] | the one error enum and the `{ok, data \| error}` envelope |
//! | [`openapi`] | the OpenAPI document's shared parts and limits |

pub mod app;
pub mod auth;
pub mod body;
pub mod client_addr;
pub mod cpu;
pub mod envelope;
pub mod error;
pub mod guard;
pub mod json;
pub mod openapi;
pub mod pagination;
pub mod query;
pub mod ratelimit;
pub mod routes;
