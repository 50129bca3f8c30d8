//! The resolver behind [`super::SafeClient`]: resolves a host name, then drops every
//! address the policy refuses, so that the address reqwest connects to is one that was
//! checked. Checking a name before the request and letting the client resolve it again
//! would let a name answer a public address to the check and 127.0.0.1 to the connection
//! (DNS rebinding); here there is only one resolution.

use std::net::SocketAddr;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use super::NetPolicy;

/// A host name whose every address is refused; found again in reqwest's error chain.
#[derive(Debug, thiserror::Error)]
#[error("{host} resolves only to refused addresses")]
pub(crate) struct RefusedHost {
    /// The name as requested.
    pub(crate) host: String,
}

/// The system resolver (`getaddrinfo`, through tokio), filtered by a [`NetPolicy`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct PolicyResolver {
    pub(crate) policy: NetPolicy,
}

impl Resolve for PolicyResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy;
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let resolved = tokio::net::lookup_host((host.as_str(), 0)).await?;
            let allowed: Vec<SocketAddr> = resolved.filter(|a| policy.permits(a.ip())).collect();
            if allowed.is_empty() {
                return Err(Box::new(RefusedHost { host }) as _);
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}
