//! Wire types shared by the browser SDK and the server.
//!
//! This crate owns the shape of every JSON body that crosses the network and the limits
//! that both sides enforce. It does no I/O and reads no clocks, so it builds for
//! `wasm32-unknown-unknown` and native alike. Field names are camelCase on the wire.

pub mod billing;
pub mod capture;
pub mod cdr;
pub mod envelope;
pub mod limits;
pub mod org;
pub mod package;
pub mod share;

pub use billing::*;
pub use capture::*;
pub use cdr::*;
pub use envelope::*;
pub use limits::*;
pub use org::*;
pub use package::*;
pub use share::*;

/// Version of the wire protocol; bumped on any incompatible change.
pub const PROTOCOL_VERSION: u32 = 1;
