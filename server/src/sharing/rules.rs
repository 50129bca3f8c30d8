//! The access and billing rules of SPEC "Access and billing", as pure functions.
//!
//! Owns every decision about who gets which relation to a CDR, who is billed, and what
//! each relation allows (minting a share link, downloading, collecting). It must not do
//! I/O: the storage layer reads the current relations inside a transaction, asks these
//! functions, and writes what they decide in the same transaction. The order in which
//! relations may change ([`rank`]) is also decided here, and the storage layer's upsert
//! is generated from it.

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
    /// The claimer already held the CDR in some relation (paid, free, saved, or as its
    /// unpaid owner) before this claim; the claim may still raise that relation.
    pub already_claimed: bool,
}

/// Decides a claim of a share link.
///
/// `claimer` and `minter` are the two orgs' relations to the CDR at claim time (`None`:
/// no relation). The reference says "POSTing the same URL twice is safe
/// (`alreadyClaimed: true` on the second call)", so any relation the claimer already has
/// makes the answer `alreadyClaimed: true`; what the claimer gets now is still decided by
/// the same rules as a first claim. Free access flows one hop: only a minter that has
/// *paid* gives it away.
pub fn on_claim(claimer: Option<Access>, minter: Option<Access>, collect: bool) -> ClaimOutcome {
    let already_claimed = claimer.is_some();
    let outcome = |access, bill| ClaimOutcome {
        access,
        bill,
        already_claimed,
    };
    match claimer {
        Some(access @ (Access::Paid | Access::Free)) => outcome(access, false),
        _ if minter == Some(Access::Paid) => outcome(Access::Free, false),
        _ if collect => outcome(Access::Paid, true),
        // The capturing org keeps ownership; `saved` would lose that it owns the CDR.
        Some(Access::Unpaid) => outcome(Access::Unpaid, false),
        Some(Access::Saved) | None => outcome(Access::Saved, false),
    }
}

/// Why the rules refuse an org something it asked for about a CDR.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No relation: the CDR must look like it does not exist (`NOT_FOUND`).
    NoRelation,
    /// Saved only: it has to collect first (`FORBIDDEN`).
    NotCollected,
    /// The capturing org has not paid (auto-collect off): it has to collect first
    /// (`FORBIDDEN`).
    OwnerUnpaid,
}

/// The capturing org (paid or not) and any org with download access may mint a share.
pub fn may_mint(relation: Option<Access>) -> Result<(), Refusal> {
    match relation {
        None => Err(Refusal::NoRelation),
        Some(Access::Saved) => Err(Refusal::NotCollected),
        Some(Access::Paid | Access::Free | Access::Unpaid) => Ok(()),
    }
}

/// Any relation lets an org read a CDR's metadata; only `paid` and `free` let it download
/// the evidence (snapshot, image, report).
pub fn may_download(relation: Option<Access>) -> Result<(), Refusal> {
    match relation {
        None => Err(Refusal::NoRelation),
        Some(Access::Saved) => Err(Refusal::NotCollected),
        Some(Access::Unpaid) => Err(Refusal::OwnerUnpaid),
        Some(Access::Paid | Access::Free) => Ok(()),
    }
}

/// What `POST /v1/cdrs/:cdrId/collect` does to the calling org.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CollectOutcome {
    /// The org's relation afterwards.
    pub access: Access,
    /// Whether the org is billed once for the CDR.
    pub bill: bool,
    /// The org already had download access; nothing changes.
    pub already_collected: bool,
}

/// Decides a collect. An org that already has download access is not billed: `paid`
/// has paid, and `free` was given the CDR by a payer, so charging it would bill the same
/// hand-off twice. `saved` recipients and unpaid owners pay once and get `paid`.
pub fn on_collect(relation: Option<Access>) -> Result<CollectOutcome, Refusal> {
    let outcome = |access, bill, already_collected| CollectOutcome {
        access,
        bill,
        already_collected,
    };
    match relation {
        None => Err(Refusal::NoRelation),
        Some(access @ (Access::Paid | Access::Free)) => Ok(outcome(access, false, true)),
        Some(Access::Saved | Access::Unpaid) => Ok(outcome(Access::Paid, true, false)),
    }
}

