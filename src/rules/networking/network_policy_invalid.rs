//! `network-policy-invalid`: `ValidateNetworkPolicySpec` (pkg/apis/networking/validation):
//! ports and `endPort`, peers (ipBlock alone), ipBlock CIDRs and `except`, `policyTypes`.

use crate::diagnostics::Severity;
use crate::model::names::iana_svc_name;
use crate::model::Object;
use crate::rules::addresses;
use crate::rules::api::{
    at_least, cidr_contains, enum_value, judged_str, parse_cidr, reject, reject_pair,
};
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "network-policy-invalid",
    severity: Severity::Error,
    category: Category::Networking,
    summary: "A NetworkPolicy the API server rejects (endPort without a numeric port, ipBlock mixed with selectors, invalid CIDR or except, unknown policyTypes)",
    fix: false,
    doc: include_str!("../../../rules/network-policy-invalid.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    if obj.kind != "NetworkPolicy" || obj.group() != "networking.k8s.io" {
        return;
    }
    let Some(spec) = obj.spec() else { return };
    for (dir, peers_key) in [("ingress", "from"), ("egress", "to")] {
        for rule in spec.get(dir).map(Node::items).unwrap_or_default() {
            for port in rule.get("ports").map(Node::items).unwrap_or_default() {
                port_entry(ctx, obj, port);
            }
            for peer in rule.get(peers_key).map(Node::items).unwrap_or_default() {
                peer_entry(ctx, obj, peer);
            }
        }
    }
    if let Some(types) = spec.get("policyTypes") {
        let items = types.items();
        for t in items {
            let Some(v) = judged_str(t) else { continue };
            if !matches!(v, "Ingress" | "Egress") {
                let hint = match v.to_ascii_lowercase().as_str() {
                    "ingress" => "did you mean `Ingress`? (values are case-sensitive)",
                    "egress" => "did you mean `Egress`? (values are case-sensitive)",
                    _ => "use `Ingress` and/or `Egress`",
                };
                reject(ctx, obj, t, format!("`{v}` is not a policy type"), &format!("Unsupported value: \"{v}\""), hint);
            }
        }
        if items.len() > 2 {
            reject(
                ctx,
                obj,
                types,
                format!("`policyTypes` lists {} entries", items.len()),
                "Invalid value: may not specify more than two policyTypes",
                "list `Ingress`, `Egress`, or both, once each",
            );
        }
    }
}

/// `ValidateNetworkPolicyPort`.
fn port_entry(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, port: &Node) {
    enum_value(ctx, obj, port, "protocol", &["TCP", "UDP", "SCTP"]);
    let p = port.get("port").filter(|n| !n.is_null());
    if let Some(p) = p {
        if let Some(v) = p.as_i64() {
            if !(1..=65535).contains(&v) {
                reject(ctx, obj, p, format!("port {v} is out of range"), "Invalid value: must be between 1 and 65535, inclusive", "use a port from 1 to 65535");
            }
        } else if let Some(name) = judged_str(p) {
            let errs = iana_svc_name(name);
            if !errs.is_empty() {
                reject(
                    ctx,
                    obj,
                    p,
                    format!("the port name `{name}` {}", errs.join("; ")),
                    "Invalid value: an IANA service name",
                    "use a port number, or the name of a container port",
                );
            }
        }
    }
    let Some(end) = port.get("endPort").filter(|n| !n.is_null()) else {
        return;
    };
    let Some(e) = end.as_i64() else { return };
    match p {
        None => reject(
            ctx,
            obj,
            end,
            "`endPort` is set without `port`".into(),
            "Required value: must specify port when endPort is specified",
            "set `port` to the first port of the range",
        ),
        Some(p) if p.as_i64().is_none() => {
            if p.as_str().is_some_and(crate::model::fields::is_templated) {
                return;
            }
            reject_pair(
                ctx,
                obj,
                end,
                p.span,
                "`port` is a name here".into(),
                "`endPort` is set but `port` is a name, not a number".into(),
                "Invalid value: may not be specified when `port` is non-numeric",
                "a port range needs numeric ends; write the first port as a number",
            )
        }
        Some(p) => {
            let start = p.as_i64().unwrap_or(0);
            if e < start {
                reject_pair(
                    ctx,
                    obj,
                    end,
                    p.span,
                    format!("`port` is {start}"),
                    format!("`endPort: {e}` is less than `port: {start}`"),
                    "Invalid value: must be greater than or equal to `port`",
                    "swap the two, or raise `endPort`",
                );
            } else if !(1..=65535).contains(&e) {
                reject(ctx, obj, end, format!("`endPort: {e}` is out of range"), "Invalid value: must be between 1 and 65535, inclusive", "use a port from 1 to 65535");
            }
        }
    }
}

