//! Name and label syntax as the API server checks it (apimachinery
//! `pkg/util/validation/validation.go`), plus "did you mean" for closed sets of values.
//!
//! Each validator returns the problems it finds as short sentences (empty = valid), in the
//! words of the API server's messages without the regular expressions.

const DNS1123_LABEL_MAX: usize = 63;
const DNS1123_SUBDOMAIN_MAX: usize = 253;
const QUALIFIED_NAME_MAX: usize = 63;
const LABEL_VALUE_MAX: usize = 63;
const IANA_SVC_NAME_MAX: usize = 15;

fn is_lower_alnum(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

fn too_long(max: usize) -> String {
    format!("must be no more than {max} characters")
}

/// One DNS-1123 label without the length check: `[a-z0-9]([-a-z0-9]*[a-z0-9])?`.
fn dns1123_label_shape(s: &str) -> bool {
    !s.is_empty()
        && s.chars().all(|c| is_lower_alnum(c) || c == '-')
        && s.starts_with(is_lower_alnum)
        && s.ends_with(is_lower_alnum)
}

/// RFC 1123 label: lowercase alphanumerics and `-`, alphanumeric at both ends, at most 63
/// characters (`IsDNS1123Label`). Container names, Namespace names, Service port names.
pub fn dns1123_label(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.len() > DNS1123_LABEL_MAX {
        errs.push(too_long(DNS1123_LABEL_MAX));
    }
    if !dns1123_label_shape(s) {
        errs.push(
            "must consist of lowercase letters, digits or '-', and start and end with a letter or digit (an RFC 1123 label, e.g. 'my-name' or '123-abc')"
                .into(),
        );
    }
    errs
}

/// `IsDNS1123SubdomainWithUnderscore`: a subdomain whose labels may also hold `_`, and
/// start with one (`_?[a-z0-9]([-_a-z0-9]*[a-z0-9])?`), as SRV names do (`_sip._tcp`). The
/// relaxed rule for a pod's DNS search domains.
pub fn dns1123_subdomain_with_underscore(s: &str) -> Vec<String> {
    let label = |l: &str| {
        let l = l.strip_prefix('_').unwrap_or(l);
        !l.is_empty()
            && l.chars().all(|c| is_lower_alnum(c) || c == '-' || c == '_')
            && l.starts_with(is_lower_alnum)
            && l.ends_with(is_lower_alnum)
    };
    subdomain_of(s, label, "'_', '-' or '.'")
}

/// RFC 1123 subdomain: dot-separated RFC 1123 labels, at most 253 characters
/// (`IsDNS1123Subdomain`). The name rule of most kinds.
pub fn dns1123_subdomain(s: &str) -> Vec<String> {
    subdomain_of(s, dns1123_label_shape, "'-' or '.'")
}

/// Dot-separated labels of the given shape, at most 253 characters.
fn subdomain_of(s: &str, label: impl Fn(&str) -> bool, others: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.len() > DNS1123_SUBDOMAIN_MAX {
        errs.push(too_long(DNS1123_SUBDOMAIN_MAX));
    }
    if !s.split('.').all(label) {
        errs.push(format!(
            "must consist of lowercase letters, digits, {others}, and start and end with a letter or digit (an RFC 1123 subdomain, e.g. 'example.com')"
        ));
    }
    errs
}

/// RFC 1035 label: like an RFC 1123 label but starting with a letter (`IsDNS1035Label`).
/// Service names.
pub fn dns1035_label(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.len() > DNS1123_LABEL_MAX {
        errs.push(too_long(DNS1123_LABEL_MAX));
    }
    if !dns1123_label_shape(s) || !s.starts_with(|c: char| c.is_ascii_lowercase()) {
        errs.push(
            "must consist of lowercase letters, digits or '-', start with a letter and end with a letter or digit (an RFC 1035 label, e.g. 'my-name' or 'abc-123')"
                .into(),
        );
    }
    errs
}

/// A path segment name (`IsValidPathSegmentName`): not `.` or `..`, no `/` or `%`. RBAC names.
pub fn path_segment_name(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s == "." || s == ".." {
        errs.push(format!("may not be '{s}'"));
    }
    for bad in ['/', '%'] {
        if s.contains(bad) {
            errs.push(format!("may not contain '{bad}'"));
        }
    }
    errs
}

/// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`: the name part of a qualified name and a
/// non-empty label value.
fn qualified_name_part(s: &str) -> bool {
    let alnum = |c: char| c.is_ascii_alphanumeric();
    !s.is_empty()
        && s.chars().all(|c| alnum(c) || matches!(c, '-' | '_' | '.'))
        && s.starts_with(alnum)
        && s.ends_with(alnum)
}

const NAME_PART_MSG: &str = "must consist of letters, digits, '-', '_' or '.', and start and end with a letter or digit (e.g. 'MyName', 'my.name' or '123-abc')";

/// A qualified name (`IsQualifiedName`): label and annotation keys, `matchExpressions` keys.
/// An optional DNS-1123 subdomain prefix and `/`, then a name of at most 63 characters.
pub fn qualified_name(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    let parts: Vec<&str> = s.split('/').collect();
    let name = match parts.as_slice() {
        [name] => *name,
        [prefix, name] => {
            if prefix.is_empty() {
                errs.push("the prefix before '/' must not be empty".into());
            } else {
                for e in dns1123_subdomain(prefix) {
                    errs.push(format!("the prefix `{prefix}` {e}"));
                }
            }
            *name
        }
        _ => {
            errs.push(
                "may contain at most one '/', between an optional DNS subdomain prefix and the name (e.g. 'example.com/MyName')"
                    .into(),
            );
            return errs;
        }
    };
    if name.is_empty() {
        errs.push("the name part must not be empty".into());
    } else {
        if name.len() > QUALIFIED_NAME_MAX {
            errs.push(format!("the name part {}", too_long(QUALIFIED_NAME_MAX)));
        }
        if !qualified_name_part(name) {
            errs.push(format!("the name part {NAME_PART_MSG}"));
        }
    }
    errs
}

/// A label value (`IsValidLabelValue`): empty, or at most 63 characters of the qualified
/// name alphabet, alphanumeric at both ends.
pub fn label_value(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.is_empty() {
        return errs;
    }
    if s.len() > LABEL_VALUE_MAX {
        errs.push(too_long(LABEL_VALUE_MAX));
    }
    if !qualified_name_part(s) {
        errs.push(format!(
            "must be empty or {}",
            NAME_PART_MSG.trim_start_matches("must ")
        ));
    }
    errs
}

/// An IANA service name (`IsValidPortName`): container port names and named `targetPort`s.
/// At most 15 characters of lowercase letters, digits and `-`; at least one letter; no `-` at
/// either end and no `--`.
pub fn iana_svc_name(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.len() > IANA_SVC_NAME_MAX {
        errs.push(too_long(IANA_SVC_NAME_MAX));
    }
    if !s.chars().all(|c| is_lower_alnum(c) || c == '-') {
        errs.push("must contain only lowercase letters, digits and '-'".into());
    }
    if s.contains("--") {
        errs.push("must not contain consecutive hyphens".into());
    }
    if !s.is_empty() && (s.starts_with('-') || s.ends_with('-')) {
        errs.push("must not begin or end with a hyphen".into());
    }
    if !s.chars().any(|c| c.is_ascii_lowercase()) {
        errs.push("must contain at least one letter".into());
    }
    errs
}

/// The allowed value `value` was most likely meant to be: the same word in another case, or
/// one within a small edit distance.
pub fn did_you_mean<'c>(value: &str, allowed: &[&'c str]) -> Option<&'c str> {
    if let Some(hit) = allowed.iter().find(|a| a.eq_ignore_ascii_case(value)) {
        return Some(hit);
    }
    let lower = value.to_ascii_lowercase();
    allowed
        .iter()
        .map(|a| (strsim::osa_distance(&lower, &a.to_ascii_lowercase()), *a))
        .filter(|(d, a)| {
            let max = if a.len() <= 4 { 1 } else { 2.max(a.len() / 4) };
            *d <= max
        })
        .min_by_key(|(d, _)| *d)
        .map(|(_, a)| a)
}

