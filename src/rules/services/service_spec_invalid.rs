//! `service-spec-invalid`: the checks of `ValidateService` (pkg/apis/core/validation) that
//! the port rules and `service-type-conflict` leave: ports required, `externalName`,
//! `sessionAffinityConfig`, `clusterIP`/`clusterIPs`, `ipFamilies` and `ipFamilyPolicy`,
//! `externalIPs`, `loadBalancerSourceRanges`, `healthCheckNodePort`.

use crate::diagnostics::Severity;
use crate::model::names::dns1123_subdomain;
use crate::model::{Object, Service};
use crate::rules::addresses;
use crate::rules::api::{at_least, enum_value, judged_str, parse_cidr, parse_ip, reject, reject_pair};
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "service-spec-invalid",
    severity: Severity::Error,
    category: Category::Services,
    summary: "A Service spec the API server rejects (no ports, bad externalName, clusterIP or ipFamilies, sessionAffinityConfig without ClientIP, ...)",
    fix: false,
    doc: include_str!("../../../rules/service-spec-invalid.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let Some(svc) = Service::of(obj) else { return };
    let Some(spec) = svc.spec else { return };
    let ty = svc.service_type();
    if !matches!(ty, "ClusterIP" | "NodePort" | "LoadBalancer" | "ExternalName") {
        return;
    }
    let ports = spec.get("ports");
    let ports_unjudged = ports.is_some_and(|p| !p.is_seq() && !p.is_null());
    if ty != "ExternalName" && !svc.is_headless() && svc.ports().is_empty() && !ports_unjudged {
        reject(
            ctx,
            obj,
            ports.unwrap_or(spec),
            "the Service has no ports".into(),
            "Required value",
            "list the ports it serves (`ports: [{port: 80, targetPort: 8080}]`); only headless (`clusterIP: None`) and ExternalName Services may have none",
        );
    }
    if ty == "ExternalName" {
        external_name(ctx, obj, spec);
    }
    session_affinity(ctx, obj, spec);
    cluster_ips(ctx, obj, spec);
    ip_families(ctx, obj, spec);
    traffic_distribution(ctx, obj, spec);
    strict_addresses(ctx, obj, spec, ty);
    families_of_cluster_ips(ctx, obj, spec);
    load_balancer_ip(ctx, obj, spec);
    for ip in spec.get("externalIPs").map(Node::items).unwrap_or_default() {
        if let Some(v) = judged_str(ip) {
            let bad = match parse_ip(v) {
                None => Some("must be a valid IP address"),
                Some(a) => addresses::special_ip_problem(a),
            };
            if let Some(why) = bad {
                reject(ctx, obj, ip, format!("the external IP `{v}` {why}"), &format!("Invalid value: {why}"), "list the node or load-balancer addresses that should reach this Service");
            }
        }
    }
    if ty == "LoadBalancer" {
        for r in spec.get("loadBalancerSourceRanges").map(Node::items).unwrap_or_default() {
            if let Some(v) = judged_str(r) {
                if parse_cidr(v.trim()).is_none() {
                    reject(
                        ctx,
                        obj,
                        r,
                        format!("the source range `{v}` is not a CIDR"),
                        "Invalid value: must be a list of IP ranges. For example, 10.240.0.0/24,10.250.0.0/24",
                        "write an address and a prefix length, e.g. `203.0.113.0/24` (`/32` for one address)",
                    );
                }
            }
        }
    }
    source_ranges_annotation(ctx, obj, spec, ty);
    qualified(ctx, obj, spec.get("loadBalancerClass"), "loadBalancerClass");
    for p in svc.ports() {
        qualified(ctx, obj, p.get("appProtocol"), "appProtocol");
    }
    if let Some(h) = spec.get("healthCheckNodePort").filter(|n| n.as_i64().is_some_and(|v| v != 0)) {
        let local = spec.get("externalTrafficPolicy").and_then(Node::as_str) == Some("Local");
        if ty != "LoadBalancer" || !local {
            reject(
                ctx,
                obj,
                h,
                "`healthCheckNodePort` is set but the Service is not a `LoadBalancer` with `externalTrafficPolicy: Local`".into(),
                "Invalid value: may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'",
                "remove it (the server allocates one when it is needed)",
            );
        }
    }
}

