//! Validity without compiling: reads a schema document in place and says whether an
//! instance is valid, for the common case of a valid document.
//!
//! Compiling a kind's schema with `jsonschema` costs far more than checking the few
//! documents of that kind a run holds (one Argo CD `ApplicationSet` CRD took 34 ms to
//! compile; its resources take microseconds to check), and most documents are valid. So a
//! document is first checked here, and the compiled validator (which explains failures)
//! is built only when this check fails or cannot decide.
//!
//! Exactness comes first: [`Quick::new`] accepts only schemas made of keywords it reads,
//! each with a well-formed value (so `jsonschema` would compile them too), and
//! [`Quick::is_valid`] answers only where its answer is `jsonschema`'s, using the same
//! type, equality, length and uniqueness tests (`jsonschema`'s instance traits) and the
//! compiled validator itself for regular expressions. Anything else (a float against a
//! bound, `multipleOf`) is `None`: undecided, and the caller compiles.

// foldhash: these maps are looked up per document and per schema node; SipHash showed.
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use std::sync::{Arc, LazyLock};

use jsonschema::json::{Array, Node as _, Object};
use jsonschema::types::{JsonType, JsonTypeSet};
use serde_json::{json, Map, Number, Value};

use super::instance::Inst;
use super::memo::TextMemo;
use super::validator::Compiled;

/// `$ref`s and combinators followed without descending into the instance before the check
/// gives up (a schema whose references loop would otherwise never end).
pub(crate) const MAX_HOPS: u32 = 64;

/// Keywords that only annotate: `jsonschema` does not validate with them.
const ANNOTATIONS: &[&str] = &["default", "example"];

pub(crate) const DRAFT: &str = "https://json-schema.org/draft/2020-12/schema";

/// The quick check for one schema document.
pub(crate) struct Quick {
    /// Each `pattern` of the document, compiled alone (as `jsonschema` compiles it).
    patterns: HashMap<String, Arc<Compiled>>,
    /// How many keywords the document holds: what compiling it would cost.
    pub keywords: usize,
}

impl Quick {
    /// The quick check for `root`, or `None` when `root` uses something it does not read.
    pub fn new(root: &Value) -> Option<Quick> {
        let defs = root.get("$defs").map(|d| d.as_object()).unwrap_or(None);
        let mut scan = Scan {
            defs,
            patterns: HashMap::new(),
            seen: HashSet::new(),
            keywords: 0,
        };
        scan.schema(root, true)?;
        if let Some(defs) = defs {
            for d in defs.values() {
                scan.schema(d, false)?;
            }
        }
        Some(Quick {
            patterns: scan.patterns,
            keywords: scan.keywords,
        })
    }

    /// Whether `inst` is valid under `start`, a schema of `root` (the document
    /// [`Quick::new`] accepted) or `root` itself, or `None` when this check cannot tell.
    pub fn is_valid(&self, root: &Value, start: &Value, inst: Inst<'_>) -> Option<bool> {
        let defs = root.get("$defs").and_then(Value::as_object);
        Check {
            defs,
            patterns: &self.patterns,
        }
        .valid(start, inst, 0)
    }
}

/// Distinct patterns kept compiled per process: enough for every schema of a large run,
/// bounded for a long-lived one (the fuzzer).
const MAX_CACHED_PATTERNS: usize = 8192;

/// `pattern` compiled alone, once per distinct text per process: the schemas of a run
/// share many patterns (each CRD of a project repeats its name and label patterns), and
/// compiling one was a tenth of the quick check's set-up.
fn compile_pattern(p: &str) -> Option<Arc<Compiled>> {
    static COMPILED: LazyLock<TextMemo<Option<Arc<Compiled>>>> =
        LazyLock::new(|| TextMemo::new(MAX_CACHED_PATTERNS));
    COMPILED.get(p, || {
        Compiled::compile(&json!({ "pattern": p }))
            .ok()
            .map(Arc::new)
    })
}

/// The well-formedness walk of [`Quick::new`].
struct Scan<'s> {
    defs: Option<&'s Map<String, Value>>,
    patterns: HashMap<String, Arc<Compiled>>,
    seen: HashSet<*const Value>,
    keywords: usize,
}

