//! Shared pieces of the rules that port the API server's hand-written validation of the
//! non-pod kinds (services, config, apps, batch, networking, RBAC, policy, autoscaling,
//! storage): the field path of a node for messages, closed sets of values, int-or-percent,
//! IP addresses and CIDRs as the server parses them.

use std::net::IpAddr;

use crate::model::fields::is_templated;
use crate::model::names::{did_you_mean, one_of};
use crate::model::Object;
use crate::rules::Ctx;
use crate::yaml::{Node, Span};

/// The field path of `node` inside `obj` (`spec.strategy.type`), for messages.
pub fn path(obj: &Object<'_>, node: &Node) -> String {
    obj.root
        .path_to(node.span)
        .unwrap_or_else(|| "field".to_string())
}

/// Reports an error at `node`, in the API server's words (`server`), with a help.
pub fn reject(
    ctx: &mut Ctx<'_, '_>,
    obj: &Object<'_>,
    node: &Node,
    message: String,
    server: &str,
    help: &str,
) {
    let p = path(obj, node);
    let server = server.replace('`', "'");
    let d = ctx.diag(obj, node.span, message).with_help(format!(
        "the API server rejects it (`{p}: {server}`); {help}"
    ));
    ctx.push(d);
}

/// Reports what the API server admits with a warning (`kubectl apply` prints
/// `Warning: <server>`): the finding at `span`, the server's own words in the help.
pub fn admitted_with_warning(
    ctx: &mut Ctx<'_, '_>,
    obj: &Object<'_>,
    span: Span,
    message: String,
    server: &str,
) {
    let d = ctx
        .diag(obj, span, message)
        .with_primary_label("the API server warns here")
        .with_help(format!(
            "the API server admits the {} with `Warning: {server}`",
            obj.kind
        ));
    ctx.push(d);
}

/// [`admitted_with_warning`] from a rule whose own severity is higher: what the server admits
/// with a warning stays a warning.
pub fn warn_admitted(
    ctx: &mut Ctx<'_, '_>,
    obj: &Object<'_>,
    span: Span,
    message: String,
    server: &str,
) {
    let before = ctx.out.len();
    admitted_with_warning(ctx, obj, span, message, server);
    for d in &mut ctx.out[before..] {
        d.severity = crate::diagnostics::Severity::Warning;
    }
}

/// Like [`reject`], with a second span that the finding relates (`other`, labelled).
#[allow(clippy::too_many_arguments)]
pub fn reject_pair(
    ctx: &mut Ctx<'_, '_>,
    obj: &Object<'_>,
    node: &Node,
    other: Span,
    other_label: String,
    message: String,
    server: &str,
    help: &str,
) {
    let p = path(obj, node);
    let server = server.replace('`', "'");
    let d = ctx
        .diag(obj, node.span, message)
        .with_label(obj.file, other, other_label)
        .with_help(format!(
            "the API server rejects it (`{p}: {server}`); {help}"
        ));
    ctx.push(d);
}

/// A string the rule may judge: present, a string, not empty (empty means "defaulted") and
/// neither unrendered templating nor a placeholder for the reader to fill in.
pub fn judged_str(node: &Node) -> Option<&str> {
    node.as_str()
        .filter(|s| !s.is_empty() && !is_templated(s) && !is_placeholder(s))
}

/// Documentation placeholders (`registry.<your domain>`, `__INGRESS_HOST__`): the value is
/// meant to be replaced before the manifest is applied.
pub fn is_placeholder(s: &str) -> bool {
    let angle = s.find('<').is_some_and(|i| s[i..].contains('>'));
    let dunder = s
        .split(|c: char| !(c.is_ascii_uppercase() || c == '_'))
        .any(|w| w.len() > 4 && w.starts_with("__") && w.ends_with("__"));
    angle || dunder
}

