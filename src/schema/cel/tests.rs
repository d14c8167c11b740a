use crate::diagnostics::{Diagnostic, Severity};
use crate::schema::SchemaSet;
use crate::source::SourceFile;
use crate::yaml::{parse_file, Limits, Node};

use super::{RULE_CEL_RULE_FAILED as FAILED, RULE_CEL_RULE_NOT_EVALUATED as NOT_EVALUATED};

/// A CRD of kind `W` whose `spec` has the schema `spec` (JSON), then `resource` (the
/// custom resource's `spec` as YAML flow text); the CEL findings with their line.
fn run(spec: &str, resource: &str) -> Vec<(u32, &'static str, String)> {
    run_root(
        &format!(r#"{{"type":"object","properties":{{"spec":{spec}}}}}"#),
        resource,
    )
}

fn run_root(schema: &str, resource: &str) -> Vec<(u32, &'static str, String)> {
    let schema: serde_json::Value = serde_json::from_str(schema).expect("test schema is JSON");
    let text = format!(
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {{name: ws.example.com}}\nspec:\n  group: example.com\n  scope: Namespaced\n  names: {{kind: W, plural: ws}}\n  versions:\n  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema: {schema}\n---\napiVersion: example.com/v1\nkind: W\nmetadata:\n  name: w1\nspec: {resource}\n"
    );
    let file = SourceFile::new(0, "t.yaml".into(), text.clone());
    let parsed = parse_file(&file, &Limits::default());
    let mut set = SchemaSet::new(None).unwrap();
    for d in &parsed.documents {
        if d.root.get("kind").and_then(Node::as_str) == Some("CustomResourceDefinition") {
            let diags = set.add_crd(0, &d.root);
            assert!(diags.is_empty(), "{diags:?}");
        }
    }
    let mut out = Vec::new();
    for d in &parsed.documents[1..] {
        for diag in set.validate(0, &d.root) {
            let Diagnostic {
                rule,
                severity,
                message,
                span,
                ..
            } = diag;
            if rule == FAILED {
                assert_eq!(severity, Severity::Error);
            }
            if rule == FAILED || rule == NOT_EVALUATED {
                let line = file.position(span.start as usize).line;
                out.push((line, rule, message));
            }
        }
    }
    out
}

fn failed(found: &[(u32, &str, String)]) -> Vec<String> {
    found
        .iter()
        .filter(|f| f.1 == FAILED)
        .map(|f| f.2.clone())
        .collect()
}

#[test]
fn integer_number_and_int_or_string_typing() {
    let spec = r#"{"type":"object","properties":{
        "num":{"type":"integer","x-kubernetes-validations":[{"rule":"self > 0","message":"Must be positive non-zero"}]},
        "d":{"type":"number","x-kubernetes-validations":[{"rule":"self > 0.5 && self < 2.5"}]},
        "p":{"x-kubernetes-int-or-string":true,"anyOf":[{"type":"integer"},{"type":"string"}],
             "x-kubernetes-validations":[{"rule":"type(self) == int ? self < 10 : self.endsWith('%')"}]}}}"#;
    assert_eq!(run(spec, "{num: 3, d: 2, p: 5}"), vec![]);
    assert_eq!(run(spec, "{num: 3, d: 1.5, p: '50%'}"), vec![]);
    assert_eq!(
        failed(&run(spec, "{num: -3, d: 3, p: 50}")),
        vec![
            "`spec.d`: failed rule: self > 0.5 && self < 2.5",
            "`spec.num`: Must be positive non-zero",
            "`spec.p`: failed rule: type(self) == int ? self < 10 : self.endsWith('%')",
        ]
    );
    // A value of the wrong type is the schema stage's finding, not the rule's.
    assert_eq!(failed(&run(spec, "{num: many}")), Vec::<String>::new());
}

#[test]
fn schema_errors_the_server_stops_at_leave_every_rule_unevaluated() {
    let spec = r#"{"type":"object","required":["size"],
        "x-kubernetes-validations":[{"rule":"self.size <= 10","message":"size is at most 10"}],
        "properties":{
            "size":{"type":"integer"},
            "mode":{"type":"string","enum":["open","closed"]},
            "label":{"type":"string","maxLength":8},
            "tags":{"type":"array","maxItems":1,"items":{"type":"string"}},
            "note":{"type":"string","pattern":"^[a-z]+$"}}}"#;
    let blocked = vec![(
        16,
        NOT_EVALUATED,
        "the CEL rules of the W definition were not evaluated: the object has schema errors the API server stops at".to_string(),
    )];
    // A missing required field, a wrong type, an unsupported enum value, a string or list
    // over its maximum: one info, and no `no such key` failure on top of the schema's.
    for resource in [
        "{mode: open}",
        "{size: big}",
        "{size: 20, mode: ajar}",
        "{size: 20, label: much-too-long}",
        "{size: 20, tags: [a, b]}",
    ] {
        assert_eq!(run(spec, resource), blocked, "{resource}");
    }
    // A failed pattern does not stop the rules.
    assert_eq!(
        failed(&run(spec, "{size: 20, note: Not-Lower}")),
        vec!["`spec`: size is at most 10"]
    );
    assert_eq!(
        failed(&run(spec, "{size: 20}")),
        vec!["`spec`: size is at most 10"]
    );
}

