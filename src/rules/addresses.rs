//! IP addresses and CIDRs in the API's legacy fields (a Service's cluster and external IPs
//! and source ranges, a NetworkPolicy's `ipBlock`), as the server reads them.
//!
//! Until 1.36 it reads them leniently (`ParseIPSloppy`: `010.0.0.1` is `10.0.0.1`) and, from
//! 1.33, warns about the forms it will one day refuse (`GetWarningsForIP`,
//! `GetWarningsForCIDR`). From 1.36 `StrictIPCIDRValidation` is on by default (KEP-4858,
//! kubernetes#137053): a new object with such a value is rejected (`IsValidIPForLegacyField`,
//! `IsValidCIDRForLegacyField`), and only a non-canonical IPv6 form is still just warned
//! about.

use std::net::IpAddr;

use crate::rules::api::{at_least, parse_cidr, parse_ip};
use crate::rules::Ctx;
use crate::yaml::{Node, Span};

/// A finding on an address: where, the message, the server's words.
pub type Finding = (Span, String, String);

/// Whether the target release rejects the forms it used to read leniently.
pub fn strict(ctx: &Ctx<'_, '_>) -> bool {
    at_least(ctx, 36)
}

/// What strict validation refuses in an address that lenient parsing reads (`IsValidIP`):
/// the server's words, and the form to write instead.
pub fn strict_ip_problem(value: &str) -> Option<(&'static str, String)> {
    let ip = parse_ip(value)?;
    let why = match value.parse::<IpAddr>() {
        // Rust's parser is as strict as Go's `netip.ParseAddr`: no leading zeros in IPv4.
        Err(_) => "must not have leading 0s",
        Ok(ip) if is_4in6(ip) => "must not be an IPv4-mapped IPv6 address",
        Ok(_) => return None,
    };
    Some((why, format!("write `{}`", go_ip_string(ip))))
}

/// What strict validation refuses in a CIDR that lenient parsing reads (`IsValidCIDR`): the
/// server's words, and what to write instead.
pub fn strict_cidr_problem(value: &str) -> Option<(&'static str, String)> {
    let (ip, len) = parse_cidr(value)?;
    let masked = mask(ip, len);
    Some(match strict_cidr(value) {
        None => (
            "must not have leading 0s in IP or prefix length",
            format!("write `{}/{len}`", go_ip_string(ip)),
        ),
        Some(_) if is_4in6(ip) => (
            "must not have an IPv4-mapped IPv6 address",
            format!(
                "write `{}/{}`",
                go_ip_string(masked),
                len.saturating_sub(96)
            ),
        ),
        Some(_) if masked != ip => (
            "must not have bits set beyond the prefix length",
            format!(
                "write the subnet `{}/{len}`, or `{}/{}` for the one address",
                go_ip_string(masked),
                go_ip_string(ip),
                if ip.is_ipv4() { 32 } else { 128 }
            ),
        ),
        Some(_) => return None,
    })
}

/// `ValidateNonSpecialIP`: an address no endpoint can have (external IPs and Endpoints).
pub fn special_ip_problem(ip: IpAddr) -> Option<&'static str> {
    let link_local_unicast = match ip {
        IpAddr::V4(v) => v.is_link_local(),
        IpAddr::V6(v) => (v.segments()[0] & 0xffc0) == 0xfe80,
    };
    let link_local_multicast = match ip {
        IpAddr::V4(v) => matches!(v.octets(), [224, 0, 0, _]),
        IpAddr::V6(v) => (v.segments()[0] & 0xff0f) == 0xff02,
    };
    if ip.is_unspecified() {
        Some("may not be unspecified (0.0.0.0 or ::)")
    } else if ip.is_loopback() {
        Some("may not be in the loopback range (127.0.0.0/8, ::1/128)")
    } else if link_local_unicast {
        Some("may not be in the link-local range (169.254.0.0/16, fe80::/10)")
    } else if link_local_multicast {
        Some("may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)")
    } else {
        None
    }
}