/// `map.key` must be one of `allowed` (an absent or empty value is the default).
pub fn enum_value(
    ctx: &mut Ctx<'_, '_>,
    obj: &Object<'_>,
    map: &Node,
    key: &str,
    allowed: &[&str],
) {
    let Some(node) = map.get(key) else { return };
    let Some(v) = judged_str(node) else { return };
    if allowed.contains(&v) {
        return;
    }
    let hint = match did_you_mean(v, allowed) {
        Some(s) => format!("did you mean `{s}`? (values are case-sensitive)"),
        None => format!("use {}", one_of(allowed)),
    };
    reject(
        ctx,
        obj,
        node,
        format!("`{key}: {v}` is not a supported value"),
        &format!("Unsupported value: \"{v}\""),
        &hint,
    );
}

/// A non-negative integer field (`ValidateNonnegativeField`).
pub fn non_negative(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, map: &Node, key: &str) {
    let Some(node) = map.get(key) else { return };
    let Some(n) = node.as_i64() else { return };
    if n < 0 {
        reject(
            ctx,
            obj,
            node,
            format!("`{key}: {n}` is negative"),
            "Invalid value: must be greater than or equal to 0",
            "use 0 or more",
        );
    }
}

/// An `IntOrString` that must be a non-negative integer or a percentage.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum IntOrPercent {
    Int(i64),
    Percent(i64),
}

impl IntOrPercent {
    pub fn is_zero(self) -> bool {
        matches!(self, IntOrPercent::Int(0) | IntOrPercent::Percent(0))
    }
}

/// Checks `map.key` as `ValidatePositiveIntOrPercent` (and, with `max_100`,
/// `IsNotMoreThan100Percent`) do; returns the value when it is valid.
pub fn int_or_percent(
    ctx: &mut Ctx<'_, '_>,
    obj: &Object<'_>,
    map: &Node,
    key: &str,
    max_100: bool,
) -> Option<IntOrPercent> {
    let node = map.get(key)?;
    if let Some(n) = node.as_i64() {
        if n < 0 {
            reject(
                ctx,
                obj,
                node,
                format!("`{key}: {n}` is negative"),
                "Invalid value: must be greater than or equal to 0",
                "use 0 or more, or a percentage such as `25%`",
            );
            return None;
        }
        return Some(IntOrPercent::Int(n));
    }
    let s = node.as_str()?;
    if is_templated(s) {
        return None;
    }
    let digits = s
        .strip_suffix('%')
        .filter(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()));
    let Some(digits) = digits else {
        let help = if !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()) {
            format!("a string must be a percentage; write the number unquoted (`{key}: {s}`) or as a percentage (`{s}%`)")
        } else {
            "use an integer or a percentage such as `25%`".to_string()
        };
        reject(
            ctx,
            obj,
            node,
            format!("`{key}: \"{s}\"` is neither an integer nor a percentage"),
            "Invalid value: a valid percent string must be a numeric string followed by an ending '%'",
            &help,
        );
        return None;
    };
    let pct: i64 = digits.parse().ok()?;
    if max_100 && pct > 100 {
        reject(
            ctx,
            obj,
            node,
            format!("`{key}: {s}` is more than 100%"),
            "Invalid value: must not be greater than 100%",
            "use a percentage from 0% to 100%",
        );
        return None;
    }
    Some(IntOrPercent::Percent(pct))
}

/// The minor version of the target Kubernetes (`--kubernetes-version 1.31` gives 31); `None`
/// when none is given, which means the newest release kubevet knows.
pub fn target_minor(ctx: &Ctx<'_, '_>) -> Option<u32> {
    ctx.config
        .kubernetes_version
        .as_deref()
        .map(|v| v.trim_start_matches('v'))
        .and_then(|v| v.strip_prefix("1."))
        .and_then(|m| m.split('.').next())
        .and_then(|m| m.parse::<u32>().ok())
}

/// Whether the target version is `minor` or newer (no target: the newest, so yes).
pub fn at_least(ctx: &Ctx<'_, '_>, minor: u32) -> bool {
    target_minor(ctx).is_none_or(|m| m >= minor)
}

