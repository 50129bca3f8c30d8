//! The shape of a year of data, decided without I/O: which orgs exist, which of them
//! capture (a few large lead generators, skewed like a real market) and which only buy,
//! and for each consumer session (a package of 1–5 CDRs) who captured it, on which
//! domain, when, with which metadata, and which buyers received it through a share link.
//!
//! Everything comes from one seeded RNG, so two runs with the same `--seed` make the same
//! shape (ids and secrets are still fresh: they come from the server's own generators).

use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng as _};

/// A year, in milliseconds.
pub const YEAR_MS: i64 = 365 * 24 * 3600 * 1000;

/// Share of the orgs that capture; the rest are buyers only.
const GENERATOR_SHARE: f64 = 0.16;

/// One org of the plan.
#[derive(Debug, Clone)]
pub struct PlannedOrg {
    /// Display name.
    pub name: String,
    /// Hosts it captures on (empty for buyers).
    pub domains: Vec<String>,
    /// Billed at capture (most generators); off means its CDRs start `unpaid`.
    pub auto_collect: bool,
    /// Relative volume of captures (0 for buyers).
    pub weight: f64,
}

/// A buyer's receipt of a CDR through a claimed share link.
#[derive(Debug, Clone, Copy)]
pub struct PlannedClaim {
    /// Index of the buyer in the org list.
    pub buyer: usize,
    /// `collect: true` in the claim (else the buyer only saves it).
    pub collect: bool,
    /// Delay after the capture, ms.
    pub after_ms: i64,
}

/// One CDR of the plan.
#[derive(Debug, Clone)]
pub struct PlannedCdr {
    /// Running number, 0-based: also what makes the lead's phone and email unique.
    pub n: u64,
    /// Index of the capturing org.
    pub org: usize,
    /// Index into that org's domains.
    pub domain: usize,
    /// Index of the session package (shared by the package's CDRs).
    pub package: u64,
    /// Receive time, epoch ms.
    pub created_at: i64,
    /// `custom` metadata, when the page sent some: (campaign, source).
    pub custom: Option<(u32, &'static str)>,
    /// Buyers that received it (about 30 % of CDRs have 1–3).
    pub claims: Vec<PlannedClaim>,
}

/// The orgs: generators first (weights falling off like a power law), then buyers.
pub fn orgs(count: usize) -> Vec<PlannedOrg> {
    let generators = ((count as f64 * GENERATOR_SHARE).round() as usize).clamp(1, count);
    (0..count)
        .map(|i| {
            if i < generators {
                PlannedOrg {
                    name: format!("Generator {i}"),
                    domains: (0..2 + i % 5)
                        .map(|d| format!("leads{d}.gen{i}.example"))
                        .collect(),
                    // Every fourth generator pays per CDR it collects, not at capture.
                    auto_collect: i % 4 != 3,
                    weight: 1.0 / ((i + 1) as f64).powf(1.2),
                }
            } else {
                PlannedOrg {
                    name: format!("Buyer {}", i - generators),
                    domains: Vec::new(),
                    auto_collect: false,
                    weight: 0.0,
                }
            }
        })
        .collect()
}

/// The index of the org with the most captures (the bench's "large org").
pub fn largest(orgs: &[PlannedOrg]) -> usize {
    (0..orgs.len())
        .max_by(|&a, &b| orgs[a].weight.total_cmp(&orgs[b].weight))
        .unwrap_or(0)
}

/// Walks the year's CDRs in packages, `total` of them ending at `now`.
pub struct Year<'a> {
    orgs: &'a [PlannedOrg],
    buyers: Vec<usize>,
    cumulative: Vec<f64>,
    rng: StdRng,
    now: i64,
    next: u64,
    package: u64,
    total: u64,
}

impl<'a> Year<'a> {
    /// A year of `total` CDRs among `orgs`, ending at `now`.
    pub fn new(orgs: &'a [PlannedOrg], total: u64, now: i64, seed: u64) -> Self {
        let mut sum = 0.0;
        let cumulative = orgs
            .iter()
            .map(|o| {
                sum += o.weight;
                sum
            })
            .collect();
        Self {
            orgs,
            buyers: (0..orgs.len()).filter(|&i| orgs[i].weight == 0.0).collect(),
            cumulative,
            rng: StdRng::seed_from_u64(seed),
            now,
            next: 0,
            package: 0,
            total,
        }
    }

