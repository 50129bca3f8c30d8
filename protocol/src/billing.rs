//! Bodies of the billing ledger endpoint.

#[allow(unused_imports)]
use crate::prelude::*;
use serde::{Deserialize, Serialize};

/// Why an org was billed for a CDR. An org is billed at most once per CDR.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum BillingReason {
    /// The org captured the CDR with auto-collect on.
    AutoCollect,
    /// The org claimed a share link that did not grant free access, with `collect` on.
    ShareClaim,
    /// The org called `POST /v1/cdrs/:cdrId/collect`.
    Collect,
}

/// One row of an org's billing ledger.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct BillingEvent {
    /// `bil_…`.
    pub billing_event_id: String,
    /// The CDR paid for.
    pub cdr_id: String,
    /// What caused the charge.
    pub reason: BillingReason,
    /// When, epoch milliseconds.
    pub created_at: i64,
}

/// `GET /v1/billing/events` result: one page of the ledger.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct BillingEventPage {
    /// At most `pageSize` events, newest first unless `order=asc`.
    pub events: Vec<BillingEvent>,
    /// Pass as `pageToken` to get the next page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
}