impl<'s> Scan<'s> {
    fn schema(&mut self, s: &'s Value, is_root: bool) -> Option<()> {
        let obj = match s {
            Value::Bool(_) => return Some(()),
            Value::Object(o) => o,
            _ => return None,
        };
        if !self.seen.insert(std::ptr::from_ref(s)) {
            return Some(());
        }
        self.keywords += obj.len();
        for (k, v) in obj {
            match k.as_str() {
                "$defs" if is_root => {}
                "properties" => {
                    for p in v.as_object()?.values() {
                        self.schema(p, false)?;
                    }
                }
                "additionalProperties" | "items" | "not" => self.schema(v, false)?,
                "allOf" | "anyOf" | "oneOf" => {
                    let branches = v.as_array()?;
                    if branches.is_empty() {
                        return None;
                    }
                    for b in branches {
                        self.schema(b, false)?;
                    }
                }
                "$ref" => {
                    let name = def_name(v.as_str()?)?;
                    self.defs?.get(name)?;
                }
                "type" => {
                    type_set(v)?;
                }
                "enum" => {
                    v.as_array()?;
                }
                "required" => {
                    let names = v.as_array()?;
                    let mut seen = HashSet::new();
                    for n in names {
                        if !seen.insert(n.as_str()?) {
                            return None;
                        }
                    }
                }
                "pattern" => {
                    let p = v.as_str()?;
                    if !self.patterns.contains_key(p) {
                        let c = compile_pattern(p)?;
                        self.patterns.insert(p.to_string(), c);
                    }
                }
                "minLength" | "maxLength" | "minItems" | "maxItems" | "minProperties"
                | "maxProperties" => {
                    v.as_u64()?;
                }
                "minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum" => {
                    v.as_number()?;
                }
                "multipleOf" => {
                    v.as_f64().filter(|m| *m > 0.0)?;
                }
                "uniqueItems" => {
                    v.as_bool()?;
                }
                "examples" => {
                    v.as_array()?;
                }
                // Only the draft every schema here is written in: another would be fetched.
                "$schema" if is_root && v == DRAFT => {}
                "description" | "title" | "$comment" | "format" => {
                    v.as_str()?;
                }
                _ if ANNOTATIONS.contains(&k.as_str()) || k.starts_with("x-") => {}
                _ => return None,
            }
        }
        Some(())
    }
}

/// `#/$defs/NAME` -> `NAME` (names that would need JSON-pointer unescaping are refused).
pub(crate) fn def_name(r: &str) -> Option<&str> {
    let name = r.strip_prefix("#/$defs/")?;
    (!name.is_empty() && !name.contains(['/', '~', '%'])).then_some(name)
}

fn type_set(v: &Value) -> Option<JsonTypeSet> {
    let one = |t: &Value| -> Option<JsonType> {
        Some(match t.as_str()? {
            "null" => JsonType::Null,
            "boolean" => JsonType::Boolean,
            "integer" => JsonType::Integer,
            "number" => JsonType::Number,
            "string" => JsonType::String,
            "array" => JsonType::Array,
            "object" => JsonType::Object,
            _ => return None,
        })
    };
    match v {
        Value::Array(ts) if !ts.is_empty() => {
            let mut set = JsonTypeSet::empty();
            for t in ts {
                let t = one(t)?;
                if set.contains(t) {
                    return None;
                }
                set = set.insert(t);
            }
            Some(set)
        }
        Value::Array(_) => None,
        t => Some(JsonTypeSet::empty().insert(one(t)?)),
    }
}

struct Check<'s> {
    defs: Option<&'s Map<String, Value>>,
    patterns: &'s HashMap<String, Arc<Compiled>>,
}

/// `Some(false)` ends a conjunction at once; `None` is remembered: a later `Some(false)` still
/// decides.
fn and(acc: &mut Option<bool>, r: Option<bool>) -> bool {
    match r {
        Some(false) => {
            *acc = Some(false);
            true
        }
        None => {
            *acc = None;
            false
        }
        Some(true) => false,
    }
}

