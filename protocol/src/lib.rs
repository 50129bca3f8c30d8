//! Wire types shared by the browser SDK and the server.
//!
//! This crate owns the shape of every JSON body that crosses the network and the limits
//! that both sides enforce. It does no I/O and reads no clocks, so it builds for
//! `wasm32-unknown-unknown` and native alike. Field names are camelCase on the wire.
//!
//! It needs only `alloc`, not `std`, so that the SDK can leave the standard library (and
//! its panic formatting) out of the wasm every lead form downloads.

// The OpenAPI derive (a server-only feature) and the tests expect the standard prelude.
#![cfg_attr(not(any(test, feature = "openapi")), no_std)]

extern crate alloc;

/// What this crate uses of `alloc`, which `no_std` leaves out of the prelude.
mod prelude {
    pub(crate) use alloc::string::String;
    pub(crate) use alloc::vec::Vec;
}

pub mod billing;
pub mod capture;
pub mod cdr;
pub mod check;
pub mod envelope;
pub mod fit;
pub mod lead;
pub mod limits;
pub mod org;
pub mod package;
pub mod share;
pub mod text;

pub use billing::*;
pub use capture::*;
pub use cdr::*;
pub use check::*;
pub use envelope::*;
pub use fit::*;
pub use lead::*;
pub use limits::*;
pub use org::*;
pub use package::*;
pub use share::*;

/// Version of the wire protocol; bumped on any incompatible change.
pub const PROTOCOL_VERSION: u32 = 1;
