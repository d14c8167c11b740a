//! The CEL environment of CRD validation rules: the standard library, the strings
//! extension, and the Kubernetes libraries kubevet implements (`k8s.io/apiserver/pkg/cel/
//! library`): lists (`isSorted`, `sum`, `min`, `max`, `indexOf`, `lastIndexOf`), regex
//! (`find`, `findAll`), `isURL`, `isIP`, `isCIDR`, `isQuantity`, and `duration()` with its
//! getters. Anything else (`url()`, `ip()`, `quantity()`, `format.*`, `semver`, timestamps)
//! is unknown here: a rule using it is reported as not evaluated, never as failing.

use std::cmp::Ordering;
use std::sync::{Arc, OnceLock};

use ::cel::common::types::{DYN_TYPE, INT_TYPE, LIST_TYPE, STRING_TYPE};
use ::cel::common::value::CowVal;
use ::cel::objects::Value;
use ::cel::{extensions, Env, ExecutionError};

/// The shared environment; `None` if it cannot be built (a cel crate change), in which
/// case every rule is reported as not evaluated.
pub(super) fn env() -> Arc<Env> {
    static ENV: OnceLock<Arc<Env>> = OnceLock::new();
    ENV.get_or_init(|| Arc::new(build().unwrap_or_else(|_| Env::stdlib())))
        .clone()
}

fn build() -> Result<Env, ::cel::DeclarationError> {
    let mut env = Env::stdlib();
    // cel-go and so the API server keep the last of repeated map literal keys.
    env.set_error_on_duplicate_map_keys(false);
    env.add_extension(extensions::strings)?;
    env.add_member_overload("isSorted", "list_is_sorted", LIST_TYPE, vec![], is_sorted)?;
    env.add_member_overload("sum", "list_sum", LIST_TYPE, vec![], sum)?;
    env.add_member_overload("min", "list_min", LIST_TYPE, vec![], min)?;
    env.add_member_overload("max", "list_max", LIST_TYPE, vec![], max)?;
    env.add_member_overload(
        "indexOf",
        "list_index_of",
        LIST_TYPE,
        vec![DYN_TYPE],
        index_of,
    )?;
    env.add_member_overload(
        "lastIndexOf",
        "list_last_index_of",
        LIST_TYPE,
        vec![DYN_TYPE],
        last_index_of,
    )?;
    // The standard `matches`, with compiled patterns kept: the cel crate's compiles its
    // pattern at every call, a rule on the items of a list compiling it once per item.
    env.add_overload(
        "matches",
        "matches",
        vec![STRING_TYPE, STRING_TYPE],
        matches,
    )?;
    env.add_member_overload(
        "matches",
        "string_matches",
        STRING_TYPE,
        vec![STRING_TYPE],
        matches,
    )?;
    env.add_member_overload("find", "string_find", STRING_TYPE, vec![STRING_TYPE], find)?;
    env.add_member_overload(
        "findAll",
        "string_find_all",
        STRING_TYPE,
        vec![STRING_TYPE],
        find_all,
    )?;
    env.add_member_overload(
        "findAll",
        "string_find_all_n",
        STRING_TYPE,
        vec![STRING_TYPE, INT_TYPE],
        find_all_n,
    )?;
    env.add_overload("isURL", "is_url", vec![STRING_TYPE], is_url)?;
    env.add_overload("isIP", "is_ip", vec![STRING_TYPE], is_ip)?;
    env.add_overload("isCIDR", "is_cidr", vec![STRING_TYPE], is_cidr)?;
    env.add_overload("isQuantity", "is_quantity", vec![STRING_TYPE], is_quantity)?;
    // Durations as int nanoseconds: comparisons, arithmetic and the getters behave as CEL's
    // `google.protobuf.Duration` does for what rules do with them (`duration(self.timeout) <=
    // duration('1h')`, `duration(self).getSeconds() >= 1`).
    env.add_overload(
        "duration",
        "string_to_duration",
        vec![STRING_TYPE],
        duration,
    )?;
    env.add_member_overload("getHours", "duration_hours", INT_TYPE, vec![], get_hours)?;
    env.add_member_overload(
        "getMinutes",
        "duration_minutes",
        INT_TYPE,
        vec![],
        get_minutes,
    )?;
    env.add_member_overload(
        "getSeconds",
        "duration_seconds",
        INT_TYPE,
        vec![],
        get_seconds,
    )?;
    env.add_member_overload(
        "getMilliseconds",
        "duration_milliseconds",
        INT_TYPE,
        vec![],
        get_milliseconds,
    )?;
    Ok(env)
}

