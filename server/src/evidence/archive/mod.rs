//! placeholder
pub mod references;
pub use references::{css_references, references};
