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

/// A quantity that is not a whole number of bytes, in the form the API server's warning
/// prints it (`fractional byte value "1500m" is invalid, must be an integer`), with its
/// exact value in bytes (`1.5`). The server warns when `MilliValue() % 1000 != 0`, after
/// `ParseQuantity` rounded the value up to nano units; both roundings are done exactly here,
/// on the decimal digits, as a float cannot hold `1.1Gi` to the byte. `None` for whole
/// numbers, negative ones (rejected elsewhere) and text that is not a quantity.
pub fn fractional_bytes(node: &Node) -> Option<(String, String)> {
    let scalar = node.scalar()?;
    let text = match scalar.value() {
        Value::Str => scalar.text.to_string(),
        // The decoder reads a YAML float as the JSON number Go prints for it.
        Value::Float(f) if f.is_finite() => format!("{f}"),
        _ => return None,
    };
    let (nanos, exponent_notation) = exact_nanos(&text)?;
    if nanos.div_ceil(1_000_000) % 1000 == 0 {
        return None;
    }
    // `Quantity.String()`: the largest of milli, micro and nano units that holds the value
    // whole; an exponent stays an exponent, a binary suffix falls back to decimal units.
    let (mantissa, unit) = if nanos % 1_000_000 == 0 {
        (nanos / 1_000_000, ("m", "e-3"))
    } else if nanos % 1000 == 0 {
        (nanos / 1000, ("u", "e-6"))
    } else {
        (nanos, ("n", "e-9"))
    };
    let printed = format!(
        "{mantissa}{}",
        if exponent_notation { unit.1 } else { unit.0 }
    );
    let whole = nanos / 1_000_000_000;
    let fraction = format!("{:09}", nanos % 1_000_000_000);
    Some((
        printed,
        format!("{whole}.{}", fraction.trim_end_matches('0')),
    ))
}

/// A non-negative quantity in nano units, rounded up as `ParseQuantity` rounds it, and
/// whether it was written with an exponent. `None` when it is negative, not a quantity, or
/// too large for 128 bits (a value that large has no fraction worth a warning).
fn exact_nanos(text: &str) -> Option<(u128, bool)> {
    let s = text.trim();
    let s = s.strip_prefix('+').unwrap_or(s);
    let end = s
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(s.len());
    let (number, suffix) = s.split_at(end);
    let (int, frac) = number.split_once('.').unwrap_or((number, ""));
    if (int.is_empty() && frac.is_empty()) || frac.contains('.') {
        return None;
    }
    let frac = frac.trim_end_matches('0');
    let (decimal, binary, exponent) =
        if let Some((_, e)) = DECIMAL_SI.iter().find(|(k, _)| *k == suffix) {
            (*e, 0, false)
        } else if let Some((_, e)) = BINARY_SI.iter().find(|(k, _)| *k == suffix) {
            (0, *e, false)
        } else {
            let rest = suffix
                .strip_prefix(['e', 'E'])
                .filter(|r| is_signed_integer(r))?;
            (rest.parse::<i32>().ok()?, 0, true)
        };
    let mut mantissa: u128 = 0;
    for b in int.bytes().chain(frac.bytes()) {
        mantissa = mantissa
            .checked_mul(10)?
            .checked_add(u128::from(b - b'0'))?;
    }
    let scaled = mantissa.checked_mul(1u128.checked_shl(u32::try_from(binary).ok()?)?)?;
    let places = i32::try_from(frac.len()).ok()?;
    let power = decimal.checked_sub(places)?.checked_add(9)?;
    let nanos = if power >= 0 {
        scaled.checked_mul(10u128.checked_pow(power.unsigned_abs())?)?
    } else {
        match 10u128.checked_pow(power.unsigned_abs()) {
            Some(d) => scaled.div_ceil(d),
            None => u128::from(scaled > 0),
        }
    };
    Some((nanos, exponent))
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
    /// Whether the API server warns when this field is not a whole number of bytes
    /// (`fractional byte value ... is invalid`): memory and ephemeral storage of containers
    /// and of the pod overhead, storage of claims.
    pub fraction_warned: bool,
    /// A LimitRange's `maxLimitRequestRatio`: a ratio of limit to request, not an amount
    /// of the resource (`memory: 2` is twice, not two bytes).
    pub ratio: bool,
}

