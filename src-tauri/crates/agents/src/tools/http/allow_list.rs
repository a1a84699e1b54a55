//! The hosts an `http_get` grant allows, and the verdict on one URL: allowed, ask the user
//! first, or refused with why.
//!
//! Only the URL is judged here (scheme, host, port, an IP address written in it). A host
//! *name* is judged again where it is resolved (`resolve.rs`), on the very addresses the
//! connection then uses.

use std::collections::HashSet;
use std::fmt;
use std::net::IpAddr;

use reqwest::Url;
use url::Host;

use super::address;

/// A host as the allow-list compares it: a lower-case name without a trailing dot, or an IP
/// address with IPv4-mapped IPv6 folded into IPv4 (whatever way the URL wrote either).
#[derive(Debug, Clone, PartialEq, Eq)]
enum HostKey {
    Name(String),
    Ip(IpAddr),
}

impl HostKey {
    fn of(host: Host<&str>) -> Self {
        match host {
            Host::Domain(name) => Self::Name(name.trim_end_matches('.').to_ascii_lowercase()),
            Host::Ipv4(ip) => Self::Ip(IpAddr::V4(ip)),
            Host::Ipv6(ip) => Self::Ip(IpAddr::V6(ip).to_canonical()),
        }
    }
}

impl fmt::Display for HostKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Name(name) => f.write_str(name),
            Self::Ip(IpAddr::V6(ip)) => write!(f, "[{ip}]"),
            Self::Ip(ip) => write!(f, "{ip}"),
        }
    }
}

/// A host of a grant that is not a name or address with an optional port (for saving a spec,
/// and when the tool is opened).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{text:?} is not a host for http_get; write a name or IP address, optionally with a port, \
     such as docs.rs or 192.168.1.5:8080"
)]
pub(crate) struct BadHost {
    /// The entry as the user wrote it.
    text: String,
}

impl From<BadHost> for crate::AgentError {
    fn from(e: BadHost) -> Self {
        Self::Invalid(e.to_string())
    }
}

/// One host the user listed, with the port they wrote, if any.
#[derive(Debug, Clone, PartialEq)]
struct Entry {
    host: HostKey,
    /// `None`: the default ports, 80 and 443.
    port: Option<u16>,
}

impl Entry {
    fn parse(text: &str) -> Result<Self, BadHost> {
        let bad = || BadHost {
            text: text.to_owned(),
        };
        let trimmed = text.trim();
        let bare = trimmed
            .strip_prefix("https://")
            .or_else(|| trimmed.strip_prefix("http://"))
            .unwrap_or(trimmed);
        let bare = bare.strip_suffix('/').unwrap_or(bare);
        if bare.is_empty() || bare.contains(['/', '@', '?', '#', '\\', ' ']) {
            return Err(bad());
        }
        // The URL parser normalizes the host as it will in a fetched URL (case, IDNA, IPv4 in
        // any notation), but drops a port equal to the scheme's default: parsing under both
        // schemes tells an explicit :80 or :443 from none.
        let as_http = Url::parse(&format!("http://{bare}/")).map_err(|_| bad())?;
        let as_https = Url::parse(&format!("https://{bare}/")).map_err(|_| bad())?;
        let host = as_http.host().ok_or_else(bad)?;
        let port = match (as_http.port(), as_https.port()) {
            (Some(port), _) => Some(port),
            (None, Some(_)) => Some(80),
            (None, None) => None,
        };
        Ok(Self {
            host: HostKey::of(host),
            port,
        })
    }

    fn allows_port(&self, port: u16) -> bool {
        match self.port {
            Some(listed) => listed == port,
            None => matches!(port, 80 | 443),
        }
    }
}

impl fmt::Display for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.port {
            Some(port) => write!(f, "{}:{port}", self.host),
            None => write!(f, "{}", self.host),
        }
    }
}

/// What may happen to one URL.
#[derive(Debug, PartialEq)]
pub(super) enum Verdict {
    /// Fetch it.
    Allowed,
    /// Ask the user first; the string is the host and port they approve.
    Ask(String),
    /// Never; the string says why.
    Refused(String),
}

/// A grant's hosts, and whether other public hosts may be asked for.
#[derive(Debug)]
pub(super) struct AllowList {
    entries: Vec<Entry>,
    ask_for_others: bool,
}

impl AllowList {
    /// The allow-list of a grant. An empty list without `any_public_host` is what grants
    /// saved before that field meant "any host": it now means any public host, asked for.
    pub(super) fn new(hosts: &[String], any_public_host: bool) -> Result<Self, BadHost> {
        let entries = hosts
            .iter()
            .filter(|h| !h.trim().is_empty())
            .map(|h| Entry::parse(h))
            .collect::<Result<Vec<_>, _>>()?;
        let ask_for_others = any_public_host || entries.is_empty();
        Ok(Self {
            entries,
            ask_for_others,
        })
    }

    /// Whether the user listed exactly this address (the only way to reach a private one).
    pub(super) fn lists_ip(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.entries.iter().any(|e| e.host == HostKey::Ip(ip))
    }

