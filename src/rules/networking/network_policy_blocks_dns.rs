//! `network-policy-blocks-dns`: a NetworkPolicy that allows egress to pods or namespaces but
//! no DNS, when no other NetworkPolicy of the run in its namespace allows DNS.
//!
//! Policies are allow-lists that add up: once one selects a pod for egress, the pod may
//! only connect where some policy's egress rule lets it, and a list written for the
//! application's own peers usually forgets port 53 of the cluster's DNS.

use crate::diagnostics::Severity;
use crate::model::Object;
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "network-policy-blocks-dns",
    severity: Severity::Warning,
    category: Category::Networking,
    summary: "A NetworkPolicy allows its pods egress to other pods or namespaces but not DNS (port 53), and no other policy of the run in the namespace does: the pods cannot resolve the names they connect to",
    fix: false,
    doc: include_str!("../../../rules/network-policy-blocks-dns.md"),
    check: Check::Object(check),
};

fn is_policy(obj: &Object<'_>) -> bool {
    obj.kind == "NetworkPolicy" && obj.group() == "networking.k8s.io"
}

/// The egress rules, when the policy restricts egress: `policyTypes` lists `Egress`, or,
/// left out, the server's defaulting adds it for a non-empty `egress`.
fn egress_rules(spec: &Node) -> Option<&[Node]> {
    let rules = spec.get("egress").map(Node::items).unwrap_or_default();
    let restricted = match spec.get("policyTypes").map(Node::items) {
        Some(types) if !types.is_empty() => types.iter().any(|t| t.as_str() == Some("Egress")),
        _ => !rules.is_empty(),
    };
    restricted.then_some(rules)
}

/// Whether a port item lets DNS through: port 53 (or a range over it), every port, or a
/// named port the DNS pods declare (`dns`, `dns-tcp` for CoreDNS; `domain` in IANA's list).
fn port_allows_dns(port: &Node) -> bool {
    let Some(p) = port.get("port").filter(|p| !p.is_null()) else {
        return true;
    };
    if let Some(n) = p.as_i64() {
        let end = port.get("endPort").and_then(Node::as_i64).unwrap_or(n);
        return n <= 53 && 53 <= end;
    }
    p.as_str()
        .is_some_and(|name| name == "domain" || name.contains("dns"))
}

fn rule_allows_dns(rule: &Node) -> bool {
    let ports = rule.get("ports").map(Node::items).unwrap_or_default();
    ports.is_empty() || ports.iter().any(port_allows_dns)
}

/// A rule to pods or namespaces (a `podSelector` or `namespaceSelector` peer).
fn selects_peers(rule: &Node) -> bool {
    rule.get("to")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .any(|peer| peer.get("podSelector").is_some() || peer.get("namespaceSelector").is_some())
}

fn allows_dns(obj: &Object<'_>) -> bool {
    obj.spec()
        .and_then(egress_rules)
        .is_some_and(|rules| rules.iter().any(rule_allows_dns))
}

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    if !is_policy(obj) {
        return;
    }
    let ws = ctx.ws;
    // kustomize may patch rules in.
    if ws.is_open(obj.file) {
        return;
    }
    let Some(spec) = obj.spec() else { return };
    let Some(rules) = egress_rules(spec) else {
        return;
    };
    // No rule at all is a deliberate deny-all (a namespace's baseline), with DNS allowed by
    // a policy of its own.
    if rules.is_empty() || rules.iter().any(rule_allows_dns) {
        return;
    }
    // Pods reach other pods through Service names; a policy whose rules name only address
    // blocks (or any destination) may serve pods that connect by IP, as an operator reaches
    // the API server through `KUBERNETES_SERVICE_HOST`.
    if !rules.iter().any(selects_peers) {
        return;
    }
    let Some(ns) = ws.namespace_of(obj) else { return };
    if ws
        .of_kind_in("NetworkPolicy", ns)
        .any(|o| is_policy(o) && allows_dns(o))
    {
        return;
    }
    let span = spec.entry("egress").map_or(obj.anchor_span(), |e| e.key.span);
    let d = ctx
        .diag(
            obj,
            span,
            format!(
                "{} limits the egress of the pods it selects, and no egress rule in namespace `{ns}` allows DNS (port 53): they cannot resolve Service or host names",
                obj.display_name()
            ),
        )
        .with_primary_label("no rule allows port 53")
        .with_help(
            "allow UDP and TCP port 53 to the cluster's DNS pods, for instance an egress rule `to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}]` with `ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]`; unless the pods connect to IP addresses only",
        );
    ctx.push(d);
}
