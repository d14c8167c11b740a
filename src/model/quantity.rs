//! Resource quantities (`128Mi`, `500m`, `1.5`, `2e3`) as apimachinery's
//! `resource.ParseQuantity` reads them.
//!
//! The grammar (`k8s.io/apimachinery/pkg/api/resource/quantity.go`):
//! `<sign>? <digits>[.<digits>] <suffix>`, where the suffix is a binary SI unit
//! (`Ki Mi Gi Ti Pi Ei`), a decimal SI unit (`n u m "" k M G T P E`) or a decimal exponent
//! (`e`/`E` followed by a signed integer). Surrounding whitespace is trimmed by the JSON
//! decoder; anything else (`128MB`, `1K`, `2 Gi`) makes the API server reject the object.

use crate::yaml::{Node, Value};

/// How the unit of a quantity was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// No suffix: a plain number.
    None,
    /// `Ki`, `Mi`, ... (powers of 1024).
    Binary,
    /// `n`, `u`, `m`, `k`, `M`, ... (powers of 1000).
    DecimalSi,
    /// `e3`, `E-2`.
    Exponent,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Quantity {
    /// The value in base units (bytes, cores), approximated as a float.
    pub value: f64,
    /// The suffix exactly as written.
    pub suffix: String,
    pub unit: Unit,
}

/// Why a string is not a quantity, with a suggestion when one is obvious.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuantityError {
    pub reason: String,
    pub suggestion: Option<String>,
}

const DECIMAL_SI: &[(&str, i32)] = &[
    ("n", -9),
    ("u", -6),
    ("m", -3),
    ("", 0),
    ("k", 3),
    ("M", 6),
    ("G", 9),
    ("T", 12),
    ("P", 15),
    ("E", 18),
];

const BINARY_SI: &[(&str, i32)] = &[
    ("Ki", 10),
    ("Mi", 20),
    ("Gi", 30),
    ("Ti", 40),
    ("Pi", 50),
    ("Ei", 60),
];

/// The suffixes Kubernetes accepts, for messages.
pub const VALID_SUFFIXES: &str =
    "binary `Ki Mi Gi Ti Pi Ei`, decimal `n u m k M G T P E` (where `m` is milli), or an exponent such as `e6`";

/// Parses a quantity string.
pub fn parse(text: &str) -> Result<Quantity, QuantityError> {
    let s = text.trim();
    let fail = |reason: String| QuantityError {
        reason,
        suggestion: None,
    };
    if s.is_empty() {
        return Err(fail("it is empty".into()));
    }
    let bytes = s.as_bytes();
    let mut pos = 0;
    let mut negative = false;
    if matches!(bytes[0], b'+' | b'-') {
        negative = bytes[0] == b'-';
        pos = 1;
    }
    let int_start = pos;
    while pos < bytes.len() && bytes[pos].is_ascii_digit() {
        pos += 1;
    }
    let int_part = &s[int_start..pos];
    let mut frac_part = "";
    if pos < bytes.len() && bytes[pos] == b'.' {
        pos += 1;
        let frac_start = pos;
        while pos < bytes.len() && bytes[pos].is_ascii_digit() {
            pos += 1;
        }
        frac_part = &s[frac_start..pos];
    }
    if int_part.is_empty() && frac_part.is_empty() {
        return Err(fail("it does not start with a number".into()));
    }
    let suffix = &s[pos..];
    let number: f64 = format!(
        "{}.{}",
        if int_part.is_empty() { "0" } else { int_part },
        if frac_part.is_empty() { "0" } else { frac_part }
    )
    .parse()
    .unwrap_or(0.0);
    let sign = if negative { -1.0 } else { 1.0 };
    let (multiplier, unit) = if let Some((_, e)) = DECIMAL_SI.iter().find(|(k, _)| *k == suffix) {
        (
            10f64.powi(*e),
            if suffix.is_empty() {
                Unit::None
            } else {
                Unit::DecimalSi
            },
        )
    } else if let Some((_, e)) = BINARY_SI.iter().find(|(k, _)| *k == suffix) {
        (2f64.powi(*e), Unit::Binary)
    } else if let Some(exp) = suffix
        .strip_prefix(['e', 'E'])
        .filter(|rest| is_signed_integer(rest))
        .and_then(|rest| rest.parse::<i32>().ok())
    {
        (10f64.powi(exp.clamp(-400, 400)), Unit::Exponent)
    } else {
        return Err(QuantityError {
            reason: if suffix.starts_with(char::is_whitespace) {
                "there is a space between the number and the unit".into()
            } else {
                format!("`{suffix}` is not a unit Kubernetes knows")
            },
            suggestion: suggest(&s[..pos], suffix.trim_start()),
        });
    };
    Ok(Quantity {
        value: sign * number * multiplier,
        suffix: suffix.to_string(),
        unit,
    })
}