/// `IsDomainPrefixedPath` (apimachinery): `<DNS subdomain>/<HTTP path characters>`, as
/// IngressClass `controller` and Job `managedBy` take; the problems, empty when valid.
pub fn domain_prefixed_path(s: &str) -> Vec<String> {
    let Some((host, path)) = s
        .split_once('/')
        .filter(|(h, p)| !h.is_empty() && !p.is_empty())
    else {
        return vec!["must be a domain-prefixed path (such as \"acme.io/foo\")".to_string()];
    };
    let mut errs = crate::model::names::dns1123_subdomain(host);
    let http_path = |c: char| c.is_ascii_alphanumeric() || "/-._~%!$&'()*+,;=:".contains(c);
    if !path.chars().all(http_path) {
        errs.push(format!(
            "the path `{path}` may hold only letters, digits and `/-._~%!$&'()*+,;=:`"
        ));
    }
    errs
}

/// A list with more than `max` items (`field.TooMany`).
pub fn too_many(
    ctx: &mut Ctx<'_, '_>,
    obj: &Object<'_>,
    list: &Node,
    max: usize,
    what: &str,
) -> bool {
    let n = list.items().len();
    if n <= max {
        return false;
    }
    reject(
        ctx,
        obj,
        list,
        format!("{n} {what}, more than {max}"),
        &format!("Too many: {n}: must have at most {max} items"),
        &format!("keep at most {max}"),
    );
    true
}

/// One finding in the API server's terms: where, the server's field path and answer, and
/// what to do.
pub struct Finding {
    pub span: Span,
    pub path: String,
    pub message: String,
    pub server: String,
    pub help: String,
}

impl Finding {
    pub fn new(
        span: Span,
        path: impl Into<String>,
        message: impl Into<String>,
        server: impl Into<String>,
        help: impl Into<String>,
    ) -> Self {
        Finding {
            span,
            path: path.into(),
            message: message.into(),
            server: server.into(),
            help: help.into(),
        }
    }

    pub fn report(self, ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
        let server = self.server.replace('`', "'");
        let mut help = format!(
            "the API server rejects the {} (`{}: {server}`)",
            obj.kind, self.path
        );
        if !self.help.is_empty() {
            help.push_str("; ");
            help.push_str(&self.help);
        }
        let d = ctx.diag(obj, self.span, self.message).with_help(help);
        ctx.push(d);
    }
}

/// The span to point at for something a mapping lacks or holds wrongly: the key of `key`
/// when present, else the mapping itself.
pub fn key_span(map: &Node, key: &str) -> Span {
    map.entry(key).map_or(map.span, |e| e.key.span)
}

/// An IP address as `netutils.ParseIPSloppy` reads it (IPv4 octets may have leading zeros).
pub fn parse_ip(s: &str) -> Option<IpAddr> {
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Some(ip);
    }
    let octets: Vec<&str> = s.split('.').collect();
    if octets.len() != 4 {
        return None;
    }
    let mut b = [0u8; 4];
    for (i, o) in octets.iter().enumerate() {
        if o.is_empty() || o.len() > 3 || !o.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        b[i] = o.parse().ok()?;
    }
    Some(IpAddr::from(b))
}

/// A CIDR as `netutils.ParseCIDRSloppy` reads it: the address and the prefix length.
pub fn parse_cidr(s: &str) -> Option<(IpAddr, u8)> {
    let (ip, len) = s.split_once('/')?;
    let ip = parse_ip(ip)?;
    if len.is_empty() || !len.chars().all(|c| c.is_ascii_digit()) || len.len() > 3 {
        return None;
    }
    let len: u8 = len.parse().ok()?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    (len <= max).then_some((ip, len))
}

fn bits(ip: IpAddr) -> (u128, u8) {
    match ip {
        IpAddr::V4(v) => (u128::from(u32::from(v)), 32),
        IpAddr::V6(v) => (u128::from(v), 128),
    }
}