impl Check<'_> {
    /// `hops`: schema steps taken since the instance last moved down.
    fn valid(&self, s: &Value, inst: Inst<'_>, hops: u32) -> Option<bool> {
        let obj = match s {
            Value::Bool(b) => return Some(*b),
            Value::Object(o) => o,
            _ => return None,
        };
        let mut acc = Some(true);
        // Cheap tests first: most failures are a type.
        if let Some(t) = obj.get("type") {
            if !type_set(t)?.contains_value_type::<super::instance::YamlJson>(&inst) {
                return Some(false);
            }
        }
        if let Some(Value::Array(options)) = obj.get("enum") {
            if !options.iter().any(|o| inst.equals_value(o)) {
                return Some(false);
            }
        }
        for (k, v) in obj {
            let r = match k.as_str() {
                "properties" => self.members(obj, inst, hops),
                "additionalProperties" if !obj.contains_key("properties") => {
                    self.members(obj, inst, hops)
                }
                "items" => match inst.as_array() {
                    Some(a) => {
                        let mut all = Some(true);
                        for item in a.elements() {
                            if and(&mut all, self.valid(v, item, 0)) {
                                break;
                            }
                        }
                        all
                    }
                    None => Some(true),
                },
                "required" => Some(match inst.as_object() {
                    Some(o) => v
                        .as_array()?
                        .iter()
                        .all(|n| n.as_str().is_some_and(|n| o.find(n).is_some())),
                    None => true,
                }),
                "$ref" => {
                    let target = self.defs?.get(def_name(v.as_str()?)?)?;
                    self.hop(target, inst, hops)
                }
                "allOf" => {
                    let mut all = Some(true);
                    for b in v.as_array()? {
                        if and(&mut all, self.hop(b, inst, hops)) {
                            break;
                        }
                    }
                    all
                }
                "anyOf" => {
                    let mut any = Some(false);
                    for b in v.as_array()? {
                        match self.hop(b, inst, hops) {
                            Some(true) => {
                                any = Some(true);
                                break;
                            }
                            None => any = None,
                            Some(false) => {}
                        }
                    }
                    any
                }
                "oneOf" => {
                    let mut passed = 0;
                    for b in v.as_array()? {
                        if self.hop(b, inst, hops)? {
                            passed += 1;
                        }
                    }
                    Some(passed == 1)
                }
                "not" => self.hop(v, inst, hops).map(|b| !b),
                "pattern" => match inst.as_string() {
                    Some(_) => Some(self.patterns.get(v.as_str()?)?.is_valid(inst)),
                    None => Some(true),
                },
                "minLength" | "maxLength" => match inst.string_length() {
                    Some(n) => Some(within(k, n, v.as_u64()?)),
                    None => Some(true),
                },
                "minItems" | "maxItems" => match inst.as_array() {
                    Some(a) => Some(within(k, a.len() as u64, v.as_u64()?)),
                    None => Some(true),
                },
                "minProperties" | "maxProperties" => match inst.as_object() {
                    Some(o) => Some(within(k, o.len() as u64, v.as_u64()?)),
                    None => Some(true),
                },
                "minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum" => {
                    match inst.as_number() {
                        Some(n) => bound(k, &n, v.as_number()?),
                        None => Some(true),
                    }
                }
                "multipleOf" => inst.as_number().map_or(Some(true), |_| None),
                "uniqueItems" => match (v.as_bool()?, inst.as_array()) {
                    (true, Some(a)) => Some(a.is_unique()),
                    _ => Some(true),
                },
                _ => Some(true),
            };
            if and(&mut acc, r) {
                break;
            }
        }
        acc
    }

    /// A step into `s` at the same instance node.
    fn hop(&self, s: &Value, inst: Inst<'_>, hops: u32) -> Option<bool> {
        if hops >= MAX_HOPS {
            return None;
        }
        self.valid(s, inst, hops + 1)
    }

    /// `properties` and `additionalProperties` of `obj` together: one pass over the
    /// instance's members, each looked up in `properties`.
    fn members(&self, obj: &Map<String, Value>, inst: Inst<'_>, _hops: u32) -> Option<bool> {
        let Some(o) = inst.as_object() else {
            return Some(true);
        };
        let props = match obj.get("properties") {
            Some(p) => Some(p.as_object()?),
            None => None,
        };
        let extra = obj.get("additionalProperties");
        let mut all = Some(true);
        for (k, v) in o.members() {
            let r = match (props.and_then(|p| p.get(k)), extra) {
                (Some(s), _) | (None, Some(s)) => self.valid(s, v, 0),
                (None, None) => continue,
            };
            if and(&mut all, r) {
                break;
            }
        }
        all
    }
}