fn is_signed_integer(s: &str) -> bool {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// `128MB` -> `128M` or `128Mi`; `1K` -> `1k` or `1Ki`; `2 Gi` -> `2Gi`.
fn suggest(number: &str, suffix: &str) -> Option<String> {
    if BINARY_SI.iter().any(|(k, _)| *k == suffix) || DECIMAL_SI.iter().any(|(k, _)| *k == suffix) {
        return Some(format!("`{number}{suffix}`"));
    }
    let lower = suffix.to_ascii_lowercase();
    let core = lower
        .strip_suffix("ib")
        .or_else(|| lower.strip_suffix('b'))
        .or_else(|| lower.strip_suffix('i'))
        .unwrap_or(&lower);
    let (decimal, binary) = match core {
        "k" => ("k", "Ki"),
        "m" => ("M", "Mi"),
        "g" => ("G", "Gi"),
        "t" => ("T", "Ti"),
        "p" => ("P", "Pi"),
        "e" => ("E", "Ei"),
        _ => return None,
    };
    Some(format!(
        "`{number}{binary}` (binary) or `{number}{decimal}` (decimal)"
    ))
}

/// Reads a quantity from a YAML node: a string is parsed; a number is always a valid quantity
/// (the decoder accepts JSON numbers). `None` for other types (the schema's finding).
pub fn from_node(node: &Node) -> Option<Result<Quantity, QuantityError>> {
    let scalar = node.scalar()?;
    match scalar.value() {
        Value::Str => Some(parse(&scalar.text)),
        Value::Int(i) => Some(Ok(Quantity {
            value: i as f64,
            suffix: String::new(),
            unit: Unit::None,
        })),
        Value::UInt(u) => Some(Ok(Quantity {
            value: u as f64,
            suffix: String::new(),
            unit: Unit::None,
        })),
        Value::Float(f) => Some(Ok(Quantity {
            value: f,
            suffix: String::new(),
            unit: Unit::None,
        })),
        _ => None,
    }
}

/// Compares two quantities with a relative tolerance, so `0.1` and `100m` are equal.
pub fn greater(a: f64, b: f64) -> bool {
    a > b && (a - b) > b.abs() * 1e-9
}

/// One quantity-valued field of an object: `requests.memory: 128Mi` and where it sits.
pub struct QuantityField<'a> {
    /// The resource name (`memory`, `cpu`, `requests.storage`, `sizeLimit`).
    pub resource: &'a str,
    /// The map key node (for `sizeLimit`, the key of the field).
    pub key: &'a Node,
    pub value: &'a Node,
    /// Where it is, for messages: "the limits of container `web`".
    pub context: String,
}