type Res = Result<Value, ExecutionError>;

/// An overload over plain [`Value`]s (the cel crate passes `Val` trait objects).
macro_rules! over_values {
    ($name:ident, $imp:path) => {
        fn $name<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
            let vals = args
                .iter()
                .map(|a| Value::try_from(a.as_ref()))
                .collect::<Result<Vec<_>, _>>()?;
            let out: Box<dyn ::cel::common::value::Val> = $imp(&vals)?.try_into()?;
            Ok(CowVal::Owned(out))
        }
    };
}

over_values!(is_sorted, is_sorted_v);
over_values!(sum, sum_v);
over_values!(min, min_v);
over_values!(max, max_v);
over_values!(index_of, index_of_v);
over_values!(last_index_of, last_index_of_v);
over_values!(matches, matches_v);
over_values!(find, find_v);
over_values!(find_all, find_all_v);
over_values!(find_all_n, find_all_n_v);
over_values!(is_url, is_url_v);
over_values!(is_ip, is_ip_v);
over_values!(is_cidr, is_cidr_v);
over_values!(is_quantity, is_quantity_v);
over_values!(duration, duration_v);
over_values!(get_hours, get_hours_v);
over_values!(get_minutes, get_minutes_v);
over_values!(get_seconds, get_seconds_v);
over_values!(get_milliseconds, get_milliseconds_v);

fn err(function: &str, message: &str) -> ExecutionError {
    ExecutionError::function_error(function, message)
}

fn list<'a>(args: &'a [Value], function: &str) -> Result<&'a [Value], ExecutionError> {
    match args.first() {
        Some(Value::List(l)) => Ok(l),
        _ => Err(err(function, "expects a list")),
    }
}

fn string<'a>(args: &'a [Value], i: usize, function: &str) -> Result<&'a str, ExecutionError> {
    match args.get(i) {
        Some(Value::String(s)) => Ok(s),
        _ => Err(err(function, "expects a string")),
    }
}

/// CEL ordering of two comparable values of one type (ints, uints, doubles, strings,
/// bools); `None` otherwise.
fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(y)),
        (Value::UInt(x), Value::UInt(y)) => Some(x.cmp(y)),
        (Value::Float(x), Value::Float(y)) => x.partial_cmp(y),
        (Value::String(x), Value::String(y)) => Some(x.cmp(y)),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

fn is_sorted_v(args: &[Value]) -> Res {
    let l = list(args, "isSorted")?;
    for w in l.windows(2) {
        match compare(&w[0], &w[1]) {
            Some(Ordering::Greater) => return Ok(Value::Bool(false)),
            Some(_) => {}
            None => return Err(err("isSorted", "elements are not comparable")),
        }
    }
    Ok(Value::Bool(true))
}

fn sum_v(args: &[Value]) -> Res {
    let l = list(args, "sum")?;
    match l.first() {
        None => Ok(Value::Int(0)),
        Some(Value::Int(_)) => {
            let mut total: i64 = 0;
            for v in l.iter() {
                let Value::Int(i) = v else {
                    return Err(err("sum", "mixed element types"));
                };
                total = total.checked_add(*i).ok_or(ExecutionError::Overflow(
                    "sum",
                    Value::Int(total),
                    Value::Int(*i),
                ))?;
            }
            Ok(Value::Int(total))
        }
        Some(Value::UInt(_)) => {
            let mut total: u64 = 0;
            for v in l.iter() {
                let Value::UInt(i) = v else {
                    return Err(err("sum", "mixed element types"));
                };
                total = total.checked_add(*i).ok_or(ExecutionError::Overflow(
                    "sum",
                    Value::UInt(total),
                    Value::UInt(*i),
                ))?;
            }
            Ok(Value::UInt(total))
        }
        Some(Value::Float(_)) => {
            let mut total = 0.0;
            for v in l.iter() {
                let Value::Float(f) = v else {
                    return Err(err("sum", "mixed element types"));
                };
                total += f;
            }
            Ok(Value::Float(total))
        }
        Some(_) => Err(err("sum", "elements are not numbers")),
    }
}

fn extreme(args: &[Value], function: &str, want: Ordering) -> Res {
    let l = list(args, function)?;
    let mut best = l
        .first()
        .ok_or_else(|| err(function, "called on an empty list"))?;
    for v in l.iter().skip(1) {
        match compare(v, best) {
            Some(o) if o == want => best = v,
            Some(_) => {}
            None => return Err(err(function, "elements are not comparable")),
        }
    }
    Ok(best.clone())
}

