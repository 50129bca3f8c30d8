//! The access and billing rules of SPEC "Access and billing", as pure functions.
//!
//! Owns every decision about who gets which relation to a CDR and who is billed. It must
//! not do I/O: the storage layer reads the current relations inside a transaction, asks
//! these functions, and writes what they decide in the same transaction.

use expressconsent_protocol::Access;

/// What a capture does to the capturing org.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaptureOutcome {
    /// The owner's relation to the new CDR.
    pub access: Access,
    /// Whether the owner is billed once for it.
    pub bill: bool,
}

/// A capture bills the generator only when its org auto-collects; otherwise the CDR sits
/// unpaid until someone collects it.
pub fn on_capture(auto_collect: bool) -> CaptureOutcome {
    if auto_collect {
        CaptureOutcome {
            access: Access::Paid,
            bill: true,
        }
    } else {
        CaptureOutcome {
            access: Access::Unpaid,
            bill: false,
        }
    }
}

/// What a claim of a share link does to the claiming org.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClaimOutcome {
    /// The claimer's relation after the claim.
    pub access: Access,
    /// Whether the claimer is billed once for the CDR.
    pub bill: bool,
    /// The claimer already had download access; nothing changes.
    pub already_claimed: bool,
}

/// Decides a claim of a share link.
///
/// `claimer` and `minter` are the two orgs' relations to the CDR at claim time (`None`:
/// no relation). Free access flows one hop: only a minter that has *paid* gives it away.
pub fn on_claim(claimer: Option<Access>, minter: Option<Access>, collect: bool) -> ClaimOutcome {
    let outcome = |access, bill, already_claimed| ClaimOutcome {
        access,
        bill,
        already_claimed,
    };
    match claimer {
        Some(access @ (Access::Paid | Access::Free)) => outcome(access, false, true),
        _ if minter == Some(Access::Paid) => outcome(Access::Free, false, false),
        _ if collect => outcome(Access::Paid, true, false),
        // The capturing org keeps ownership; `saved` would lose that it owns the CDR.
        Some(Access::Unpaid) => outcome(Access::Unpaid, false, false),
        Some(Access::Saved) | None => outcome(Access::Saved, false, false),
    }
}

/// Why an org may not mint a share link for a CDR.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MintRefusal {
    /// No relation: the CDR must look like it does not exist.
    NoRelation,
    /// Saved only: it has to collect first.
    NotCollected,
}

/// The capturing org (paid or not) and any org with download access may mint a share.
pub fn may_mint(relation: Option<Access>) -> Result<(), MintRefusal> {
    match relation {
        None => Err(MintRefusal::NoRelation),
        Some(Access::Saved) => Err(MintRefusal::NotCollected),
        Some(Access::Paid | Access::Free | Access::Unpaid) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Access::{Free, Paid, Saved, Unpaid};

    #[test]
    fn a_capture_bills_the_generator_only_with_auto_collect() {
        assert_eq!(
            on_capture(true),
            CaptureOutcome {
                access: Paid,
                bill: true
            }
        );
        assert_eq!(
            on_capture(false),
            CaptureOutcome {
                access: Unpaid,
                bill: false
            }
        );
    }

    #[test]
    fn claims_follow_the_reference_table() {
        // (claimer, minter, collect) → (access, bill, already_claimed)
        type Row = (Option<Access>, Option<Access>, bool, Access, bool, bool);
        #[rustfmt::skip]
        let table: &[Row] = &[
            // Already has download access: nothing changes, nothing billed.
            (Some(Paid),   Some(Paid),   true,  Paid,   false, true),
            (Some(Paid),   Some(Unpaid), false, Paid,   false, true),
            (Some(Free),   Some(Paid),   true,  Free,   false, true),
            (Some(Free),   Some(Free),   true,  Free,   false, true),
            // Minter paid: free, even with collect:false.
            (None,         Some(Paid),   true,  Free,   false, false),
            (None,         Some(Paid),   false, Free,   false, false),
            (Some(Saved),  Some(Paid),   false, Free,   false, false),
            (Some(Unpaid), Some(Paid),   true,  Free,   false, false),
            // Minter did not pay (unpaid owner, free re-sharer): the claimer pays.
            (None,         Some(Unpaid), true,  Paid,   true,  false),
            (None,         Some(Free),   true,  Paid,   true,  false),
            (Some(Saved),  Some(Free),   true,  Paid,   true,  false),
            (Some(Unpaid), Some(Unpaid), true,  Paid,   true,  false),
            (None,         None,         true,  Paid,   true,  false),
            // collect:false without a paying minter: saved, owners stay owners.
            (None,         Some(Unpaid), false, Saved,  false, false),
            (None,         Some(Free),   false, Saved,  false, false),
            (Some(Saved),  Some(Unpaid), false, Saved,  false, false),
            (Some(Unpaid), Some(Unpaid), false, Unpaid, false, false),
        ];
        for &(claimer, minter, collect, access, bill, already_claimed) in table {
            assert_eq!(
                on_claim(claimer, minter, collect),
                ClaimOutcome {
                    access,
                    bill,
                    already_claimed
                },
                "claimer {claimer:?}, minter {minter:?}, collect {collect}"
            );
        }
    }

    #[test]
    fn owners_and_orgs_with_access_may_mint_but_savers_may_not() {
        #[rustfmt::skip]
        let table = [
            (None,         Err(MintRefusal::NoRelation)),
            (Some(Saved),  Err(MintRefusal::NotCollected)),
            (Some(Unpaid), Ok(())),
            (Some(Paid),   Ok(())),
            (Some(Free),   Ok(())),
        ];
        for (relation, expected) in table {
            assert_eq!(may_mint(relation), expected, "{relation:?}");
        }
    }
}