fn external_name(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, spec: &Node) {
    let node = spec.get("externalName");
    let v = node.and_then(Node::as_str).unwrap_or("");
    if crate::model::fields::is_templated(v) || crate::rules::api::is_placeholder(v) {
        return;
    }
    if v.is_empty() {
        let anchor = node.or_else(|| spec.get("type")).unwrap_or(spec);
        reject(
            ctx,
            obj,
            anchor,
            "an ExternalName Service has no `externalName`".into(),
            "Required value",
            "set `externalName` to the DNS name the Service aliases, e.g. `db.example.com`",
        );
        return;
    }
    let clean = v.strip_suffix('.').unwrap_or(v);
    let errs = dns1123_subdomain(clean);
    if let (false, Some(node)) = (errs.is_empty(), node) {
        let help = if parse_ip(clean).is_some() || clean.contains("://") || clean.contains(':') {
            "`externalName` is a DNS name, not an IP address or URL; for an IP, use a Service without selector and an EndpointSlice"
        } else {
            "use a lowercase DNS name such as `db.example.com`"
        };
        reject(
            ctx,
            obj,
            node,
            format!("`externalName: {v}` {}", errs.join("; ")),
            "Invalid value: a lowercase RFC 1123 subdomain",
            help,
        );
    }
}

fn session_affinity(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, spec: &Node) {
    let affinity = spec.get("sessionAffinity").and_then(Node::as_str).unwrap_or("None");
    let Some(cfg) = spec.get("sessionAffinityConfig").filter(|n| n.is_map()) else {
        return;
    };
    if matches!(affinity, "None" | "") {
        // `SetDefaults_Service` drops the config when the affinity is `None` (the default),
        // before validation could reject it: admitted, but the config does nothing.
        let span = spec.entry("sessionAffinityConfig").map_or(cfg.span, |e| e.key.span);
        let mut d = ctx
            .diag(obj, span, "`sessionAffinityConfig` is set but `sessionAffinity` is not `ClientIP`, so the API server drops it")
            .with_primary_label("ignored")
            .with_help("the API server admits the Service without the config (its defaulting clears it when the affinity is `None`); set `sessionAffinity: ClientIP` to keep clients on one pod, or remove `sessionAffinityConfig`");
        d.severity = crate::diagnostics::Severity::Warning;
        ctx.push(d);
        return;
    }
    if let Some(t) = cfg.get_path(&["clientIP", "timeoutSeconds"]) {
        if let Some(v) = t.as_i64().filter(|v| !(1..=86400).contains(v)) {
            reject(ctx, obj, t, format!("`timeoutSeconds: {v}` is outside 1..86400"), "Invalid value: must be greater than 0 and less than 86400", "use 1 to 86400 seconds (the default is 10800)");
        }
    }
}

fn cluster_ips(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, spec: &Node) {
    let valid = |v: &str| v == "None" || parse_ip(v).is_some();
    let ip = spec.get("clusterIP").filter(|n| judged_str(n).is_some());
    if let Some(n) = ip {
        let v = n.as_str().unwrap_or("");
        if !valid(v) {
            reject(
                ctx,
                obj,
                n,
                format!("`clusterIP: {v}` is not an IP address or `None`"),
                "Invalid value: must be empty, 'None', or a valid IP address",
                "remove it to let the server allocate one, or write `None` for a headless Service",
            );
            return;
        }
    }
    let Some(ips) = spec.get("clusterIPs").filter(|n| !n.items().is_empty()) else {
        return;
    };
    let items = ips.items();
    for i in items {
        if let Some(v) = judged_str(i).filter(|v| !valid(v)) {
            reject(ctx, obj, i, format!("the cluster IP `{v}` is not an IP address or `None`"), "Invalid value: must be empty, 'None', or a valid IP address", "remove it to let the server allocate one");
            return;
        }
    }
    if let (Some(n), Some(first)) = (ip, items.first()) {
        let (a, b) = (n.as_str().unwrap_or(""), first.as_str().unwrap_or(""));
        if !b.is_empty() && a != b {
            reject_pair(
                ctx,
                obj,
                first,
                n.span,
                format!("`clusterIP` is `{a}`"),
                format!("`clusterIPs[0]` (`{b}`) differs from `clusterIP` (`{a}`)"),
                "Invalid value: must be equal to clusterIP",
                "the first of `clusterIPs` is the `clusterIP`; make them equal, or set only one of them",
            );
        }
    }
    if items.len() > 2 {
        reject(ctx, obj, ips, format!("`clusterIPs` lists {} addresses", items.len()), "Invalid value: may only hold up to 2 values", "a Service has at most one IPv4 and one IPv6 cluster IP");
    } else if items.len() == 2 {
        let fam = |n: &Node| n.as_str().and_then(parse_ip).map(|a| a.is_ipv4());
        if items.iter().any(|n| n.as_str() == Some("None")) {
            reject(ctx, obj, ips, "a headless Service lists two `clusterIPs`".into(), "Invalid value: must not have more than one value when the first is 'None'", "write just `clusterIPs: [None]`");
        } else if let (Some(x), Some(y)) = (fam(&items[0]), fam(&items[1])) {
            if x == y {
                reject(ctx, obj, &items[1], "both `clusterIPs` are of the same IP family".into(), "Invalid value: may specify no more than one IP for each IP family", "dual-stack needs one IPv4 and one IPv6 address");
            }
        }
    }
}