    fn pick_generator(&mut self) -> usize {
        let total = *self.cumulative.last().unwrap_or(&1.0);
        let x = self.rng.random::<f64>() * total;
        self.cumulative
            .partition_point(|&c| c <= x)
            .min(self.orgs.len() - 1)
    }

    fn claims(&mut self) -> Vec<PlannedClaim> {
        if self.buyers.is_empty() || self.rng.random::<f64>() >= 0.3 {
            return Vec::new();
        }
        let count = self.rng.random_range(1..=3usize).min(self.buyers.len());
        let mut chosen: Vec<usize> = Vec::with_capacity(count);
        while chosen.len() < count {
            // Buyers are skewed too: the first ones buy most.
            let pick = (self.rng.random::<f64>().powi(2) * self.buyers.len() as f64) as usize;
            let buyer = self.buyers[pick.min(self.buyers.len() - 1)];
            if !chosen.contains(&buyer) {
                chosen.push(buyer);
            }
        }
        chosen
            .into_iter()
            .map(|buyer| PlannedClaim {
                buyer,
                collect: self.rng.random::<f64>() < 0.7,
                after_ms: self.rng.random_range(60_000..3 * 24 * 3600 * 1000),
            })
            .collect()
    }
}

impl Iterator for Year<'_> {
    /// One session package: 1–5 CDRs on one generator's domain, seconds apart.
    type Item = Vec<PlannedCdr>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.next >= self.total {
            return None;
        }
        let org = self.pick_generator();
        let domain = self
            .rng
            .random_range(0..self.orgs[org].domains.len().max(1));
        let size = self.rng.random_range(1..=5u64).min(self.total - self.next);
        let start = self.now - self.rng.random_range(0..YEAR_MS);
        let package = self.package;
        self.package += 1;
        let custom = (self.rng.random::<f64>() < 0.4).then(|| {
            let sources = ["google", "facebook", "tiktok", "email", "affiliate"];
            (
                self.rng.random_range(0..200u32),
                sources[self.rng.random_range(0..sources.len())],
            )
        });
        let mut cdrs = Vec::with_capacity(size as usize);
        for i in 0..size {
            let claims = self.claims();
            cdrs.push(PlannedCdr {
                n: self.next,
                org,
                domain,
                package,
                created_at: (start + i as i64 * self.rng.random_range(2_000..40_000)).min(self.now),
                custom,
                claims,
            });
            self.next += 1;
        }
        Some(cdrs)
    }
}

/// The lead's phone number of CDR `n`: a valid US number, unique for each `n` below 8 M,
/// spelled as a form user would type it.
pub fn phone(n: u64) -> String {
    const AREAS: [u32; 10] = [212, 312, 415, 617, 713, 206, 305, 404, 503, 702];
    let area = AREAS[(n % 10) as usize];
    let exchange = 200 + (n / 10) % 800;
    let line = (n / 8000) % 10_000;
    format!("({area}) {exchange}-{line:04}")
}

/// The lead's email address of CDR `n`, as typed (mixed case, like people do).
pub fn email(n: u64) -> String {
    format!("Lead.{n}@Example.org")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_year_has_every_cdr_once_in_order_within_the_year() {
        let orgs = orgs(50);
        let now = 1_800_000_000_000;
        let cdrs: Vec<PlannedCdr> = Year::new(&orgs, 10_000, now, 1).flatten().collect();
        assert_eq!(cdrs.len(), 10_000);
        assert!(cdrs.iter().enumerate().all(|(i, c)| c.n == i as u64));
        assert!(cdrs
            .iter()
            .all(|c| c.created_at <= now && c.created_at > now - YEAR_MS - 200_000));
        assert!(cdrs
            .iter()
            .all(|c| orgs[c.org].weight > 0.0 && c.domain < orgs[c.org].domains.len()));
        let shared = cdrs.iter().filter(|c| !c.claims.is_empty()).count();
        assert!((2_500..3_500).contains(&shared), "{shared} shared");
        let large = cdrs.iter().filter(|c| c.org == largest(&orgs)).count();
        assert!(large > 2_000, "the large org has {large}");
    }
}