#[test]
fn absent_fields_defaults_and_runtime_errors() {
    let spec = r#"{"type":"object","properties":{
        "a":{"type":"integer"},
        "b":{"type":"integer","default":5,"x-kubernetes-validations":[{"rule":"self < 4"}]}},
        "x-kubernetes-validations":[
            {"rule":"self.b == 5"},
            {"rule":"!has(self.a) || self.a > 0"},
            {"rule":"self.a > 0","message":"a must be positive"}]}"#;
    // `b` is defaulted to 5 before the rules run, on `spec` and on `b` itself.
    let found = failed(&run(spec, "{}"));
    assert_eq!(
        found,
        vec![
            "`spec`: no such key: a evaluating rule: a must be positive",
            "`spec.b`: failed rule: self < 4",
        ]
    );
    assert_eq!(
        failed(&run(spec, "{a: 1, b: 3}")),
        vec!["`spec`: failed rule: self.b == 5"]
    );
    // No `spec` at all: no rule below it runs (nothing defaults `spec` itself).
    assert_eq!(
        run_root(
            r#"{"type":"object","properties":{"spec":{"type":"object","x-kubernetes-validations":[{"rule":"false"}]}}}"#,
            "null"
        ),
        vec![]
    );
}

#[test]
fn items_and_additional_properties_scope_each_value() {
    let spec = r#"{"type":"object","properties":{
        "list":{"type":"array","items":{"type":"string","x-kubernetes-validations":[{"rule":"self.startsWith('x')"}]}},
        "map":{"type":"object","additionalProperties":{"type":"integer","x-kubernetes-validations":[{"rule":"self % 2 == 0","message":"must be even"}]}}}}"#;
    let found = run(spec, "\n  list: [xa, b, xc, d]\n  map: {one: 1, two: 2}");
    assert_eq!(
        found
            .iter()
            .map(|f| (f.0, f.2.as_str()))
            .collect::<Vec<_>>(),
        vec![
            (20, "`spec.list[1]`: failed rule: self.startsWith('x')"),
            (20, "`spec.list[3]`: failed rule: self.startsWith('x')"),
            (21, "`spec.map[one]`: must be even"),
        ]
    );
}

#[test]
fn message_expression_and_field_path() {
    let spec = r#"{"type":"object","properties":{"min":{"type":"integer"},"max":{"type":"integer"}},
        "x-kubernetes-validations":[
            {"rule":"self.min <= self.max","messageExpression":"'min ' + string(self.min) + ' exceeds max ' + string(self.max)","fieldPath":".max"},
            {"rule":"self.min != 7","message":"not seven","messageExpression":"self.min"},
            {"rule":"self.min != 7","message":"fallback","messageExpression":"'  '"}]}"#;
    let found = run(spec, "\n  min: 7\n  max: 3");
    assert_eq!(
        found
            .iter()
            .map(|f| (f.0, f.2.as_str()))
            .collect::<Vec<_>>(),
        vec![
            (21, "`spec.max`: min 7 exceeds max 3"),
            (19, "`spec`: not seven"),
            (19, "`spec`: fallback"),
        ]
    );
}

#[test]
fn unsupported_functions_are_one_info_per_rule() {
    let spec = r#"{"type":"object","properties":{
        "list":{"type":"array","items":{"type":"string","x-kubernetes-validations":[
            {"rule":"!format.dns1123Label().validate(self).hasValue()"},
            {"rule":"self.size() < 3"}]}}}}"#;
    let found = run(spec, "{list: [a, b, toolong]}");
    let infos: Vec<_> = found.iter().filter(|f| f.1 == NOT_EVALUATED).collect();
    assert_eq!(infos.len(), 1, "{found:?}");
    assert_eq!(infos[0].0, 16, "at the kind");
    assert!(infos[0].2.contains("format.dns1123Label"), "{}", infos[0].2);
    assert_eq!(
        failed(&found),
        vec!["`spec.list[2]`: failed rule: self.size() < 3"]
    );
}

