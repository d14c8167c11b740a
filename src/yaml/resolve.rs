//! Plain-scalar resolution as Kubernetes decodes YAML.
//!
//! Kubernetes converts YAML to JSON with sigs.k8s.io/yaml, which decodes with go-yaml v2:
//! YAML 1.1 rules for plain scalars. So `on`, `yes`, `y` are booleans, `0644` is octal,
//! `1_000` is an integer and `~` is null, where a YAML 1.2 parser would see strings or
//! other numbers. Quoted scalars are always strings. Timestamps stay strings (go-yaml v2
//! keeps them as text when decoding into `interface{}`).

use super::node::Value;

/// Resolves a plain scalar's text. `tag` is an explicit core tag suffix (`str`, `int`...)
/// when one was written.
pub fn resolve_plain(text: &str, tag: Option<&str>) -> Value {
    match tag {
        Some("str") | Some("binary") => return Value::Str,
        Some("null") | Some("bool") | Some("int") | Some("float") | Some("timestamp") | None => {}
        // Any other tag: go-yaml leaves the value unresolved (a string).
        Some(_) => return Value::Str,
    }
    let Some(first) = text.bytes().next() else {
        return Value::Null;
    };
    match text {
        "~" | "null" | "Null" | "NULL" => return Value::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Value::Bool(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Value::Bool(false)
        }
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Value::Float(f64::INFINITY)
        }
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        _ => {}
    }
    match first {
        b'.' => parse_go_float(text).map_or(Value::Str, Value::Float),
        b'0'..=b'9' | b'+' | b'-' => resolve_number(text),
        _ => Value::Str,
    }
}

fn resolve_number(text: &str) -> Value {
    let owned;
    let plain = if text.contains('_') {
        owned = text.replace('_', "");
        owned.as_str()
    } else {
        text
    };
    if let Some(v) = parse_go_int(plain) {
        return v;
    }
    if is_yaml_style_float(plain) {
        if let Some(f) = parse_go_float(plain) {
            return Value::Float(f);
        }
    }
    Value::Str
}

/// Go's `strconv.ParseInt(s, 0, 64)` then `ParseUint(s, 0, 64)`: optional sign, then
/// `0x`, `0o`, `0b` or a leading `0` (octal) prefix.
fn parse_go_int(s: &str) -> Option<Value> {
    let (neg, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    if body.is_empty() {
        return None;
    }
    let (radix, digits) =
        if let Some(d) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
            (16, d)
        } else if let Some(d) = body.strip_prefix("0o").or_else(|| body.strip_prefix("0O")) {
            (8, d)
        } else if let Some(d) = body.strip_prefix("0b").or_else(|| body.strip_prefix("0B")) {
            (2, d)
        } else if body.len() > 1 && body.starts_with('0') {
            (8, &body[1..])
        } else {
            (10, body)
        };
    if digits.is_empty() || !digits.bytes().all(|b| (b as char).is_digit(radix)) {
        return None;
    }
    let mag = u64::from_str_radix(digits, radix).ok()?;
    if neg {
        if mag <= i64::MAX as u64 + 1 {
            Some(Value::Int((mag as i128).wrapping_neg() as i64))
        } else {
            None
        }
    } else if mag <= i64::MAX as u64 {
        Some(Value::Int(mag as i64))
    } else {
        Some(Value::UInt(mag))
    }
}

/// go-yaml v2's `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_style_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'-' | b'+')) {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// A decimal float as Go's `ParseFloat` reads the forms YAML can reach here.
fn parse_go_float(s: &str) -> Option<f64> {
    if !is_yaml_style_float(s) {
        return None;
    }
    // Rust rejects "1." and ".5"-style forms in some positions; normalise them.
    let mut t = s.to_string();
    if t.ends_with('.') {
        t.push('0');
    }
    t = t.replace(".e", ".0e").replace(".E", ".0E");
    t.parse::<f64>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml11_booleans_and_nulls() {
        for t in [
            "y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE",
        ] {
            assert_eq!(resolve_plain(t, None), Value::Bool(true), "{t}");
        }
        for t in [
            "n", "N", "no", "No", "NO", "off", "Off", "OFF", "false", "FALSE",
        ] {
            assert_eq!(resolve_plain(t, None), Value::Bool(false), "{t}");
        }
        for t in ["yEs", "oN", "tRUE", "Nope"] {
            assert_eq!(resolve_plain(t, None), Value::Str, "{t}");
        }
        for t in ["", "~", "null", "Null", "NULL"] {
            assert_eq!(resolve_plain(t, None), Value::Null, "{t:?}");
        }
        assert_eq!(resolve_plain("on", Some("str")), Value::Str);
    }

    #[test]
    fn numbers_as_go_yaml_v2() {
        assert_eq!(resolve_plain("0644", None), Value::Int(420));
        assert_eq!(resolve_plain("0o17", None), Value::Int(15));
        assert_eq!(resolve_plain("0x1F", None), Value::Int(31));
        assert_eq!(resolve_plain("0b101", None), Value::Int(5));
        assert_eq!(resolve_plain("1_000", None), Value::Int(1000));
        assert_eq!(resolve_plain("-12", None), Value::Int(-12));
        assert_eq!(resolve_plain("+12", None), Value::Int(12));
        assert_eq!(resolve_plain("0", None), Value::Int(0));
        // Not octal, so Go's ParseInt fails and the float form wins.
        assert_eq!(resolve_plain("09", None), Value::Float(9.0));
        assert_eq!(resolve_plain("1.5", None), Value::Float(1.5));
        assert_eq!(resolve_plain("1e3", None), Value::Float(1000.0));
        assert_eq!(resolve_plain(".5", None), Value::Float(0.5));
        assert_eq!(resolve_plain("1.", None), Value::Float(1.0));
        assert_eq!(
            resolve_plain("18446744073709551615", None),
            Value::UInt(u64::MAX)
        );
        assert_eq!(
            resolve_plain("-9223372036854775808", None),
            Value::Int(i64::MIN)
        );
        for t in [
            "1.2.3",
            "2024-01-01",
            "128Mi",
            "100m",
            "-",
            "+",
            "0x",
            "1e",
            "v1",
            "1:2",
        ] {
            assert_eq!(resolve_plain(t, None), Value::Str, "{t}");
        }
        assert!(matches!(resolve_plain(".inf", None), Value::Float(f) if f.is_infinite()));
    }
}
