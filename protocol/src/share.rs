//! Bodies of the sharing endpoints: minting a share link and claiming one.

#[allow(unused_imports)]
use crate::prelude::*;
use serde::{Deserialize, Serialize};

/// `POST /v1/cdrs/:cdrId/share` body.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ShareRequest {
    /// Lifetime of the link in milliseconds: 1 to 63,072,000,000 (two years of 365 days);
    /// default 30 days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 63_072_000_000_u64))]
    pub expires_in_ms: Option<u64>,
}

/// A minted share link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ShareLink {
    /// Absolute URL a buyer POSTs to with its own API key.
    pub share_url: String,
    /// The token at the end of `shareUrl`.
    pub share_token: String,
    /// When the link stops working, epoch milliseconds.
    pub share_expires_at: i64,
}

/// `POST /v1/shares/:token` body (optional).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClaimRequest {
    /// Pay for the CDR when the link does not grant free access. Default `true`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collect: Option<bool>,
}

/// An org's relation to a CDR, as the API reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum Access {
    /// Paid for it: full access.
    Paid,
    /// Received through a share minted by a payer: full access, not billed.
    Free,
    /// Received with `collect: false`: listed, not downloadable until collected.
    Saved,
    /// The capturing org that has not paid: owns it, cannot download until it collects.
    Unpaid,
}

impl Access {
    /// Whether this relation allows downloading the evidence.
    pub fn can_download(self) -> bool {
        matches!(self, Self::Paid | Self::Free)
    }
}

/// `POST /v1/shares/:token` result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ClaimResult {
    /// The CDR is now related to the caller's org.
    pub claimed: bool,
    /// The caller's org already held this CDR (paid, free, saved, or as its unpaid owner)
    /// before this call. `access` says what it holds now: a collecting claim by a saved
    /// org still upgrades it to `paid` (billed once), a payer's share to `free`.
    pub already_claimed: bool,
    /// The CDR the link points to.
    pub cdr_id: String,
    /// The registered domain the CDR was captured on.
    pub domain_id: String,
    /// The recorded share event (`se_…`).
    pub share_event_id: String,
    /// The caller's relation after the call.
    pub access: Access,
    /// The CDR's index in the transparency log (`/log/`); null until it is sequenced,
    /// within about a second of ingest.
    #[serde(default)]
    pub log_index: Option<u64>,
    /// The CDR's `c2sp.org/tlog-proof@v1` document (`GET /v1/cdrs/{cdrId}/proof`), an
    /// absolute URL; null until it is sequenced.
    #[serde(default)]
    pub proof_url: Option<String>,
}