fn min_v(args: &[Value]) -> Res {
    extreme(args, "min", Ordering::Less)
}

fn max_v(args: &[Value]) -> Res {
    extreme(args, "max", Ordering::Greater)
}

fn index_of_v(args: &[Value]) -> Res {
    let l = list(args, "indexOf")?;
    let x = args
        .get(1)
        .ok_or_else(|| err("indexOf", "expects an argument"))?;
    Ok(Value::Int(
        l.iter().position(|v| v == x).map_or(-1, |i| i as i64),
    ))
}

fn last_index_of_v(args: &[Value]) -> Res {
    let l = list(args, "lastIndexOf")?;
    let x = args
        .get(1)
        .ok_or_else(|| err("lastIndexOf", "expects an argument"))?;
    Ok(Value::Int(
        l.iter().rposition(|v| v == x).map_or(-1, |i| i as i64),
    ))
}

/// Patterns compiled per thread, at most this many (then the cache starts over): a run's
/// rules hold a few dozen.
const REGEX_CACHE: usize = 256;

/// A rule's pattern, compiled with a size limit (it comes from the CRD) once per thread:
/// rules run on every item of a list, and compiling was most of their cost.
fn regex(pattern: &str, function: &str) -> Result<regex::Regex, ExecutionError> {
    compiled(pattern).map_err(|e| err(function, &e))
}

fn compiled(pattern: &str) -> Result<regex::Regex, String> {
    type Cache = foldhash::HashMap<String, Result<regex::Regex, String>>;
    thread_local! {
        static COMPILED: std::cell::RefCell<Cache> = std::cell::RefCell::default();
    }
    COMPILED.with(|c| {
        let mut c = c.borrow_mut();
        if let Some(hit) = c.get(pattern) {
            return hit.clone();
        }
        if c.len() >= REGEX_CACHE {
            c.clear();
        }
        let built = regex::RegexBuilder::new(pattern)
            .size_limit(1 << 20)
            .build()
            .map_err(|e| e.to_string());
        c.insert(pattern.to_string(), built.clone());
        built
    })
}

/// `matches`, in the cel crate's words when the pattern does not compile.
fn matches_v(args: &[Value]) -> Res {
    let s = string(args, 0, "matches")?;
    let pattern = string(args, 1, "matches")?;
    let re = compiled(pattern)
        .map_err(|e| err("matches", &format!("'{pattern}' not a valid regex:\n{e}")))?;
    Ok(Value::Bool(re.is_match(s)))
}

fn find_v(args: &[Value]) -> Res {
    let s = string(args, 0, "find")?;
    let re = regex(string(args, 1, "find")?, "find")?;
    Ok(Value::String(Arc::new(
        re.find(s)
            .map(|m| m.as_str().to_string())
            .unwrap_or_default(),
    )))
}

fn find_all_v(args: &[Value]) -> Res {
    find_all_impl(args, -1)
}

fn find_all_n_v(args: &[Value]) -> Res {
    match args.get(2) {
        Some(Value::Int(n)) => find_all_impl(args, *n),
        _ => Err(err("findAll", "expects an int limit")),
    }
}

fn find_all_impl(args: &[Value], limit: i64) -> Res {
    let s = string(args, 0, "findAll")?;
    let re = regex(string(args, 1, "findAll")?, "findAll")?;
    if limit == 0 {
        return Ok(Value::List(Arc::new(Vec::new())));
    }
    let take = usize::try_from(limit).unwrap_or(usize::MAX);
    let found: Vec<Value> = re
        .find_iter(s)
        .take(take)
        .map(|m| Value::String(Arc::new(m.as_str().to_string())))
        .collect();
    Ok(Value::List(Arc::new(found)))
}

/// `isURL`: Go's `url.ParseRequestURI` accepts an absolute URL or an absolute path.
fn is_url_v(args: &[Value]) -> Res {
    let s = string(args, 0, "isURL")?;
    let ok = if s.starts_with('/') {
        !s.contains(char::is_whitespace)
    } else {
        match s.split_once(':') {
            Some((scheme, rest)) => {
                scheme
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic())
                    && scheme
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
                    && !rest.is_empty()
                    && !s.contains(char::is_whitespace)
            }
            None => false,
        }
    };
    Ok(Value::Bool(ok))
}

