//! Name resolution for `http_get`'s client, which is where a host name's addresses are judged.
//!
//! reqwest asks this resolver for every connection it opens (redirect hops included) and
//! connects only to the addresses it returns, so the addresses checked are exactly the ones
//! connected to: a DNS answer that changes between a check and the connect (rebinding) has no
//! second lookup to change into. Addresses that are not public are dropped unless the user
//! listed that exact address; a name left with none is refused.

use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use super::address;
use super::allow_list::AllowList;

/// Looks a host name up; the system resolver in the app, a fixed table in tests.
pub(super) type Lookup = Arc<
    dyn Fn(String) -> Pin<Box<dyn Future<Output = io::Result<Vec<IpAddr>>> + Send>> + Send + Sync,
>;

/// The operating system's resolver (getaddrinfo, on tokio's blocking pool).
pub(super) fn system_lookup() -> Lookup {
    Arc::new(|host: String| {
        Box::pin(async move {
            let found = tokio::net::lookup_host((host.as_str(), 0)).await?;
            Ok(found.map(|a| a.ip()).collect())
        })
    })
}

/// A name that resolved only to addresses agents may not reach. `describe` in `http.rs` finds
/// it in reqwest's error chain and tells the model this sentence alone.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(super) struct Refused(pub(super) String);

/// The resolver `http_get`'s client connects through.
pub(super) struct CheckedResolver {
    pub(super) lookup: Lookup,
    pub(super) list: Arc<AllowList>,
}

impl Resolve for CheckedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let lookup = Arc::clone(&self.lookup);
        let list = Arc::clone(&self.list);
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found = lookup(host.clone()).await?;
            let (kept, dropped): (Vec<IpAddr>, Vec<IpAddr>) = found
                .into_iter()
                .map(|ip| ip.to_canonical())
                .partition(|ip| address::is_public(*ip) || list.lists_ip(*ip));
            if kept.is_empty() {
                let why = match dropped.first() {
                    Some(&ip) => format!(
                        "{host} resolves to {ip}, {} address, which agents may not reach unless \
                         the user lists that exact address",
                        address::restriction(ip).unwrap_or("a special")
                    ),
                    None => format!("{host} did not resolve to any address"),
                };
                let refused: Box<dyn std::error::Error + Send + Sync> = Box::new(Refused(why));
                return Err(refused);
            }
            if !dropped.is_empty() {
                tracing::debug!(%host, ?dropped, "http_get: skipped unreachable addresses");
            }
            // Port 0: reqwest puts in the URL's port.
            let addrs: Addrs = Box::new(kept.into_iter().map(|ip| SocketAddr::new(ip, 0)));
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn table(answers: &'static [&'static str]) -> Lookup {
        Arc::new(move |_host: String| {
            Box::pin(async move { Ok(answers.iter().map(|a| a.parse().unwrap()).collect()) })
        })
    }

    async fn resolve(
        list: AllowList,
        answers: &'static [&'static str],
    ) -> Result<Vec<IpAddr>, String> {
        let resolver = CheckedResolver {
            lookup: table(answers),
            list: Arc::new(list),
        };
        match resolver.resolve(Name::from_str("host.test").unwrap()).await {
            Ok(addrs) => Ok(addrs.map(|a| a.ip()).collect()),
            Err(e) => Err(e.to_string()),
        }
    }

    #[tokio::test]
    async fn names_resolving_to_special_addresses_are_refused() {
        for answer in [
            &["127.0.0.1"][..],
            &["169.254.169.254"],
            &["10.0.0.1", "192.168.1.1"],
            &["::1"],
            &["::ffff:127.0.0.1"],
            &["fd00::1"],
            &["0.0.0.0"],
        ] {
            let err = resolve(AllowList::new(&[], true).unwrap(), answer)
                .await
                .unwrap_err();
            assert!(
                err.starts_with("host.test resolves to "),
                "{answer:?}: {err}"
            );
            assert!(err.contains("may not reach"), "{err}");
        }
        let err = resolve(AllowList::new(&[], true).unwrap(), &[])
            .await
            .unwrap_err();
        assert_eq!(err, "host.test did not resolve to any address");
    }

    #[tokio::test]
    async fn a_listed_name_still_needs_its_private_address_listed() {
        let name_only = AllowList::new(&["host.test".to_owned()], false).unwrap();
        let err = resolve(name_only, &["127.0.0.1"]).await.unwrap_err();
        assert!(err.contains("127.0.0.1, a loopback address"), "{err}");
        let with_ip =
            AllowList::new(&["host.test".to_owned(), "127.0.0.1".to_owned()], false).unwrap();
        let ok = resolve(with_ip, &["127.0.0.1"]).await.unwrap();
        assert_eq!(ok, ["127.0.0.1".parse::<IpAddr>().unwrap()]);
    }

    #[tokio::test]
    async fn only_the_reachable_addresses_of_a_mixed_answer_are_connected_to() {
        let ok = resolve(
            AllowList::new(&[], true).unwrap(),
            &["10.0.0.1", "93.184.216.34", "::1", "::ffff:1.1.1.1"],
        )
        .await
        .unwrap();
        let expected: Vec<IpAddr> = ["93.184.216.34", "1.1.1.1"]
            .iter()
            .map(|a| a.parse().unwrap())
            .collect();
        assert_eq!(ok, expected);
    }
}
