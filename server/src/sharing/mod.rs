//! Sharing evidence with buyers: who may do what with a CDR and what it costs
//! ([`rules`], pure functions), and the share links themselves ([`links`]).

pub mod links;
pub mod rules;