/// Whether CIDR `inner` lies inside CIDR `outer` (same family, longer-or-equal prefix,
/// same network bits).
pub fn cidr_contains(outer: (IpAddr, u8), inner: (IpAddr, u8)) -> bool {
    let ((o, ow), (i, iw)) = (bits(outer.0), bits(inner.0));
    if ow != iw || inner.1 < outer.1 {
        return false;
    }
    let shift = u32::from(ow - outer.1);
    if shift >= 128 {
        return true;
    }
    (o >> shift) == (i >> shift)
}

/// Standard base64 (what `Secret.data` holds); `None` when it is not valid base64.
pub fn base64_decode(s: &str) -> Option<Vec<u8>> {
    fn val(c: u8) -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    }
    let clean: Vec<u8> = s.bytes().filter(|c| !c.is_ascii_whitespace()).collect();
    let trimmed: &[u8] = {
        let mut end = clean.len();
        while end > 0 && clean[end - 1] == b'=' {
            end -= 1;
        }
        &clean[..end]
    };
    if !clean.len().is_multiple_of(4) || clean.len() - trimmed.len() > 2 {
        return None;
    }
    let mut out = Vec::with_capacity(trimmed.len() * 3 / 4);
    for chunk in trimmed.chunks(4) {
        let mut acc = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            acc |= val(c)? << (18 - 6 * i);
        }
        let bytes = acc.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    Some(out)
}

/// `ValidateStatefulSetSpec` does not validate its pod template's spec (the call is still
/// commented out upstream): the API server admits a StatefulSet whose pods it will reject,
/// and the controller's every pod creation then fails. An error found in that spec says so,
/// where its help would otherwise say the StatefulSet is rejected. (Schema errors there are
/// rejections still, from strict decoding; and the Pod Security rules speak of pods.)
pub(crate) fn note_statefulset_pods(
    obj: &Object<'_>,
    rule: &crate::rules::Rule,
    diags: &mut [crate::diagnostics::Diagnostic],
) {
    if diags.is_empty() || (obj.group(), obj.kind) != ("apps", "StatefulSet") {
        return;
    }
    if rule.category == crate::rules::Category::Security || rule.id == "restart-policy-for-kind" {
        return;
    }
    let Some(spec) = crate::model::PodTemplate::of(obj).and_then(|t| t.spec) else {
        return;
    };
    for d in diags {
        if d.severity == crate::diagnostics::Severity::Error && spec.span.contains(d.span) {
            let note = "for a StatefulSet, the API server admits the StatefulSet itself, as it does not validate the pod template, and rejects each pod the StatefulSet controller creates";
            d.help = Some(match d.help.take() {
                Some(h) => format!("{h}; {note}"),
                None => note.to_string(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidrs() {
        let a = parse_cidr("10.0.0.0/8").unwrap();
        let b = parse_cidr("10.1.0.0/16").unwrap();
        let c = parse_cidr("11.0.0.0/16").unwrap();
        assert!(cidr_contains(a, b));
        assert!(!cidr_contains(a, c));
        assert!(!cidr_contains(b, a));
        assert!(parse_cidr("10.0.0.0/33").is_none());
        assert!(parse_cidr("10.0.0.0").is_none());
        assert!(parse_cidr("::/0").is_some());
        assert!(parse_cidr("010.0.0.0/8").is_some());
        assert!(cidr_contains(parse_cidr("0.0.0.0/0").unwrap(), b));
    }

    #[test]
    fn domain_prefixed_paths() {
        assert!(domain_prefixed_path("example.com/ingress-controller").is_empty());
        assert!(domain_prefixed_path("k8s.io/ingress-nginx").is_empty());
        assert!(!domain_prefixed_path("nginx").is_empty());
        assert!(!domain_prefixed_path("example.com/").is_empty());
        assert!(!domain_prefixed_path("Example.com/x").is_empty());
        assert!(!domain_prefixed_path("example.com/a b").is_empty());
    }

    #[test]
    fn base64() {
        assert_eq!(base64_decode("aGVsbG8=").unwrap(), b"hello");
        assert_eq!(base64_decode("e30=").unwrap(), b"{}");
        assert!(base64_decode("not base64!").is_none());
        assert_eq!(base64_decode("").unwrap(), b"");
    }
}