/// `ValidateNetworkPolicyPeer` and `ValidateIPBlock`.
fn peer_entry(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, peer: &Node) {
    let set = |k: &str| peer.entry(k).filter(|e| !e.value.is_null());
    let ip_block = set("ipBlock");
    let others: Vec<_> = ["podSelector", "namespaceSelector"]
        .into_iter()
        .filter_map(set)
        .collect();
    if let (Some(ib), Some(other)) = (ip_block, others.first()) {
        reject_pair(
            ctx,
            obj,
            &ib.key,
            other.key.span,
            format!("`{}` is in the same peer", other.key.key_text().unwrap_or("selector")),
            "a peer sets `ipBlock` together with a selector".into(),
            "Forbidden: may not specify both ipBlock and another peer",
            "make them two peers (two `-` entries), which the policy ORs",
        );
    }
    if ip_block.is_none() && others.is_empty() && peer.is_map() {
        reject(
            ctx,
            obj,
            peer,
            "a peer sets none of `podSelector`, `namespaceSelector` or `ipBlock`".into(),
            "Required value: must specify a peer",
            "to allow everything, omit the `from`/`to` list instead of listing an empty peer",
        );
    }
    let Some(ib) = ip_block.map(|e| &e.value) else { return };
    let Some(cidr_node) = ib.get("cidr") else { return };
    let Some(cidr_text) = judged_str(cidr_node) else { return };
    let Some(cidr) = parse_cidr(cidr_text) else {
        reject(
            ctx,
            obj,
            cidr_node,
            format!("`cidr: {cidr_text}` is not a CIDR"),
            "Invalid value: must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)",
            "write an address and a prefix length, e.g. `10.0.0.0/8` (`/32` for a single IPv4 address)",
        );
        return;
    };
    let excepts = ib.get("except").map(Node::items).unwrap_or_default();
    cidr_forms(ctx, obj, std::iter::once(cidr_node).chain(excepts));
    for ex in excepts {
        let Some(t) = judged_str(ex) else { continue };
        let Some(e) = parse_cidr(t) else {
            reject(
                ctx,
                obj,
                ex,
                format!("the except entry `{t}` is not a CIDR"),
                "Invalid value: must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)",
                "write an address and a prefix length",
            );
            continue;
        };
        if !cidr_contains(cidr, e) || e.1 <= cidr.1 {
            reject_pair(
                ctx,
                obj,
                ex,
                cidr_node.span,
                format!("`cidr` is {cidr_text}"),
                format!("the except entry `{t}` is not strictly inside `cidr: {cidr_text}`"),
                "Invalid value: must be a strict subset of `cidr`",
                "list only ranges inside the `cidr` (and smaller than it)",
            );
        }
    }
}

/// The forms of the ipBlock's CIDRs: from 1.36 (`StrictIPCIDRValidation` on by default) the
/// server rejects leading zeros, IPv4-mapped addresses and bits set beyond the prefix, which
/// it read leniently before; from 1.33 to 1.35 it admits them with a warning.
fn cidr_forms<'n>(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, cidrs: impl Iterator<Item = &'n Node>) {
    let strict = addresses::strict(ctx);
    if !strict && !at_least(ctx, 33) {
        return;
    }
    for n in cidrs {
        let Some(v) = judged_str(n) else { continue };
        if strict {
            if let Some((why, fix)) = addresses::strict_cidr_problem(v) {
                reject(ctx, obj, n, format!("the CIDR `{v}` is in a form the API server rejects from Kubernetes 1.36: it {why}"), &format!("Invalid value: {why}"), &fix);
            }
            continue;
        }
        let path = obj.root.path_to(n.span).unwrap_or_default();
        for (span, message, server) in addresses::cidr_warnings(n, &path, false) {
            crate::rules::api::warn_admitted(ctx, obj, span, message, &server);
        }
    }
}