fn within(keyword: &str, n: u64, limit: u64) -> bool {
    if keyword.starts_with("min") {
        n >= limit
    } else {
        n <= limit
    }
}

/// Bounds decided only between integers, exactly; a float is left to the validator.
fn bound(keyword: &str, n: &Number, limit: &Number) -> Option<bool> {
    let int = |x: &Number| -> Option<i128> {
        x.as_i64()
            .map(i128::from)
            .or_else(|| x.as_u64().map(i128::from))
    };
    let (n, limit) = (int(n)?, int(limit)?);
    Some(match keyword {
        "minimum" => n >= limit,
        "maximum" => n <= limit,
        "exclusiveMinimum" => n > limit,
        _ => n < limit,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::instance::Instance;

    #[test]
    fn a_pattern_is_compiled_once_per_run() {
        let a = compile_pattern("^[a-z]+-shared-test$").expect("compiles");
        let b = compile_pattern("^[a-z]+-shared-test$").expect("compiles");
        assert!(Arc::ptr_eq(&a, &b));
        assert!(compile_pattern("(").is_none());
        assert!(compile_pattern("(").is_none());
    }

    use crate::source::SourceFile;
    use crate::yaml::{parse_file, Limits, ParsedFile};

    fn parsed(text: &str) -> ParsedFile {
        let file = SourceFile::new(0, "t.yaml".into(), text.into());
        parse_file(&file, &Limits::default())
    }

    /// The quick answer for `text` under `schema`, checked against the compiled validator's
    /// wherever the quick check decides.
    fn quick(schema: &Value, text: &str) -> Option<bool> {
        let q = Quick::new(schema).expect("schema the quick check reads");
        let compiled = Compiled::compile(schema).expect("schema compiles");
        let p = parsed(text);
        let inst = Instance::new(&p.documents[0].root, None);
        let answer = q.is_valid(schema, schema, inst.root());
        if let Some(valid) = answer {
            assert_eq!(valid, compiled.is_valid(inst.root()), "{schema} on {text}");
        }
        answer
    }

    #[test]
    fn refuses_schemas_it_does_not_read() {
        for schema in [
            json!({"patternProperties": {"^a": {}}}),
            json!({"const": 1}),
            json!({"prefixItems": [{}]}),
            json!({"items": [{"type": "string"}]}),
            json!({"properties": {"a": {"$defs": {}}}}),
            json!({"$ref": "#/$defs/missing", "$defs": {}}),
            json!({"$ref": "#/$defs/a~1b", "$defs": {"a/b": {}}}),
            json!({"required": ["a", "a"]}),
            json!({"type": "int"}),
            json!({"type": []}),
            json!({"type": ["string", "string"]}),
            json!({"anyOf": []}),
            json!({"minLength": -1}),
            json!({"minLength": 1.5}),
            json!({"multipleOf": 0}),
            json!({"pattern": "("}),
            json!({"description": 5}),
            json!({"if": {}}),
            json!({"$schema": "http://json-schema.org/draft-04/schema#"}),
            json!({"properties": {"a": {"$schema": DRAFT}}}),
            json!(3),
        ] {
            assert!(Quick::new(&schema).is_none(), "{schema}");
        }
        // The bundled schemas and their annotations are read.
        let set = crate::schema::SchemaSet::new(None).unwrap();
        let deployment = set.closure_document("io.k8s.api.apps.v1.Deployment", None);
        assert!(Quick::new(&deployment).is_some());
        assert!(Quick::new(
            &json!({"x-kubernetes-validations": [{"rule": 1}], "default": 5,
            "format": "int32", "examples": [1], "description": "d"})
        )
        .is_some());
    }

    #[test]
    fn agrees_with_the_validator() {
        let obj = json!({
            "type": "object",
            "required": ["name"],
            "additionalProperties": false,
            "properties": {
                "name": {"type": "string", "pattern": "^[a-z]+$", "maxLength": 5},
                "count": {"type": "integer", "minimum": 1, "exclusiveMaximum": 10},
                "ratio": {"type": ["number", "null"]},
                "mode": {"enum": ["On", "Off", 3]},
                "tags": {"type": "array", "items": {"type": "string"}, "uniqueItems": true,
                         "maxItems": 2},
                "labels": {"type": "object", "additionalProperties": {"type": "string"},
                           "maxProperties": 1},
                "port": {"anyOf": [{"type": "integer"}, {"type": "string"}]},
                "one": {"oneOf": [{"type": "integer"}, {"minimum": 0}]},
                "never": {"not": {"type": "string"}},
                "ref": {"$ref": "#/$defs/R"}
            },
            "$defs": {"R": {"type": "object", "properties": {"x": {"type": "boolean"}},
                            "additionalProperties": false}}
        });
        let cases = [
            ("name: abc", true),
            ("{}", false),
            ("name: ABC", false),
            ("name: abcdef", false),
            ("name: a\nextra: 1", false),
            ("name: a\ncount: 1", true),
            ("name: a\ncount: 0", false),
            ("name: a\ncount: 10", false),
            ("name: a\ncount: '5'", false),
            ("name: a\nratio: 0.5", true),
            ("name: a\nratio: ~", true),
            ("name: a\nratio: .nan", true),
            ("name: a\nmode: 'On'", true),
            // YAML 1.1, as Kubernetes decodes it: a boolean.
            ("name: a\nmode: On", false),
            ("name: a\nmode: 3", true),
            ("name: a\nmode: 3.0", true),
            ("name: a\nmode: 'on'", false),
            ("name: a\ntags: [a, b]", true),
            ("name: a\ntags: [a, a]", false),
            ("name: a\ntags: [a, b, c]", false),
            ("name: a\ntags: [1]", false),
            ("name: a\nlabels: {a: b}", true),
            ("name: a\nlabels: {a: b, c: d}", false),
            ("name: a\nlabels: {a: 1}", false),
            ("name: a\nport: 80", true),
            ("name: a\nport: http", true),
            ("name: a\nport: [80]", false),
            ("name: a\none: 5", false),
            ("name: a\none: -5", true),
            ("name: a\nnever: s", false),
            ("name: a\nnever: 1", true),
            ("name: a\nref: {x: true}", true),
            ("name: a\nref: {x: 1}", false),
            ("name: a\nref: {y: 1}", false),
            // The last of duplicate keys wins, as for the validator.
            ("name: ABC\nname: abc", true),
            ("name: abc\nname: ABC", false),
        ];
        for (text, valid) in cases {
            assert_eq!(quick(&obj, text), Some(valid), "{text}");
        }
    }

    #[test]
    fn leaves_what_it_cannot_decide_to_the_validator() {
        // A float against a bound, `multipleOf` on a number, a reference loop.
        let s = json!({"properties": {"f": {"maximum": 1.5}, "m": {"multipleOf": 2}}});
        assert_eq!(quick(&s, "f: 1"), None);
        assert_eq!(quick(&s, "m: 4"), None);
        assert_eq!(quick(&s, "m: x"), Some(true));
        let s = json!({"properties": {"i": {"minimum": 1}}});
        assert_eq!(quick(&s, "i: 1.0"), None);
        assert_eq!(quick(&s, "i: 1"), Some(true));
        let looped = json!({"$ref": "#/$defs/a", "$defs": {"a": {"$ref": "#/$defs/a"}}});
        let q = Quick::new(&looped).unwrap();
        let p = parsed("x: 1");
        let inst = Instance::new(&p.documents[0].root, None);
        assert_eq!(q.is_valid(&looped, &looped, inst.root()), None);
        // A failure is still decided when another keyword could not be.
        let s = json!({"properties": {"f": {"type": "string", "maximum": 1.5}}});
        assert_eq!(quick(&s, "f: 1"), Some(false));
    }
}