#[test]
fn transition_rules_and_optional_old_self() {
    let spec = r#"{"type":"object","properties":{"a":{"type":"string"}},
        "x-kubernetes-validations":[
            {"rule":"self.a == oldSelf.a","message":"immutable"},
            {"rule":"!oldSelf.hasValue() || self.a == oldSelf.value().a","optionalOldSelf":true},
            {"rule":"oldSelf.hasValue()","optionalOldSelf":true,"message":"create only fails"}]}"#;
    assert_eq!(
        failed(&run(spec, "{a: x}")),
        vec!["`spec`: create only fails"]
    );
}

#[test]
fn escaped_property_names_and_root_metadata() {
    let schema = r#"{"type":"object","properties":{"spec":{"type":"object","properties":{
        "x-y":{"type":"integer"},"namespace":{"type":"string"},"a__b":{"type":"string"}}}},
        "x-kubernetes-validations":[
            {"rule":"self.spec.x__dash__y == 1 && self.spec.__namespace__ == 'ns' && self.spec.a__underscores__b == 'c'"},
            {"rule":"self.metadata.name.startsWith('w')"},
            {"rule":"self.metadata.name == 'other'","message":"wrong name"}]}"#;
    let found = run_root(schema, "{x-y: 1, namespace: ns, a__b: c}");
    assert_eq!(failed(&found), vec!["W: wrong name"], "{found:?}");
}

/// `matches` in both forms, once per item of a list (its compiled pattern is reused), and
/// with a pattern that does not compile (not evaluated, never failed).
#[test]
fn matches_per_item_and_bad_patterns() {
    let spec = r#"{"type":"object","properties":{
        "l":{"type":"array","items":{"type":"string","x-kubernetes-validations":[
            {"rule":"self.matches('^[a-z]+$') && matches(self, '^[a-z]')"}]}},
        "s":{"type":"string","x-kubernetes-validations":[{"rule":"self.matches('([')"}]}}}"#;
    let found = run(spec, "{l: [abc, aBc, xyz, Q], s: text}");
    assert_eq!(
        failed(&found),
        vec![
            "`spec.l[1]`: failed rule: self.matches('^[a-z]+$') && matches(self, '^[a-z]')",
            "`spec.l[3]`: failed rule: self.matches('^[a-z]+$') && matches(self, '^[a-z]')",
        ]
    );
    let not_evaluated: Vec<&str> = found
        .iter()
        .filter(|f| f.1 == NOT_EVALUATED)
        .map(|f| f.2.as_str())
        .collect();
    assert_eq!(not_evaluated.len(), 1, "{found:?}");
    assert!(
        not_evaluated[0].contains("'([' not a valid regex"),
        "{found:?}"
    );
}

#[test]
fn kubernetes_library_functions() {
    let spec = r#"{"type":"object","properties":{
        "l":{"type":"array","items":{"type":"integer"}},
        "s":{"type":"string"},"ip":{"type":"string"},"cidr":{"type":"string"},"q":{"type":"string"}},
        "x-kubernetes-validations":[
            {"rule":"self.l.isSorted() && self.l.sum() == 6 && self.l.min() == 1 && self.l.max() == 3"},
            {"rule":"self.l.indexOf(2) == 1 && self.l.lastIndexOf(9) == -1"},
            {"rule":"self.s.find('[0-9]+') == '12' && self.s.findAll('[a-z]') == ['a', 'b']"},
            {"rule":"self.s.lowerAscii() == 'a12b' && self.s.split('1') == ['a', '2b'] && self.s.indexOf('2') == 2"},
            {"rule":"isIP(self.ip) && !isIP('1.2.3') && !isIP('::ffff:1.2.3.4') && isIP('fd00::1') && isCIDR(self.cidr) && !isCIDR('10.0.0.0/33')"},
            {"rule":"isQuantity(self.q) && !isQuantity('1.5.0')"}]}"#;
    let found = run(
        spec,
        "{l: [1, 2, 3], s: a12b, ip: 10.0.0.1, cidr: 10.0.0.0/8, q: 500m}",
    );
    assert_eq!(found, vec![]);
}

#[test]
fn timestamps_are_not_evaluated() {
    let spec = r#"{"type":"object","properties":{
        "start":{"type":"string","format":"date-time"},"end":{"type":"string","format":"date-time"}},
        "x-kubernetes-validations":[{"rule":"self.start != self.end"},{"rule":"has(self.start) && false","message":"other"}]}"#;
    let found = run(
        spec,
        "{start: '2024-01-01T00:00:00Z', end: '2024-01-01T00:00:00Z'}",
    );
    assert_eq!(
        found.iter().filter(|f| f.1 == NOT_EVALUATED).count(),
        2,
        "{found:?}"
    );
    assert_eq!(failed(&found), Vec::<String>::new());
}