/// The address of a CIDR as `netip.ParsePrefix` reads it: no leading zeros in the address
/// or the length.
fn strict_cidr(value: &str) -> Option<IpAddr> {
    let (addr, bits) = value.split_once('/')?;
    addr.parse::<IpAddr>()
        .ok()
        .filter(|_| bits == "0" || !bits.starts_with('0'))
}

/// How Go prints a `net.IP`: an IPv4-mapped IPv6 address as IPv4, IPv6 as RFC 5952.
fn go_ip_string(ip: IpAddr) -> String {
    match ip {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map_or_else(|| v6.to_string(), |v4| v4.to_string()),
        v4 => v4.to_string(),
    }
}

fn is_4in6(ip: IpAddr) -> bool {
    matches!(ip, IpAddr::V6(v6) if v6.to_ipv4_mapped().is_some())
}

/// `GetWarningsForIP`: leading zeros or an IPv4-mapped IPv6 address (read now, rejected
/// under strict validation), or IPv6 not in RFC 5952 form. `strict`: the field rejects the
/// first two (another rule's error), so only the last is a warning.
pub fn ip_warning(node: &Node, path: &str, strict: bool) -> Option<Finding> {
    let value = node.as_str()?;
    let ip = parse_ip(value)?;
    let preferred = go_ip_string(ip);
    match value.parse::<IpAddr>() {
        Ok(exact) if !is_4in6(exact) => {
            let canonical = exact.to_string();
            (exact.is_ipv6() && canonical != value).then(|| {
                (
                    node.span,
                    format!("IPv6 address `{value}` is not in canonical form (`{canonical}`)"),
                    format!("{path}: IPv6 address {value:?} should be in RFC 5952 canonical format ({canonical:?})"),
                )
            })
        }
        _ if strict => None,
        _ => Some((
            node.span,
            format!("IP address `{value}` is in a non-standard form: write `{preferred}`"),
            format!("{path}: non-standard IP address {value:?} will be considered invalid in a future Kubernetes release: use {preferred:?}"),
        )),
    }
}

/// `GetWarningsForCIDR`: bits set beyond the prefix length (a subnet or one address?), leading
/// zeros or an IPv4-mapped address (both can apply), or else IPv6 not in RFC 5952 form.
/// `strict`: the field rejects all but the last (another rule's error).
pub fn cidr_warnings(node: &Node, path: &str, strict: bool) -> Vec<Finding> {
    let mut out = Vec::new();
    let Some(value) = node.as_str() else {
        return out;
    };
    let Some((ip, len)) = parse_cidr(value) else {
        return out;
    };
    // Go's `net.IPNet` of a mapped address prints in a form of its own; such ranges are rare.
    if is_4in6(ip) {
        return out;
    }
    let max: u8 = if ip.is_ipv4() { 32 } else { 128 };
    let masked = mask(ip, len);
    let subnet = format!("{}/{len}", go_ip_string(masked));
    if masked != ip && !strict {
        let one = format!("{}/{max}", go_ip_string(ip));
        out.push((
            node.span,
            format!("CIDR `{value}` has bits set beyond its prefix length: is it the subnet `{subnet}` or the one address `{one}`?"),
            format!("{path}: CIDR value {value:?} is ambiguous in this context (should be {subnet:?} or {one:?}?)"),
        ));
    }
    let Some(exact) = strict_cidr(value) else {
        if !strict {
            out.push((
                node.span,
                format!("CIDR `{value}` is in a non-standard form: write `{subnet}`"),
                format!("{path}: non-standard CIDR value {value:?} will be considered invalid in a future Kubernetes release: use {subnet:?}"),
            ));
        }
        return out;
    };
    let canonical = format!("{exact}/{len}");
    if masked == ip && ip.is_ipv6() && canonical != value {
        out.push((
            node.span,
            format!("IPv6 CIDR `{value}` is not in canonical form (`{canonical}`)"),
            format!("{path}: IPv6 CIDR value {value:?} should be in RFC 5952 canonical format ({canonical:?})"),
        ));
    }
    out
}