/// Every quantity-valued field Kubernetes decodes as a `resource.Quantity`, in the kinds
/// kubevet knows: container and pod resources, pod overhead, `emptyDir.sizeLimit`, claim
/// requests (PVCs, StatefulSet claim templates, ephemeral volumes), PV capacity,
/// ResourceQuota `hard`, LimitRange limits and a RuntimeClass's pod overhead.
pub fn quantity_fields<'a>(obj: &super::Object<'a>) -> Vec<QuantityField<'a>> {
    fn list<'a>(
        out: &mut Vec<QuantityField<'a>>,
        map: Option<&'a Node>,
        context: String,
        warned: &[&str],
    ) {
        for e in map.map(Node::entries).unwrap_or_default() {
            if let Some(resource) = e.key.key_text() {
                out.push(QuantityField {
                    resource,
                    key: &e.key,
                    value: &e.value,
                    context: context.clone(),
                    fraction_warned: warned.contains(&resource),
                    ratio: false,
                });
            }
        }
    }
    fn requirements<'a>(
        out: &mut Vec<QuantityField<'a>>,
        res: Option<&'a Node>,
        what: &str,
        warned: &[&str],
    ) {
        list(
            out,
            res.and_then(|r| r.get("requests")),
            format!("the requests of {what}"),
            warned,
        );
        list(
            out,
            res.and_then(|r| r.get("limits")),
            format!("the limits of {what}"),
            warned,
        );
    }
    const CONTAINER: &[&str] = &["memory", "ephemeral-storage"];
    const CLAIM: &[&str] = &["storage"];
    let mut out = Vec::new();
    if let Some(t) = super::PodTemplate::of(obj) {
        for c in t.containers() {
            requirements(&mut out, c.node.get("resources"), &c.describe(), CONTAINER);
        }
        requirements(
            &mut out,
            t.spec.and_then(|s| s.get("resources")),
            "the pod",
            &[],
        );
        list(
            &mut out,
            t.spec.and_then(|s| s.get("overhead")),
            "the pod overhead".into(),
            CONTAINER,
        );
        for v in t.volumes() {
            let vname = v.get("name").and_then(Node::as_str).unwrap_or("?");
            if let Some(e) = v.get("emptyDir").and_then(|d| d.entry("sizeLimit")) {
                out.push(QuantityField {
                    resource: "sizeLimit",
                    key: &e.key,
                    value: &e.value,
                    context: format!("emptyDir volume `{vname}`"),
                    fraction_warned: false,
                    ratio: false,
                });
            }
            let eph = v.get_path(&["ephemeral", "volumeClaimTemplate", "spec", "resources"]);
            requirements(&mut out, eph, &format!("ephemeral volume `{vname}`"), CLAIM);
        }
    }
    let spec = obj.spec();
    match obj.kind {
        "PersistentVolumeClaim" => requirements(
            &mut out,
            spec.and_then(|s| s.get("resources")),
            "the claim",
            CLAIM,
        ),
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
                    CLAIM,
                );
            }
        }
        "PersistentVolume" => list(
            &mut out,
            spec.and_then(|s| s.get("capacity")),
            "the capacity".into(),
            &[],
        ),
        "RuntimeClass" => list(
            &mut out,
            obj.root.get("overhead").and_then(|o| o.get("podFixed")),
            "the RuntimeClass overhead".into(),
            &[],
        ),
        "ResourceQuota" => list(
            &mut out,
            spec.and_then(|s| s.get("hard")),
            "the quota".into(),
            &[],
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
                    let first = out.len();
                    list(&mut out, l.get(k), format!("`{k}` of the limit range"), &[]);
                    for f in &mut out[first..] {
                        f.ratio = k == "maxLimitRequestRatio";
                    }
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

    fn fraction(text: &str) -> Option<(String, String)> {
        let parsed = crate::yaml::parse_file(
            &crate::source::SourceFile::new(0, "t.yaml".into(), format!("v: {text}\n")),
            &crate::yaml::Limits::default(),
        );
        let doc = parsed.documents.first()?;
        fractional_bytes(doc.root.get("v")?)
    }

    /// What apimachinery's `MilliValue() % 1000` and `Quantity.String()` give (values worked
    /// out from `ParseQuantity`'s rounding up to nano units and `CanonicalizeBytes`).
    #[test]
    fn fractional_byte_values_as_the_api_server_prints_them() {
        let f = |t: &str| fraction(t).map(|(printed, bytes)| format!("{printed} {bytes}"));
        assert_eq!(f("1.5").as_deref(), Some("1500m 1.5"));
        assert_eq!(f("'1.5'").as_deref(), Some("1500m 1.5"));
        assert_eq!(f("1.1Gi").as_deref(), Some("1181116006400m 1181116006.4"));
        // A YAML float reaches the decoder as the JSON number `1.5`; a string keeps its
        // exponent.
        assert_eq!(f("15e-1").as_deref(), Some("1500m 1.5"));
        assert_eq!(f("'15e-1'").as_deref(), Some("1500e-3 1.5"));
        assert_eq!(f("100m").as_deref(), Some("100m 0.1"));
        assert_eq!(f("1.0001").as_deref(), Some("1000100u 1.0001"));
        assert_eq!(f("0.0000000001").as_deref(), Some("1n 0.000000001"));
        // Whole numbers of bytes, however written.
        for whole in [
            "1", "1.5Gi", "0.5Ki", "2.000", "1500m1", "1.5k", "128Mi", "1e3", "1.9995", "0",
            "-1.5", "10Ei",
        ] {
            assert_eq!(f(whole), None, "{whole}");
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