/// Every quantity-valued field Kubernetes decodes as a `resource.Quantity`, in the kinds
/// kubevet knows: container and pod resources, pod overhead, `emptyDir.sizeLimit`, claim
/// requests (PVCs, StatefulSet claim templates, ephemeral volumes), PV capacity,
/// ResourceQuota `hard` and LimitRange limits.
pub fn quantity_fields<'a>(obj: &super::Object<'a>) -> Vec<QuantityField<'a>> {
    fn list<'a>(out: &mut Vec<QuantityField<'a>>, map: Option<&'a Node>, context: String) {
        for e in map.map(Node::entries).unwrap_or_default() {
            if let Some(resource) = e.key.key_text() {
                out.push(QuantityField {
                    resource,
                    key: &e.key,
                    value: &e.value,
                    context: context.clone(),
                });
            }
        }
    }
    fn requirements<'a>(out: &mut Vec<QuantityField<'a>>, res: Option<&'a Node>, what: &str) {
        list(
            out,
            res.and_then(|r| r.get("requests")),
            format!("the requests of {what}"),
        );
        list(
            out,
            res.and_then(|r| r.get("limits")),
            format!("the limits of {what}"),
        );
    }
    let mut out = Vec::new();
    if let Some(t) = super::PodTemplate::of(obj) {
        for c in t.containers() {
            requirements(&mut out, c.node.get("resources"), &c.describe());
        }
        requirements(&mut out, t.spec.and_then(|s| s.get("resources")), "the pod");
        list(
            &mut out,
            t.spec.and_then(|s| s.get("overhead")),
            "the pod overhead".into(),
        );
        for v in t.volumes() {
            let vname = v.get("name").and_then(Node::as_str).unwrap_or("?");
            if let Some(e) = v.get("emptyDir").and_then(|d| d.entry("sizeLimit")) {
                out.push(QuantityField {
                    resource: "sizeLimit",
                    key: &e.key,
                    value: &e.value,
                    context: format!("emptyDir volume `{vname}`"),
                });
            }
            let eph = v.get_path(&["ephemeral", "volumeClaimTemplate", "spec", "resources"]);
            requirements(&mut out, eph, &format!("ephemeral volume `{vname}`"));
        }
    }
    let spec = obj.spec();
    match obj.kind {
        "PersistentVolumeClaim" => {
            requirements(&mut out, spec.and_then(|s| s.get("resources")), "the claim")
        }
        "StatefulSet" => {
            for t in super::all_items(spec, "volumeClaimTemplates") {
                let name = t
                    .get_path(&["metadata", "name"])
                    .and_then(Node::as_str)
                    .unwrap_or("?");
                requirements(
                    &mut out,
                    t.get_path(&["spec", "resources"]),
                    &format!("volume claim template `{name}`"),
                );
            }
        }
        "PersistentVolume" => list(
            &mut out,
            spec.and_then(|s| s.get("capacity")),
            "the capacity".into(),
        ),
        "ResourceQuota" => list(
            &mut out,
            spec.and_then(|s| s.get("hard")),
            "the quota".into(),
        ),
        "LimitRange" => {
            for l in super::all_items(spec, "limits") {
                for k in [
                    "max",
                    "min",
                    "default",
                    "defaultRequest",
                    "maxLimitRequestRatio",
                ] {
                    list(&mut out, l.get(k), format!("`{k}` of the limit range"));
                }
            }
        }
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> f64 {
        match parse(s) {
            Ok(q) => q.value,
            Err(e) => panic!("{s}: {}", e.reason),
        }
    }

    #[test]
    fn valid_quantities() {
        assert_eq!(ok("128Mi"), 128.0 * 1024.0 * 1024.0);
        assert_eq!(ok("1Gi"), 1073741824.0);
        assert_eq!(ok("500m"), 0.5);
        assert_eq!(ok("1"), 1.0);
        assert_eq!(ok("1.5"), 1.5);
        assert_eq!(ok(".5"), 0.5);
        assert_eq!(ok("5."), 5.0);
        assert_eq!(ok("+2"), 2.0);
        assert_eq!(ok("-2"), -2.0);
        assert_eq!(ok("1k"), 1000.0);
        assert_eq!(ok("1M"), 1e6);
        assert_eq!(ok("1E"), 1e18);
        assert_eq!(ok("1e3"), 1000.0);
        assert_eq!(ok("1E3"), 1000.0);
        assert_eq!(ok("1e+3"), 1000.0);
        assert!((ok("12e-3") - 0.012).abs() < 1e-15);
        assert_eq!(ok(" 1Gi "), 1073741824.0);
        assert!((ok("100n") - 1e-7).abs() < 1e-20);
        assert!((ok("10u") - 1e-5).abs() < 1e-18);
    }

    #[test]
    fn invalid_quantities() {
        for bad in [
            "128MB", "1K", "1Kb", "2 Gi", "1gi", "1mi", "Gi", "", "1e", "1.2.3", "1Gi1", "one",
            "1i", "10%",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} should be invalid");
        }
    }

    #[test]
    fn suggestions() {
        let s = |x: &str| parse(x).err().and_then(|e| e.suggestion);
        assert_eq!(
            s("128MB").as_deref(),
            Some("`128Mi` (binary) or `128M` (decimal)")
        );
        assert_eq!(s("1K").as_deref(), Some("`1Ki` (binary) or `1k` (decimal)"));
        assert_eq!(
            s("1gi").as_deref(),
            Some("`1Gi` (binary) or `1G` (decimal)")
        );
        assert_eq!(s("2 Gi").as_deref(), Some("`2Gi`"));
        assert_eq!(s("10%"), None);
    }

    #[test]
    fn comparison_tolerates_rounding() {
        assert!(!greater(ok("0.1"), ok("100m")));
        assert!(!greater(ok("100m"), ok("0.1")));
        assert!(greater(ok("200m"), ok("0.1")));
        assert!(!greater(ok("1Gi"), ok("1073741824")));
    }
}