/// `validateServiceTrafficDistribution`, from 1.31 (its gate's beta). `PreferSameZone` and
/// `PreferSameNode` are accepted behind the `PreferSameTrafficDistribution` gate (alpha in
/// 1.33, on by default from 1.34, GA in 1.35), so only a value outside all three is judged.
fn traffic_distribution(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, spec: &Node) {
    if at_least(ctx, 31) {
        enum_value(ctx, obj, spec, "trafficDistribution", &["PreferClose", "PreferSameZone", "PreferSameNode"]);
    }
}

/// From 1.36 (`StrictIPCIDRValidation` on by default) the server rejects a new Service's
/// addresses in the forms it used to read leniently: leading zeros, IPv4-mapped IPv6, and
/// source ranges with bits set beyond the prefix. (`loadBalancerIP` is not validated; a
/// non-canonical IPv6 form is only warned about: `service-spec-warning`.)
fn strict_addresses(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, spec: &Node, ty: &str) {
    if !addresses::strict(ctx) {
        return;
    }
    // Without `clusterIPs` the server copies `clusterIP` into it before validating.
    let listed = spec.get("clusterIPs").map(Node::items).unwrap_or_default();
    let cluster: Vec<&Node> = if listed.is_empty() {
        spec.get("clusterIP").into_iter().collect()
    } else {
        listed.iter().collect()
    };
    let external = spec.get("externalIPs").map(Node::items).unwrap_or_default();
    let ips = cluster.into_iter().map(|n| (n, "cluster IP")).chain(external.iter().map(|n| (n, "external IP")));
    for (n, what) in ips {
        let Some(v) = judged_str(n) else { continue };
        if let Some((why, fix)) = addresses::strict_ip_problem(v) {
            reject(ctx, obj, n, format!("the {what} `{v}` is in a form the API server rejects from Kubernetes 1.36: it {why}"), &format!("Invalid value: {why}"), &fix);
        }
    }
    if ty == "LoadBalancer" {
        for r in spec.get("loadBalancerSourceRanges").map(Node::items).unwrap_or_default() {
            let Some(v) = judged_str(r) else { continue };
            if let Some((why, fix)) = addresses::strict_cidr_problem(v.trim()) {
                reject(ctx, obj, r, format!("the source range `{v}` is in a form the API server rejects from Kubernetes 1.36: it {why}"), &format!("Invalid value: {why}"), &fix);
            }
        }
    }
}

fn ip_families(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, spec: &Node) {
    enum_value(ctx, obj, spec, "ipFamilyPolicy", &["SingleStack", "PreferDualStack", "RequireDualStack"]);
    let Some(fams) = spec.get("ipFamilies") else { return };
    let items = fams.items();
    for f in items {
        if let Some(v) = judged_str(f).filter(|v| !matches!(*v, "IPv4" | "IPv6")) {
            let hint = match v.to_ascii_lowercase().as_str() {
                "ipv4" => "did you mean `IPv4`? (values are case-sensitive)",
                "ipv6" => "did you mean `IPv6`? (values are case-sensitive)",
                _ => "use `IPv4` or `IPv6`",
            };
            reject(ctx, obj, f, format!("`{v}` is not an IP family"), &format!("Unsupported value: \"{v}\""), hint);
            return;
        }
    }
    if items.len() == 2 && items[0].as_str().is_some() && items[0].as_str() == items[1].as_str() {
        reject(ctx, obj, &items[1], format!("the IP family `{}` is listed twice", items[1].as_str().unwrap_or("")), "Duplicate value", "list each family once");
    } else if items.len() > 2 {
        reject(ctx, obj, fams, format!("`ipFamilies` lists {} families", items.len()), "Invalid value: may only hold up to 2 values", "list `IPv4`, `IPv6`, or both");
    }
    let policy = spec.get("ipFamilyPolicy").and_then(Node::as_str);
    if let (Some("SingleStack"), true) = (policy, items.len() == 2) {
        if let Some(p) = spec.get("ipFamilyPolicy") {
            reject_pair(
                ctx,
                obj,
                fams,
                p.span,
                "`ipFamilyPolicy` is `SingleStack`".into(),
                "a `SingleStack` Service lists two `ipFamilies`".into(),
                "Invalid value: when spec.ipFamilyPolicy is SingleStack, it may only contain one value",
                "use `ipFamilyPolicy: PreferDualStack` or `RequireDualStack`, or list one family",
            );
        }
    }
}