/// The name among `candidates` that `value` most likely misspells: one edit away (an
/// insertion, deletion, substitution or swap, ignoring case), two for names over ten
/// characters. Stricter than [`did_you_mean`], whose bound suits help text: whether a missing
/// reference is reported, and how loudly, is decided on this, and a sibling's name that
/// differs by a word (`argocd-applicationset-controller` beside the StatefulSet
/// `argocd-application-controller`) is another object, not a typo.
pub fn typo_of<'c>(value: &str, candidates: &[&'c str]) -> Option<&'c str> {
    let lower = value.to_ascii_lowercase();
    candidates
        .iter()
        .map(|c| (strsim::osa_distance(&lower, &c.to_ascii_lowercase()), *c))
        .filter(|(d, c)| *d <= if c.chars().count() > 10 { 2 } else { 1 })
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// `"a", "b" or "c"` for messages.
pub fn one_of(allowed: &[&str]) -> String {
    match allowed {
        [] => String::new(),
        [one] => format!("`{one}`"),
        [init @ .., last] => format!(
            "{} or `{last}`",
            init.iter()
                .map(|a| format!("`{a}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typo_is_an_edit_or_two_away_a_different_word_is_not() {
        let services = [
            "cache-headless",
            "argocd-applicationset-controller",
            "db",
            "redis",
        ];
        assert_eq!(typo_of("cache-headles", &services), Some("cache-headless"));
        assert_eq!(typo_of("cahce-headless", &services), Some("cache-headless"));
        assert_eq!(typo_of("Redis", &services), Some("redis"));
        assert_eq!(typo_of("reddis", &services), Some("redis"));
        // A sibling component's name, three letters longer: another object.
        assert_eq!(typo_of("argocd-application-controller", &services), None);
        // Short names allow one edit only.
        assert_eq!(typo_of("rdis0", &services), None);
        assert_eq!(typo_of("dbx", &services), Some("db"));
        assert_eq!(typo_of("dbxy", &services), None);
        // did_you_mean, for help text, is looser.
        assert_eq!(
            did_you_mean("argocd-application-controller", &services),
            Some("argocd-applicationset-controller")
        );
    }

    #[test]
    fn labels_and_subdomains() {
        assert!(dns1123_label("web-1").is_empty());
        assert!(dns1123_label("1web").is_empty());
        assert!(!dns1123_label("Web").is_empty());
        assert!(!dns1123_label("web-").is_empty());
        assert!(!dns1123_label("").is_empty());
        assert!(!dns1123_label(&"a".repeat(64)).is_empty());
        assert!(dns1123_label(&"a".repeat(63)).is_empty());
        assert!(dns1123_subdomain("web.example.com").is_empty());
        assert!(!dns1123_subdomain("web..example").is_empty());
        assert!(!dns1123_subdomain("web_example").is_empty());
        assert!(dns1035_label("web").is_empty());
        assert!(!dns1035_label("1web").is_empty());
        assert!(path_segment_name("system:controller:foo").is_empty());
        assert!(!path_segment_name("a/b").is_empty());
        assert!(!path_segment_name("..").is_empty());
    }

    #[test]
    fn qualified_names_and_label_values() {
        for ok in ["app", "app.kubernetes.io/name", "A_b.c-D", "k8s.io/x", "9"] {
            assert!(qualified_name(ok).is_empty(), "{ok}");
        }
        for bad in [
            "",
            "/app",
            "a/b/c",
            "-app",
            "app-",
            "Example.com/app",
            "a/",
            "my app",
        ] {
            assert!(!qualified_name(bad).is_empty(), "{bad}");
        }
        assert!(!qualified_name(&"a".repeat(64)).is_empty());
        for ok in ["", "web", "v1.2.3", "A_b"] {
            assert!(label_value(ok).is_empty(), "{ok}");
        }
        for bad in ["-web", "web.", "a b", "x:y", "a/b"] {
            assert!(!label_value(bad).is_empty(), "{bad}");
        }
        assert!(!label_value(&"a".repeat(64)).is_empty());
    }

    #[test]
    fn iana_names() {
        for ok in ["http", "http-metrics", "h2c", "grpc-web-1"] {
            assert!(iana_svc_name(ok).is_empty(), "{ok}");
        }
        for bad in [
            "HTTP",
            "http--x",
            "-http",
            "http-",
            "8080",
            "http_metrics",
            "a-very-long-port-name",
        ] {
            assert!(!iana_svc_name(bad).is_empty(), "{bad}");
        }
    }

    #[test]
    fn suggestions() {
        let protocols = ["TCP", "UDP", "SCTP"];
        assert_eq!(did_you_mean("tcp", &protocols), Some("TCP"));
        assert_eq!(did_you_mean("TPC", &protocols), Some("TCP"));
        assert_eq!(did_you_mean("HTTP", &protocols), None);
        let types = ["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"];
        assert_eq!(did_you_mean("Nodeport", &types), Some("NodePort"));
        assert_eq!(did_you_mean("LoadBalancr", &types), Some("LoadBalancer"));
        assert_eq!(did_you_mean("Ingress", &types), None);
        assert_eq!(one_of(&protocols), "`TCP`, `UDP` or `SCTP`");
    }
}