/// `ip` with the bits after the first `len` cleared.
pub fn mask(ip: IpAddr, len: u8) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => {
            let keep = u32::MAX.checked_shl(32 - u32::from(len)).unwrap_or(0);
            IpAddr::V4(std::net::Ipv4Addr::from(u32::from(v4) & keep))
        }
        IpAddr::V6(v6) => {
            let keep = u128::MAX.checked_shl(128 - u32::from(len)).unwrap_or(0);
            IpAddr::V6(std::net::Ipv6Addr::from(u128::from(v6) & keep))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_validation_refuses_what_lenient_parsing_reads() {
        let why = |v: &str| strict_ip_problem(v).map(|p| p.0);
        assert_eq!(why("10.96.0.10"), None);
        assert_eq!(why("2001:DB8::1"), None);
        assert_eq!(why("not-an-ip"), None);
        assert_eq!(
            strict_ip_problem("010.96.0.10"),
            Some(("must not have leading 0s", "write `10.96.0.10`".into()))
        );
        assert_eq!(
            strict_ip_problem("::ffff:192.0.2.1"),
            Some((
                "must not be an IPv4-mapped IPv6 address",
                "write `192.0.2.1`".into()
            ))
        );
        let why = |v: &str| strict_cidr_problem(v).map(|p| p.0);
        for ok in ["10.0.0.0/8", "0.0.0.0/0", "2001:DB8::/32", "10.0.0.0/33"] {
            assert_eq!(why(ok), None, "{ok}");
        }
        assert_eq!(
            strict_cidr_problem("010.0.0.0/08"),
            Some((
                "must not have leading 0s in IP or prefix length",
                "write `10.0.0.0/8`".into()
            ))
        );
        assert_eq!(
            strict_cidr_problem("::ffff:10.0.0.0/104"),
            Some((
                "must not have an IPv4-mapped IPv6 address",
                "write `10.0.0.0/8`".into()
            ))
        );
        assert_eq!(
            strict_cidr_problem("10.0.0.1/8"),
            Some((
                "must not have bits set beyond the prefix length",
                "write the subnet `10.0.0.0/8`, or `10.0.0.1/32` for the one address".into()
            ))
        );
    }

    /// The warnings of the releases before strict validation, and what is left of them with it.
    #[test]
    fn warnings_name_the_standard_form() {
        let doc = crate::yaml::parse_text(
            "a: 010.0.0.1\nb: '::ffff:192.0.2.1'\nc: 2001:DB8::1\nd: 10.0.0.1/8\ne: 010.0.0.0/8\nf: 2001:DB8::/32\ng: 10.0.0.0/8\n",
        );
        let root = &doc.documents[0].root;
        let node = |k: &str| root.get(k).expect("key");
        let ip = |k: &str, strict: bool| ip_warning(node(k), k, strict).map(|f| f.2);
        assert_eq!(
            ip("a", false).as_deref(),
            Some("a: non-standard IP address \"010.0.0.1\" will be considered invalid in a future Kubernetes release: use \"10.0.0.1\"")
        );
        assert_eq!(ip("a", true), None);
        assert!(ip("b", false).is_some_and(|w| w.ends_with("use \"192.0.2.1\"")));
        assert_eq!(ip("b", true), None);
        let canonical = Some("c: IPv6 address \"2001:DB8::1\" should be in RFC 5952 canonical format (\"2001:db8::1\")".to_string());
        assert_eq!(ip("c", false), canonical);
        assert_eq!(ip("c", true), canonical);
        let cidr = |k: &str, strict: bool| -> Vec<String> {
            cidr_warnings(node(k), k, strict)
                .into_iter()
                .map(|f| f.2)
                .collect()
        };
        assert_eq!(
            cidr("d", false),
            ["d: CIDR value \"10.0.0.1/8\" is ambiguous in this context (should be \"10.0.0.0/8\" or \"10.0.0.1/32\"?)"]
        );
        assert!(cidr("d", true).is_empty());
        assert_eq!(
            cidr("e", false),
            ["e: non-standard CIDR value \"010.0.0.0/8\" will be considered invalid in a future Kubernetes release: use \"10.0.0.0/8\""]
        );
        assert!(cidr("e", true).is_empty());
        assert_eq!(cidr("f", true).len(), 1);
        assert!(cidr("g", false).is_empty());
    }
}