#[test]
fn hostile_rules_never_panic_nor_hang() {
    let deep = format!("{}true{}", "(".repeat(5000), ")".repeat(5000));
    let chain = format!("1{} == 1", "+1".repeat(2000));
    let long_ok = format!("self.size(){} > 0", " + 1".repeat(300));
    let unary = format!("{}true", "!".repeat(3000));
    let nested = "self.all(a, self.all(b, self.all(c, self.all(d, self.all(e, a == b)))))";
    let lits = vec!["0"; 300].join(",");
    let literals =
        format!("[{lits}].map(a, [{lits}].map(b, [{lits}].map(c, a + b + c))).size() > 0");
    let sequential = "self.all(a, a >= 0) && self.exists(b, b == 1) && self.filter(c, c > 1).size() > 0 && self.map(d, d).size() == 200";
    let garbage = [
        "",
        "(",
        ")",
        "self.",
        "self..a",
        "'unterminated",
        "\"\\u12",
        "1 +",
        "[[[",
        "{:}",
        "self.all(x)",
        "has(self)",
        "has(1)",
        "self[",
        "0x",
        "1e999",
        "9223372036854775808",
        "-9223372036854775809",
        "b'\\xff'",
        "r'''",
        "self.map(x, x, x, x)",
        "@#$%^&",
        "\u{0}",
        "ñ",
        "a ? b",
        "self.?a",
        "[?self]",
        "{?1: 2}",
        "cel.bind(x, 1, x)",
        "1 / 0 == 1",
        "self.exists_one(x, x == 1)",
        &deep,
        &chain,
        &unary,
        nested,
        &long_ok,
        &literals,
        sequential,
    ];
    let rules: Vec<String> = garbage
        .iter()
        .map(|r| serde_json::json!({"rule": r}).to_string())
        .collect();
    let spec = format!(
        r#"{{"type":"array","items":{{"type":"integer"}},"x-kubernetes-validations":[{}]}}"#,
        rules.join(",")
    );
    let list: Vec<String> = (0..200).map(|i| i.to_string()).collect();
    let started = std::time::Instant::now();
    // A 2 MB stack, as rayon's worker threads have.
    let found = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || run(&spec, &format!("[{}]", list.join(", "))))
        .unwrap()
        .join()
        .expect("no panic, no stack overflow");
    assert!(started.elapsed().as_secs() < 60);
    // `1 / 0` is a genuine evaluation error; the budget stops the nested comprehensions.
    assert!(
        failed(&found)
            .iter()
            .any(|m| m.contains("division by zero")),
        "{found:?}"
    );
    let costly: Vec<_> = found
        .iter()
        .filter(|f| f.1 == NOT_EVALUATED && f.2.contains("too costly"))
        .map(|f| f.2.as_str())
        .collect();
    assert_eq!(costly.len(), 2, "{costly:?}");
    assert!(
        costly
            .iter()
            .all(|m| m.contains("`[0,0,0") || m.contains("self.all(a, self.all(b")),
        "{costly:?}"
    );
    // Long but cheap rules run, and hold.
    assert!(
        !found
            .iter()
            .any(|f| f.2.contains("self.all(a, a >= 0)") || f.2.contains("self.size() + 1")),
        "{found:?}"
    );
}

#[test]
fn comprehension_depth_counts_nesting_not_occurrences() {
    use super::rule::comprehension_depth as depth;
    assert_eq!(depth("self > 0"), 0);
    assert_eq!(
        depth("self.all(a, a > 0) && self.exists(b, b == 1) && self.map(c, c).size() > 0"),
        1
    );
    assert_eq!(
        depth("self.all(a, self.exists(b, a == b)) && self.all(c, c > 0)"),
        2
    );
    assert_eq!(depth("self.all(a, 'self.all(x, self.all(y, 1))' != a)"), 1);
    assert_eq!(
        depth("has(self.map) && self.filter(x, x.all(y, y.exists_one(z, z)))"),
        3
    );
}

