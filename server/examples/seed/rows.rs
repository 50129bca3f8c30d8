//! The rows of one seeded CDR: exactly what `db::cdrs::insert_capture` writes at ingest
//! (the CDR, its facts, packages, metadata, the owner's relation and bill, the sealed
//! reply, the lead fingerprints) and what a claim of a minted share link writes
//! (`db::shares::mint` and `claim`: the share, the claimer's relation, bill and share
//! event), decided by the server's own rules (`on_capture`, `on_claim`) and made with its
//! own id, hashing, sealing and normalization functions.

use expressconsent_protocol::{Access, CaptureResult, ExpiresIn, SubGroupIds};
use expressconsent_server::evidence::ingest::package_data;
use expressconsent_server::evidence::metadata::entries;
use expressconsent_server::evidence::reply::ReplyKey;
use expressconsent_server::orgs::ids::{new_id, IdKind};
use expressconsent_server::sharing::links::new_link;
use expressconsent_server::sharing::rules::{on_capture, on_claim};
use sqlx::AnyConnection;

use crate::batch::Table;
use crate::plan::PlannedCdr;
use expressconsent_server::evidence::lead::Matcher;

/// What every seeded CDR shares: the one stored evidence file and its facts.
pub struct Evidence {
    /// Where the evidence file is stored (every seeded CDR points at it).
    pub object_key: String,
    /// Its hex SHA-256.
    pub sha256: String,
    /// Its size.
    pub size: i64,
    /// The facts ingest derived from it, as JSON.
    pub facts_json: String,
    /// The key that seals replies to it.
    pub reply_key: ReplyKey,
}

/// A seeded org as the rows need it.
pub struct SeededOrg {
    /// `cid_…`.
    pub id: String,
    /// Its hosts.
    pub domains: Vec<String>,
    /// Billed at capture.
    pub auto_collect: bool,
}

/// The pending rows of every table a CDR touches.
pub struct Rows {
    cdrs: Table,
    facts: Table,
    packages: Table,
    metadata: Table,
    access: Table,
    billing: Table,
    replies: Table,
    shares: Table,
    share_events: Table,
    leads: Table,
}

impl Rows {
    /// Empty tables.
    pub fn new() -> Self {
        Self {
            cdrs: Table::new(
                "cdrs",
                &[
                    "id",
                    "org_id",
                    "domain_id",
                    "package_id",
                    "idempotency_key",
                    "object_key",
                    "content_sha256",
                    "size_bytes",
                    "page_url",
                    "custom_json",
                    "received_ip",
                    "user_agent",
                    "created_at",
                ],
            ),
            facts: Table::new(
                "cdr_facts",
                &["cdr_id", "version", "facts_json", "derived_at"],
            ),
            packages: Table::new("cdr_packages", &["package_id", "cdr_id"]),
            metadata: Table::new("cdr_metadata", &["cdr_id", "key", "value"]),
            // With the copies of the CDR's time, domain and package that
            // `db::access::raise_relation` makes for the org's list.
            access: Table::new(
                "cdr_access",
                &[
                    "org_id",
                    "cdr_id",
                    "relation",
                    "created_at",
                    "updated_at",
                    "cdr_created_at",
                    "cdr_domain_id",
                    "cdr_package_id",
                ],
            ),
            billing: Table::new(
                "billing_events",
                &["id", "org_id", "cdr_id", "reason", "created_at"],
            ),
            replies: Table::new(
                "capture_replies",
                &["cdr_id", "request_sha256", "reply_sealed"],
            ),
            shares: Table::new(
                "shares",
                &[
                    "id",
                    "token_hash",
                    "cdr_id",
                    "minter_org_id",
                    "created_at",
                    "expires_at",
                ],
            ),
            share_events: Table::new(
                "share_events",
                &[
                    "id",
                    "share_id",
                    "org_id",
                    "outcome",
                    "billed",
                    "created_at",
                ],
            ),
            leads: Table::new("cdr_leads", &["cdr_id", "kind", "fingerprint"]),
        }
    }

