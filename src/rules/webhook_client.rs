//! The client configuration of a webhook, as `ValidateWebhookURL` and
//! `ValidateWebhookService` (k8s.io/apiserver `pkg/util/webhook`) check it for CRD conversion
//! webhooks and admission webhooks alike.

use crate::rules::api::{key_span, Finding};
use crate::rules::apiextensions::crd::judged;
use crate::yaml::Node;

/// `ValidateWebhookURL` (https only) and `ValidateWebhookService` on the `clientConfig` of
/// `w`: `base` is the server's path of the client config, `what` names the webhook in messages
/// ("the conversion webhook").
pub fn client_config(w: &Node, cc: &Node, base: &str, what: &str, out: &mut Vec<Finding>) {
    let url = cc.get("url").filter(|n| !n.is_null());
    let service = cc.get("service").filter(|n| !n.is_null());
    match (url, service) {
        (None, None) | (Some(_), Some(_)) => out.push(Finding::new(
            key_span(w, "clientConfig"),
            base,
            if url.is_some() {
                format!("{what} sets both `url` and `service`")
            } else {
                format!("{what} sets neither `url` nor `service`")
            },
            "Required value: exactly one of url or service is required",
            "keep one: `service` for a webhook in the cluster, `url` for one outside",
        )),
        (Some(u), None) => {
            let Some(s) = judged(u) else { return };
            let problem: Option<(&str, &str)> = if s.is_empty() {
                Some(("is empty", "Required value"))
            } else if !s
                .get(..8)
                .is_some_and(|p| p.eq_ignore_ascii_case("https://"))
            {
                Some((
                    "does not use https",
                    "Invalid value: 'https' is the only allowed URL scheme",
                ))
            } else {
                let rest = &s[8..];
                let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
                let host = &rest[..host_end];
                if host.is_empty() {
                    Some(("has no host", "Invalid value: host must be specified"))
                } else if host.contains('@') {
                    Some((
                        "carries user information",
                        "Invalid value: user information is not permitted in the URL",
                    ))
                } else if s.split_once('#').is_some_and(|(_, f)| !f.is_empty()) {
                    Some((
                        "has a fragment",
                        "Invalid value: fragments are not permitted in the URL",
                    ))
                } else if s
                    .split_once('?')
                    .is_some_and(|(_, q)| !q.split('#').next().unwrap_or("").is_empty())
                {
                    Some((
                        "has query parameters",
                        "Invalid value: query parameters are not permitted in the URL",
                    ))
                } else {
                    None
                }
            };
            if let Some((problem, server)) = problem {
                out.push(Finding::new(
                    u.span,
                    format!("{base}.url"),
                    format!("{what} has the URL `{s}`, which {problem}"),
                    server,
                    "use `https://host[:port]/path` without user, query or fragment",
                ));
            }
        }
        (None, Some(svc)) => {
            let sbase = format!("{base}.service");
            for key in ["name", "namespace"] {
                if let Some(n) = svc.get(key).filter(|n| n.as_str() == Some("")) {
                    out.push(Finding::new(
                        n.span,
                        format!("{sbase}.{key}"),
                        format!("{what} names its service with an empty `{key}`"),
                        "Required value: service {key} is required".replace("{key}", key),
                        format!("add the Service's `{key}`"),
                    ));
                }
            }
            if let Some(p) = svc.get("path").and_then(judged) {
                if let Some(e) = webhook_path(p) {
                    out.push(Finding::new(
                        svc.get("path").map_or(svc.span, |n| n.span),
                        format!("{sbase}.path"),
                        format!("{what} has the service path `{p}`, which is not valid: {e}"),
                        format!("Invalid value: \"{p}\": {e}"),
                        "use an absolute path of lower-case DNS-name segments (`/convert`, `/validate-pods`)",
                    ));
                }
            }
            if let Some(n) = svc.get("port") {
                if let Some(port) = n.as_i64() {
                    if !(1..=65535).contains(&port) {
                        out.push(Finding::new(
                            n.span,
                            format!("{sbase}.port"),
                            format!("{what} has the service port {port}, out of range"),
                            format!("Invalid value: {port}: port is not valid: must be between 1 and 65535, inclusive"),
                            "use a port from 1 to 65535 (the default is 443)",
                        ));
                    }
                }
            }
        }
    }
}

/// The service path rules of `ValidateWebhookService`: each segment (after one trailing
/// slash is dropped) a DNS subdomain, as written (no lower-casing).
pub fn webhook_path(p: &str) -> Option<String> {
    if p.is_empty() || p == "/" {
        return None;
    }
    if p == "//" {
        return Some("segment[0] may not be empty".into());
    }
    if !p.starts_with('/') {
        return Some("must start with a '/'".into());
    }
    let rest = &p[1..];
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    for (i, seg) in rest.split('/').enumerate() {
        if seg.is_empty() {
            return Some(format!("segment[{i}] may not be empty"));
        }
        let errs = crate::model::names::dns1123_subdomain(seg);
        if !errs.is_empty() {
            return Some(format!("segment[{i}]: {}", errs.join("; ")));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webhook_service_paths_as_the_server_splits_them() {
        assert_eq!(webhook_path("/convert"), None);
        assert_eq!(
            webhook_path("/convert/"),
            None,
            "one trailing slash is dropped"
        );
        assert_eq!(webhook_path("/"), None);
        assert_eq!(
            webhook_path("convert").as_deref(),
            Some("must start with a '/'")
        );
        assert_eq!(
            webhook_path("/a//b").as_deref(),
            Some("segment[1] may not be empty")
        );
        assert!(webhook_path("/Convert").is_some_and(|e| e.starts_with("segment[0]:")));
    }
}