/// Random token soup through the parser and the evaluator: no panic (fuzzing runs the whole
/// check on untrusted CRDs).
#[test]
fn random_rules_never_panic() {
    const TOKENS: &[&str] = &[
        "self",
        "oldSelf",
        ".",
        "a",
        "(",
        ")",
        "[",
        "]",
        "{",
        "}",
        ",",
        ":",
        "?",
        "!",
        "-",
        "+",
        "*",
        "/",
        "%",
        "==",
        "!=",
        "<",
        "<=",
        ">",
        ">=",
        "&&",
        "||",
        "in",
        "has",
        "all",
        "exists",
        "exists_one",
        "map",
        "filter",
        "size",
        "0",
        "1",
        "-1",
        "1.5",
        "1u",
        "'s'",
        "\"t\"",
        "b'x'",
        "null",
        "true",
        "false",
        "int",
        "string",
        "dyn",
        "type",
        "optional",
        ".?",
        "[?",
        "matches",
        "'['",
        "charAt",
        "substring",
        "split",
        "join",
        "indexOf",
        "isSorted",
        "sum",
        "min",
        "max",
        "find",
        "findAll",
        "isIP",
        "isCIDR",
        "isURL",
        "isQuantity",
        "x",
        " ",
        "9223372036854775807",
        "0x7fffffffffffffff",
        "1e308",
        "format",
        "replace",
        "lowerAscii",
        "sortBy",
        "cel.bind",
        "value",
        "hasValue",
        "orValue",
        "uint",
        "double",
        "bytes",
        "timestamp",
        "duration",
    ];
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut rules = Vec::new();
    for _ in 0..3000 {
        let len = 1 + next() % 24;
        let rule: Vec<&str> = (0..len)
            .map(|_| TOKENS[(next() % TOKENS.len() as u64) as usize])
            .collect();
        rules.push(rule.join(""));
    }
    let this = ::cel::objects::Value::List(std::sync::Arc::new(vec![
        ::cel::objects::Value::Int(1),
        ::cel::objects::Value::String(std::sync::Arc::new("a".into())),
    ]));
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            for r in &rules {
                let entry = serde_json::json!({"rule": r, "messageExpression": r});
                let Some(rule) = super::rule::Rule::compile(&entry) else {
                    continue;
                };
                if let Ok(p) = &rule.program {
                    if rule.comprehensions <= 2 {
                        let ctx = super::context(&this, true).unwrap();
                        let _ = p.execute(&ctx);
                    }
                }
            }
        })
        .unwrap()
        .join()
        .expect("no panic");
}

#[test]
fn durations() {
    use super::library::parse_duration as d;
    assert_eq!(d("1h30m"), Some(5_400_000_000_000));
    assert_eq!(d("1.5s"), Some(1_500_000_000));
    assert_eq!(d("-300ms"), Some(-300_000_000));
    assert_eq!(d("0"), Some(0));
    assert_eq!(d(".5us"), Some(500));
    for bad in [
        "",
        "1",
        "s",
        "1x",
        "1.s.",
        "-",
        "99999999999999999999999999999999h",
        "3000000h",
    ] {
        assert_eq!(d(bad), None, "{bad}");
    }
    let spec = r#"{"type":"object","properties":{"t":{"type":"string"},"c":{"type":"string"}},
        "x-kubernetes-validations":[
            {"rule":"!has(self.t) || duration(self.t) <= duration('1h')","message":"at most an hour"},
            {"rule":"duration(self.c).getSeconds() >= 1 && duration(self.c).getMilliseconds() % 1000 == 0"}]}"#;
    assert_eq!(run(spec, "{t: 30m, c: 2s}"), vec![]);
    assert_eq!(
        failed(&run(spec, "{t: 2h, c: 1500ms}")),
        vec![
            "`spec`: at most an hour",
            "`spec`: failed rule: duration(self.c).getSeconds() >= 1 && duration(self.c).getMilliseconds() % 1000 == 0",
        ]
    );
    // An invalid duration is an evaluation error in the API server; kubevet does not claim it.
    let found = run(spec, "{t: soon, c: 1s}");
    assert_eq!(failed(&found), Vec::<String>::new());
    assert_eq!(found.len(), 1, "{found:?}");
}

#[test]
fn undeclared_names_are_not_failures() {
    // `other` is no property: the API server would not have accepted the CRD; kubevet does
    // not turn its own "no such key" into a failure.
    let spec = r#"{"type":"object","properties":{"a":{"type":"string"}},
        "x-kubernetes-validations":[{"rule":"self.other == 1"},{"rule":"self.a == 'x'"}]}"#;
    let found = run(spec, "{}");
    assert_eq!(
        found.iter().map(|f| (f.1, f.2.as_str())).collect::<Vec<_>>(),
        vec![
            (NOT_EVALUATED, "CEL rule `self.other == 1` of the W definition not evaluated: it names `other`, which kubevet does not find in the schema"),
            (FAILED, "`spec`: no such key: a evaluating rule: self.a == 'x'"),
        ]
    );
}