    /// Queues the rows of one planned CDR; returns its id.
    pub fn add(
        &mut self,
        cdr: &PlannedCdr,
        orgs: &[SeededOrg],
        evidence: &Evidence,
        matcher: &Matcher,
    ) -> String {
        let owner = &orgs[cdr.org];
        let id = new_id(IdKind::Cdr);
        let package_id = format!("pkg_seed{:012}", cdr.package);
        let domain = owner.domains[cdr.domain].clone();
        let at = cdr.created_at;
        let custom = cdr.custom.map(|(campaign, source)| {
            let mut map = serde_json::Map::new();
            map.insert("campaign".into(), format!("c{campaign}").into());
            map.insert("source".into(), source.into());
            map
        });
        let custom_json = custom
            .as_ref()
            .map(|c| serde_json::to_string(c).expect("JSON of a map"));
        self.cdrs.push([
            id.clone().into(),
            owner.id.clone().into(),
            domain.clone().into(),
            package_id.clone().into(),
            new_id(IdKind::Request).into(),
            evidence.object_key.clone().into(),
            evidence.sha256.clone().into(),
            evidence.size.into(),
            format!("https://{domain}/apply").into(),
            custom_json.into(),
            format!("198.51.100.{}", cdr.n % 250 + 1).into(),
            "Mozilla/5.0 (seeded)".into(),
            at.into(),
        ]);
        self.facts.push([
            id.clone().into(),
            expressconsent_server::db::facts::FACTS_VERSION.into(),
            evidence.facts_json.clone().into(),
            at.into(),
        ]);
        self.packages
            .push([package_id.clone().into(), id.clone().into()]);
        for (key, value) in custom.as_ref().map(entries).unwrap_or_default() {
            self.metadata
                .push([id.clone().into(), key.into(), value.into()]);
        }
        let outcome = on_capture(owner.auto_collect);
        self.relation(
            &owner.id,
            &id,
            outcome.access,
            at,
            (&domain, &package_id, at),
        );
        if outcome.bill {
            self.bill(&owner.id, &id, "auto_collect", at);
        }
        let reply = CaptureResult {
            cdr_id: id.clone(),
            package_data: package_data(&package_id, &SubGroupIds::new(Vec::new()).expect("none")),
            share_url: None,
            share_token: None,
            share_expires_at: None,
        };
        self.replies.push([
            id.clone().into(),
            evidence.sha256.clone().into(),
            evidence.reply_key.seal(&owner.id, &id, &reply).into(),
        ]);
        for (kind, fingerprint) in crate::leads::fingerprints(matcher, cdr.n) {
            self.leads
                .push([id.clone().into(), kind.into(), fingerprint.into()]);
        }
        if !cdr.claims.is_empty() {
            let ttl = ExpiresIn::from_request(None).expect("the default lifetime");
            let (share, _link) = new_link("https://seed.invalid", &id, &owner.id, ttl, at);
            self.shares.push([
                share.id.clone().into(),
                share.token_hash.into(),
                id.clone().into(),
                owner.id.clone().into(),
                share.created_at.into(),
                share.expires_at.into(),
            ]);
            for claim in &cdr.claims {
                let buyer = &orgs[claim.buyer].id;
                let when = at + claim.after_ms;
                let decided = on_claim(None, Some(outcome.access), claim.collect);
                if decided.bill {
                    self.bill(buyer, &id, "share_claim", when);
                }
                self.relation(buyer, &id, decided.access, when, (&domain, &package_id, at));
                self.share_events.push([
                    new_id(IdKind::ShareEvent).into(),
                    share.id.clone().into(),
                    buyer.clone().into(),
                    relation_str(decided.access).into(),
                    i64::from(decided.bill).into(),
                    when.into(),
                ]);
            }
        }
        id
    }

    fn relation(&mut self, org: &str, cdr: &str, access: Access, at: i64, copy: (&str, &str, i64)) {
        let (domain, package, created) = copy;
        self.access.push([
            org.into(),
            cdr.into(),
            relation_str(access).into(),
            at.into(),
            at.into(),
            created.into(),
            domain.into(),
            package.into(),
        ]);
    }

    fn bill(&mut self, org: &str, cdr: &str, reason: &str, at: i64) {
        self.billing.push([
            new_id(IdKind::BillingEvent).into(),
            org.into(),
            cdr.into(),
            reason.into(),
            at.into(),
        ]);
    }

    /// Writes every queued row, parents before children (foreign keys).
    pub async fn flush(&mut self, conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
        for table in self.tables_mut() {
            table.flush(conn).await?;
        }
        Ok(())
    }

    /// Rows written so far, all tables together.
    pub fn written(&mut self) -> u64 {
        self.tables_mut().iter().map(|t| t.written).sum()
    }

    fn tables_mut(&mut self) -> [&mut Table; 10] {
        [
            &mut self.cdrs,
            &mut self.facts,
            &mut self.packages,
            &mut self.metadata,
            &mut self.access,
            &mut self.billing,
            &mut self.replies,
            &mut self.shares,
            &mut self.share_events,
            &mut self.leads,
        ]
    }
}

/// The stored spelling of a relation (as `db::access` writes it).
fn relation_str(access: Access) -> &'static str {
    match access {
        Access::Paid => "paid",
        Access::Free => "free",
        Access::Saved => "saved",
        Access::Unpaid => "unpaid",
    }
}