    /// The verdict on `url`, given the hosts the user already approved in this task.
    pub(super) fn check(&self, url: &Url, approved: &HashSet<String>) -> Verdict {
        if !matches!(url.scheme(), "http" | "https") {
            return Verdict::Refused(format!(
                "only http and https URLs can be fetched, not {url}"
            ));
        }
        let Some(host) = url.host() else {
            return Verdict::Refused(format!("{url} has no host"));
        };
        let host = HostKey::of(host);
        let port = url.port_or_known_default().unwrap_or(80);
        if let HostKey::Ip(ip) = host
            && let Some(kind) = address::restriction(ip)
            && !self.lists_ip(ip)
        {
            return Verdict::Refused(format!(
                "{ip} is {kind} address, which agents may not reach unless the user lists that \
                 exact address"
            ));
        }
        let listed: Vec<&Entry> = self.entries.iter().filter(|e| e.host == host).collect();
        if listed.iter().any(|e| e.allows_port(port)) {
            return Verdict::Allowed;
        }
        if self.ask_for_others {
            let origin = format!("{host}:{port}");
            return if approved.contains(&origin) {
                Verdict::Allowed
            } else {
                Verdict::Ask(origin)
            };
        }
        if listed.is_empty() {
            Verdict::Refused(format!(
                "{host} is not an allowed host for this agent (allowed: {}); ask the user to add \
                 it",
                self.listed()
            ))
        } else {
            Verdict::Refused(format!(
                "port {port} of {host} is not allowed (allowed: {}); a host listed without a \
                 port allows only ports 80 and 443",
                self.listed()
            ))
        }
    }

    /// What the model is told it may fetch.
    pub(super) fn describe(&self) -> String {
        let public = "Private, loopback and link-local addresses are refused.";
        match (self.entries.is_empty(), self.ask_for_others) {
            (true, _) => format!(
                "any public host, once the user approves it (once per host in a task). {public}"
            ),
            (false, true) => format!(
                "{} without asking; any other public host once the user approves it (once per \
                 host in a task). {public}",
                self.listed()
            ),
            (false, false) => format!("only these hosts: {}", self.listed()),
        }
    }