/// The order in which relations may change: they only ever rise (`saved`/`unpaid` →
/// `free` → `paid`), never fall. The storage layer writes relations with an upsert that
/// keeps the higher rank, so two concurrent claims that each decided on a stale read
/// still converge on the right relation (e.g. a `collect:false` claim cannot downgrade a
/// concurrent paying claim to `saved`). `saved` and `unpaid` rank equally: an owner is
/// never a recipient and a recipient is never the owner.
pub fn rank(access: Access) -> u8 {
    match access {
        Access::Saved | Access::Unpaid => 1,
        Access::Free => 2,
        Access::Paid => 3,
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
            (Some(Free),   Some(Free),   false, Free,   false, true),
            // First claim, minter paid: free, even with collect:false.
            (None,         Some(Paid),   true,  Free,   false, false),
            (None,         Some(Paid),   false, Free,   false, false),
            // First claim, minter did not pay (unpaid owner, free re-sharer): it pays.
            (None,         Some(Unpaid), true,  Paid,   true,  false),
            (None,         Some(Free),   true,  Paid,   true,  false),
            (None,         None,         true,  Paid,   true,  false),
            // First claim with collect:false and no paying minter: saved.
            (None,         Some(Unpaid), false, Saved,  false, false),
            (None,         Some(Free),   false, Saved,  false, false),
            // Saved already: already claimed, and the same rules decide what it gets now.
            (Some(Saved),  Some(Paid),   false, Free,   false, true),
            (Some(Saved),  Some(Paid),   true,  Free,   false, true),
            (Some(Saved),  Some(Free),   true,  Paid,   true,  true),
            (Some(Saved),  Some(Unpaid), true,  Paid,   true,  true),
            (Some(Saved),  Some(Unpaid), false, Saved,  false, true),
            (Some(Saved),  Some(Free),   false, Saved,  false, true),
            // The unpaid owner claiming a share of its own CDR: likewise, and stays owner.
            (Some(Unpaid), Some(Paid),   true,  Free,   false, true),
            (Some(Unpaid), Some(Unpaid), true,  Paid,   true,  true),
            (Some(Unpaid), Some(Unpaid), false, Unpaid, false, true),
            (Some(Unpaid), Some(Free),   false, Unpaid, false, true),
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
    fn every_claim_by_an_org_with_any_relation_is_already_claimed() {
        let relations = [None, Some(Saved), Some(Unpaid), Some(Free), Some(Paid)];
        for claimer in relations {
            for minter in relations {
                for collect in [true, false] {
                    let decided = on_claim(claimer, minter, collect);
                    assert_eq!(
                        decided.already_claimed,
                        claimer.is_some(),
                        "claimer {claimer:?}, minter {minter:?}, collect {collect}"
                    );
                }
            }
        }
    }

    #[test]
    fn owners_and_orgs_with_access_may_mint_but_savers_may_not() {
        #[rustfmt::skip]
        let table = [
            (None,         Err(Refusal::NoRelation)),
            (Some(Saved),  Err(Refusal::NotCollected)),
            (Some(Unpaid), Ok(())),
            (Some(Paid),   Ok(())),
            (Some(Free),   Ok(())),
        ];
        for (relation, expected) in table {
            assert_eq!(may_mint(relation), expected, "{relation:?}");
        }
    }

    #[test]
    fn only_paid_and_free_relations_may_download() {
        #[rustfmt::skip]
        let table = [
            (None,         Err(Refusal::NoRelation)),
            (Some(Saved),  Err(Refusal::NotCollected)),
            (Some(Unpaid), Err(Refusal::OwnerUnpaid)),
            (Some(Paid),   Ok(())),
            (Some(Free),   Ok(())),
        ];
        for (relation, expected) in table {
            assert_eq!(may_download(relation), expected, "{relation:?}");
        }
    }

    #[test]
    fn collecting_bills_only_orgs_without_download_access() {
        // relation → (access, bill, already_collected), or the refusal
        #[rustfmt::skip]
        let table = [
            (None,         Err(Refusal::NoRelation)),
            (Some(Saved),  Ok((Paid, true,  false))),
            (Some(Unpaid), Ok((Paid, true,  false))),
            (Some(Paid),   Ok((Paid, false, true))),
            (Some(Free),   Ok((Free, false, true))),
        ];
        for (relation, expected) in table {
            let expected = expected.map(|(access, bill, already_collected)| CollectOutcome {
                access,
                bill,
                already_collected,
            });
            assert_eq!(on_collect(relation), expected, "{relation:?}");
        }
    }

    #[test]
    fn no_decision_ever_lowers_a_relation() {
        let relations = [None, Some(Saved), Some(Unpaid), Some(Free), Some(Paid)];
        let rank_of = |r: Option<Access>| r.map_or(0, rank);
        for claimer in relations {
            for minter in relations {
                for collect in [true, false] {
                    let decided = on_claim(claimer, minter, collect);
                    assert!(
                        rank(decided.access) >= rank_of(claimer),
                        "claim {claimer:?} {minter:?} {collect}"
                    );
                }
            }
            if let Ok(decided) = on_collect(claimer) {
                assert!(
                    rank(decided.access) >= rank_of(claimer),
                    "collect {claimer:?}"
                );
            }
        }
    }

    #[test]
    fn billing_always_ends_in_paid() {
        let relations = [None, Some(Saved), Some(Unpaid), Some(Free), Some(Paid)];
        for claimer in relations {
            for minter in relations {
                for collect in [true, false] {
                    let decided = on_claim(claimer, minter, collect);
                    assert!(!decided.bill || decided.access == Paid);
                }
            }
            if let Ok(decided) = on_collect(claimer) {
                assert!(!decided.bill || decided.access == Paid);
            }
        }
    }
}
