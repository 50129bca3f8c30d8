//! Checking the transparency log from outside: offline verification of a proof
//! (`expressconsent-server verify`), consistency of the live log with a kept checkpoint
//! (`verify --consistency`), and a C2SP tlog-witness (`expressconsent-server witness`).
//!
//! Everything here speaks the C2SP formats (tlog-proof, tlog-checkpoint, signed-note,
//! tlog-cosignature, tlog-witness) and needs no access to the server's database: a buyer runs
//! the same code against files and public URLs. Hashing, proofs and notes come from the
//! `tlog_tiles` and `signed_note` crates (Cloudflare's azul implementations of those specs);
//! this module is the glue and the command line.
//!
//! | module | owns |
//! |---|---|
//! | [`proof`] | the `c2sp.org/tlog-proof@v1` document and the log entry in its extra data |
//! | [`cosignature`] | `cosignature/v1` keys, signing and verifying |
//! | [`offline`] | `verify --evidence --proof --key [--witness]… [--quorum]` |
//! | [`consistency`] | `verify --consistency --old --log --key` over the log's tiles |
//! | [`witness`] | the witness server and its state |
//! | [`cli`] | the `verify` and `witness` command lines |

pub mod cli;
pub mod consistency;
pub mod cosignature;
pub mod offline;
pub mod proof;
pub mod witness;