    fn listed(&self) -> String {
        self.entries
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(hosts: &[&str], any: bool) -> AllowList {
        let hosts: Vec<String> = hosts.iter().map(|h| (*h).to_owned()).collect();
        AllowList::new(&hosts, any).unwrap()
    }

    fn verdict(list: &AllowList, url: &str) -> Verdict {
        list.check(&Url::parse(url).unwrap(), &HashSet::new())
    }

    fn refused(list: &AllowList, url: &str) -> String {
        match verdict(list, url) {
            Verdict::Refused(why) => why,
            other => panic!("{url} must be refused, got {other:?}"),
        }
    }

    /// Every way a URL can write a loopback, private, link-local or otherwise special address:
    /// all refused before anything is resolved or connected, whatever the list's mode.
    #[test]
    fn special_addresses_are_refused_in_every_encoding() {
        let urls = [
            "http://127.0.0.1/",
            "http://2130706433/",
            "http://0x7f.1/",
            "http://0x7f000001/",
            "http://0177.0.0.1/",
            "http://0177.1/",
            "http://127.1/",
            "http://127.0.1/",
            "http://127.0.0.1./",
            "http://0/",
            "http://0.0.0.0/",
            "http://10.1.2.3/",
            "http://012.1.2.3/",
            "http://167772161/",
            "http://172.16.0.1/",
            "http://192.168.0.1/",
            "http://0xc0.0xa8.0.1/",
            "http://169.254.169.254/latest/meta-data/",
            "http://2852039166/",
            "http://0xa9fea9fe/",
            "http://100.64.0.1/",
            "http://224.0.0.1/",
            "http://255.255.255.255/",
            "http://240.0.0.1/",
            "http://[::1]/",
            "http://[0:0:0:0:0:0:0:1]/",
            "http://[::]/",
            "http://[::ffff:127.0.0.1]/",
            "http://[::ffff:7f00:1]/",
            "http://[::ffff:169.254.169.254]/",
            "http://[::ffff:10.0.0.1]/",
            "http://[::127.0.0.1]/",
            "http://[::ffff:0:127.0.0.1]/",
            "http://[64:ff9b::127.0.0.1]/",
            "http://[fe80::1]/",
            "http://[fc00::1]/",
            "http://[fd00:ec2::254]/",
            "http://[ff02::1]/",
            "https://[::ffff:127.0.0.1]:8443/",
        ];
        for any in [true, false] {
            let modes = [list(&[], any), list(&["docs.rs"], any)];
            for list in &modes {
                for url in urls {
                    let why = refused(list, url);
                    assert!(
                        why.contains("address, which agents may not reach")
                            || why.contains("not an allowed host"),
                        "{url}: {why}"
                    );
                }
            }
        }
        let why = refused(&list(&[], true), "http://0x7f.1/secret");
        assert_eq!(
            why,
            "127.0.0.1 is a loopback address, which agents may not reach unless the user lists \
             that exact address"
        );
        let why = refused(&list(&[], true), "http://[::ffff:169.254.169.254]/");
        assert!(why.starts_with("169.254.169.254 is a link-local"), "{why}");
    }

    #[test]
    fn a_listed_exact_address_is_allowed_even_when_private() {
        let lan = list(&["192.168.1.5:8080", "127.0.0.1"], false);
        assert_eq!(verdict(&lan, "http://192.168.1.5:8080/x"), Verdict::Allowed);
        assert_eq!(verdict(&lan, "http://0xc0a80105:8080/x"), Verdict::Allowed);
        assert_eq!(
            verdict(&lan, "http://[::ffff:192.168.1.5]:8080/"),
            Verdict::Allowed
        );
        assert_eq!(verdict(&lan, "http://127.0.0.1/"), Verdict::Allowed);
        assert_eq!(verdict(&lan, "https://2130706433/"), Verdict::Allowed);
        assert!(lan.lists_ip("192.168.1.5".parse().unwrap()));
        assert!(!lan.lists_ip("192.168.1.6".parse().unwrap()));
        let why = refused(&lan, "http://192.168.1.6:8080/");
        assert!(why.contains("private-network address"), "{why}");
    }

    #[test]
    fn a_host_without_a_port_allows_only_80_and_443() {
        let docs = list(&["Docs.RS.", "api.example.com:8443"], false);
        assert_eq!(verdict(&docs, "https://docs.rs/serde"), Verdict::Allowed);
        assert_eq!(verdict(&docs, "http://docs.rs/"), Verdict::Allowed);
        assert_eq!(verdict(&docs, "http://docs.rs:443/"), Verdict::Allowed);
        let why = refused(&docs, "http://docs.rs:8080/");
        assert!(
            why.starts_with("port 8080 of docs.rs is not allowed"),
            "{why}"
        );
        assert_eq!(
            verdict(&docs, "https://api.example.com:8443/v1"),
            Verdict::Allowed
        );
        let why = refused(&docs, "https://api.example.com/v1");
        assert!(why.starts_with("port 443 of api.example.com"), "{why}");
        let why = refused(&docs, "https://evil.example/");
        assert!(why.contains("evil.example is not an allowed host"), "{why}");
        assert!(why.contains("docs.rs, api.example.com:8443"), "{why}");
    }

    #[test]
    fn explicit_default_ports_and_url_forms_are_understood() {
        let ports = list(
            &[
                "a.example:80",
                "https://b.example/",
                "[2606:4700::1111]:443",
            ],
            false,
        );
        assert_eq!(verdict(&ports, "http://a.example/"), Verdict::Allowed);
        assert!(matches!(
            verdict(&ports, "https://a.example/"),
            Verdict::Refused(_)
        ));
        assert_eq!(verdict(&ports, "https://b.example/"), Verdict::Allowed);
        assert_eq!(
            verdict(&ports, "https://[2606:4700::1111]/"),
            Verdict::Allowed
        );
        for bad in ["user@host", "host/path", "host?x", "a b", "http://", "[::1"] {
            let err = AllowList::new(&[bad.to_owned()], false)
                .unwrap_err()
                .to_string();
            assert!(err.contains("is not a host for http_get"), "{bad}: {err}");
        }
    }

    #[test]
    fn other_public_hosts_are_asked_for_once_when_allowed() {
        let open = list(&["docs.rs"], true);
        assert_eq!(
            verdict(&open, "https://docs.rs/"),
            Verdict::Allowed,
            "listed: no asking"
        );
        assert_eq!(
            verdict(&open, "https://example.com/a"),
            Verdict::Ask("example.com:443".to_owned())
        );
        let approved = HashSet::from(["example.com:443".to_owned()]);
        let url = Url::parse("https://EXAMPLE.com/b").unwrap();
        assert_eq!(
            open.check(&url, &approved),
            Verdict::Allowed,
            "approved once per host"
        );
        let other_port = Url::parse("http://example.com:8080/").unwrap();
        assert_eq!(
            open.check(&other_port, &approved),
            Verdict::Ask("example.com:8080".to_owned())
        );
        // Grants saved before the opt-in existed: an empty list asks rather than allowing all.
        let legacy = list(&[], false);
        assert_eq!(
            verdict(&legacy, "http://93.184.216.34/"),
            Verdict::Ask("93.184.216.34:80".to_owned())
        );
        // A closed list never asks.
        let closed = list(&["docs.rs"], false);
        assert!(matches!(
            verdict(&closed, "https://example.com/"),
            Verdict::Refused(_)
        ));
    }

    #[test]
    fn only_http_urls_with_a_host_are_judged() {
        let open = list(&[], true);
        for url in [
            "file:///etc/passwd",
            "gopher://example.com/",
            "ftp://example.com/",
        ] {
            let why = refused(&open, url);
            assert!(why.contains("only http and https"), "{url}: {why}");
        }
    }
}