/// `isIP`: an IPv4 or IPv6 address without a zone (`netip.ParseAddr`), not an IPv4-mapped
/// IPv6 address (the Kubernetes library refuses those).
fn is_ip_v(args: &[Value]) -> Res {
    let s = string(args, 0, "isIP")?;
    Ok(Value::Bool(parse_ip(s).is_some()))
}

fn parse_ip(s: &str) -> Option<std::net::IpAddr> {
    match s.parse::<std::net::IpAddr>().ok()? {
        std::net::IpAddr::V6(v6) if v6.to_ipv4_mapped().is_some() => None,
        ip => Some(ip),
    }
}

/// `isCIDR`: an address, `/`, and a prefix length within the address family.
fn is_cidr_v(args: &[Value]) -> Res {
    let s = string(args, 0, "isCIDR")?;
    let ok = s.split_once('/').is_some_and(|(addr, bits)| {
        let max = match parse_ip(addr) {
            Some(std::net::IpAddr::V4(_)) => 32,
            Some(std::net::IpAddr::V6(_)) => 128,
            None => return false,
        };
        !bits.is_empty()
            && bits.len() <= 3
            && bits.chars().all(|c| c.is_ascii_digit())
            && !(bits.len() > 1 && bits.starts_with('0'))
            && bits.parse::<u32>().is_ok_and(|b| b <= max)
    });
    Ok(Value::Bool(ok))
}

fn is_quantity_v(args: &[Value]) -> Res {
    let s = string(args, 0, "isQuantity")?;
    Ok(Value::Bool(crate::model::quantity::parse(s).is_ok()))
}

/// `duration('1h30m')`: Go's `time.ParseDuration`, as int nanoseconds.
fn duration_v(args: &[Value]) -> Res {
    let s = string(args, 0, "duration")?;
    parse_duration(s)
        .map(Value::Int)
        .ok_or_else(|| err("duration", &format!("invalid duration {s:?}")))
}

fn nanos(args: &[Value], function: &str) -> Result<i64, ExecutionError> {
    match args.first() {
        Some(Value::Int(n)) => Ok(*n),
        _ => Err(err(function, "expects a duration")),
    }
}

fn get_hours_v(args: &[Value]) -> Res {
    Ok(Value::Int(nanos(args, "getHours")? / 3_600_000_000_000))
}

fn get_minutes_v(args: &[Value]) -> Res {
    Ok(Value::Int(nanos(args, "getMinutes")? / 60_000_000_000))
}

fn get_seconds_v(args: &[Value]) -> Res {
    Ok(Value::Int(nanos(args, "getSeconds")? / 1_000_000_000))
}

fn get_milliseconds_v(args: &[Value]) -> Res {
    Ok(Value::Int(nanos(args, "getMilliseconds")? / 1_000_000))
}

/// `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+` with units ns, us, µs, ms, s, m, h; `0` alone.
pub(super) fn parse_duration(s: &str) -> Option<i64> {
    let (neg, mut rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if rest == "0" {
        return Some(0);
    }
    if rest.is_empty() {
        return None;
    }
    let mut total: i128 = 0;
    while !rest.is_empty() {
        let int_end = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let (int_part, r) = rest.split_at(int_end);
        let (frac_part, r) = match r.strip_prefix('.') {
            Some(r) => {
                let end = r.find(|c: char| !c.is_ascii_digit()).unwrap_or(r.len());
                r.split_at(end)
            }
            None => ("", r),
        };
        if int_part.is_empty() && frac_part.is_empty() {
            return None;
        }
        let unit_end = r
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(r.len());
        let (unit, r) = r.split_at(unit_end);
        let scale: i128 = match unit {
            "ns" => 1,
            "us" | "\u{b5}s" | "\u{3bc}s" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => return None,
        };
        if int_part.len() > 30 {
            return None;
        }
        let whole: i128 = if int_part.is_empty() {
            0
        } else {
            int_part.parse().ok()?
        };
        let mut frac: i128 = 0;
        let mut div: i128 = 1;
        for d in frac_part.bytes().take(18) {
            frac = frac * 10 + i128::from(d - b'0');
            div *= 10;
        }
        total = total.checked_add(whole.checked_mul(scale)?)?;
        total = total.checked_add(frac * scale / div)?;
        if total > i128::from(i64::MAX) {
            return None;
        }
        rest = r;
    }
    let total = i64::try_from(total).ok()?;
    Some(if neg { -total } else { total })
}