/// Each cluster IP must be of the family at the same index of `ipFamilies`
/// (`validateServiceClusterIPsRelatedFields`). Without `clusterIPs` the server copies
/// `clusterIP` into `clusterIPs[0]` before validating, so that one is compared.
fn families_of_cluster_ips(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, spec: &Node) {
    let Some(fams) = spec.get("ipFamilies") else { return };
    let fams = fams.items();
    let listed = spec.get("clusterIPs").map(Node::items).unwrap_or_default();
    let single;
    let ips: &[Node] = if !listed.is_empty() {
        listed
    } else if let Some(ip) = spec.get("clusterIP") {
        single = [ip.clone()];
        &single
    } else {
        return;
    };
    if ips.iter().any(|n| n.as_str() == Some("None")) {
        return;
    }
    for (i, (ip, fam)) in ips.iter().zip(fams).enumerate() {
        let (Some(v), Some(f)) = (judged_str(ip), fam.as_str()) else { continue };
        let Some(addr) = parse_ip(v) else { continue };
        let want_v6 = match f {
            "IPv4" => false,
            "IPv6" => true,
            _ => continue,
        };
        if addr.is_ipv6() != want_v6 {
            let (got, want) = if want_v6 { ("IPv4", "IPv6") } else { ("IPv6", "IPv4") };
            reject_pair(
                ctx,
                obj,
                ip,
                fam.span,
                format!("`ipFamilies[{i}]` is `{f}`"),
                format!("the cluster IP `{v}` is an {got} address but `ipFamilies[{i}]` is `{f}`"),
                &format!("Invalid value: expected an {want} value as indicated by 'ipFamilies[{i}]'"),
                "list the families in the order of the cluster IPs, or remove `ipFamilies` and let the server derive them",
            );
        }
    }
}

/// The annotation the `loadBalancerSourceRanges` field replaced, validated when the field is
/// empty: only on a `LoadBalancer`, and a comma-separated list of CIDRs.
fn source_ranges_annotation(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, spec: &Node, ty: &str) {
    const KEY: &str = "service.beta.kubernetes.io/load-balancer-source-ranges";
    if !spec.get("loadBalancerSourceRanges").map(Node::items).unwrap_or_default().is_empty() {
        return;
    }
    let annotations = obj.metadata().and_then(|m| m.get("annotations"));
    let Some(e) = annotations.and_then(|a| a.entries().iter().find(|e| e.key.key_text() == Some(KEY))) else {
        return;
    };
    if ty != "LoadBalancer" {
        reject(
            ctx,
            obj,
            &e.key,
            format!("the annotation `{KEY}` is set on a `{ty}` Service"),
            "Forbidden: may only be used when `type` is 'LoadBalancer'",
            "source ranges restrict a cloud load balancer; remove the annotation, or make the Service `type: LoadBalancer`",
        );
    }
    let Some(value) = judged_str(&e.value) else { return };
    for range in value.trim().split(',').map(str::trim).filter(|_| !value.trim().is_empty()) {
        if parse_cidr(range).is_none() {
            reject(
                ctx,
                obj,
                &e.value,
                format!("`{range}` in the annotation `{KEY}` is not a CIDR"),
                "Invalid value: must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)",
                "write comma-separated ranges such as `203.0.113.0/24,198.51.100.7/32`, or use the `loadBalancerSourceRanges` field",
            );
        }
    }
}

/// `loadBalancerIP` that is not an IP address. `ValidateService` does not look at the
/// deprecated field (its only check is `GetWarningsForIP`, which passes over what it cannot
/// parse), so the Service is admitted; the cloud's load balancer controller then fails on it,
/// with an event nobody reads: a warning.
fn load_balancer_ip(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, spec: &Node) {
    let Some(node) = spec.get("loadBalancerIP") else { return };
    let Some(v) = judged_str(node) else { return };
    if parse_ip(v).is_none() {
        let mut d = ctx
            .diag(obj, node.span, format!("`loadBalancerIP: {v}` is not an IP address, so no load balancer can take it"))
            .with_help("the API server admits the Service without checking this deprecated field, and the cloud's load balancer controller then fails on it; write a single address such as `203.0.113.10` (no prefix length, no host name), or use the load balancer's own annotation");
        d.severity = crate::diagnostics::Severity::Warning;
        ctx.push(d);
    }
}

/// `loadBalancerClass` and `appProtocol` are qualified names (`ValidateQualifiedName`).
fn qualified(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>, node: Option<&Node>, key: &str) {
    let Some(node) = node else { return };
    let Some(v) = judged_str(node) else { return };
    let errs = crate::model::names::qualified_name(v);
    if !errs.is_empty() {
        reject(
            ctx,
            obj,
            node,
            format!("`{key}: {v}` is not a qualified name: {}", errs.join("; ")),
            "Invalid value: a qualified name (an optional DNS-subdomain prefix and '/', then a name)",
            "use e.g. `http`, `kubernetes.io/h2c` or `example.com/my-class`",
        );
    }
}

