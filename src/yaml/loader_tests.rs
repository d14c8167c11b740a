use super::*;

fn parse(text: &str) -> (SourceFile, ParsedFile) {
    let file = SourceFile::new(0, "t.yaml".into(), text.into());
    let parsed = parse_file(&file, &Limits::default());
    (file, parsed)
}

/// The source text under `node`'s span.
fn src<'a>(file: &'a SourceFile, node: &Node) -> &'a str {
    &file.text[node.span.range()]
}

fn root(p: &ParsedFile, i: usize) -> &Node {
    &p.documents[i].root
}

#[test]
fn block_collections_span_from_first_to_last_child() {
    let (f, p) = parse("a:\n  b: 1\n  c: [x]\nl:\n- one\n- two\n\nm:\n  - k: v\n    j: w\n");
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    let r = root(&p, 0);
    assert_eq!(src(&f, r), &f.text[..f.text.len() - 1]);
    assert_eq!(src(&f, r.get("a").unwrap()), "b: 1\n  c: [x]");
    // An indentless sequence starts at its first dash.
    assert_eq!(src(&f, r.get("l").unwrap()), "- one\n- two");
    let m = r.get("m").unwrap();
    assert_eq!(src(&f, m), "- k: v\n    j: w");
    assert_eq!(src(&f, &m.items()[0]), "k: v\n    j: w");
    assert_eq!(src(&f, &r.entry("a").unwrap().key), "a");
}

#[test]
fn flow_collections_end_at_their_bracket() {
    let (f, p) = parse("a: {k: [1, 2], q: 'x'}\nb: [ ]\n");
    let r = root(&p, 0);
    assert_eq!(src(&f, r.get("a").unwrap()), "{k: [1, 2], q: 'x'}");
    assert_eq!(src(&f, r.get("a").unwrap().get("k").unwrap()), "[1, 2]");
    assert_eq!(src(&f, r.get("a").unwrap().get("q").unwrap()), "'x'");
    assert_eq!(src(&f, r.get("b").unwrap()), "[ ]");
}

#[test]
fn kyaml_with_trailing_commas() {
    let text = "---\n{\n  apiVersion: \"v1\",\n  kind: \"Pod\",\n  metadata: {\n    name: \"p\",\n  },\n  spec: {\n    containers: [{\n      name: \"c\",\n      ports: [{\n        containerPort: 80,\n      }],\n    }],\n  },\n}\n";
    let (f, p) = parse(text);
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    let r = root(&p, 0);
    assert!(src(&f, r).starts_with('{') && src(&f, r).ends_with('}'));
    assert_eq!(
        src(&f, r.get("metadata").unwrap()),
        "{\n    name: \"p\",\n  }"
    );
    let c = &r.get_path(&["spec", "containers"]).unwrap().items()[0];
    assert!(src(&f, c).ends_with("}],\n    }"), "{:?}", src(&f, c));
    assert_eq!(r.get("kind").unwrap().as_str(), Some("Pod"));
    assert_eq!(src(&f, r.get("kind").unwrap()), "\"Pod\"");
}

#[test]
fn json_input() {
    let (f, p) =
        parse("{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [{\"a\": 1}, null, true]}");
    assert!(p.diagnostics.is_empty());
    let r = root(&p, 0);
    assert_eq!(src(&f, &r.entry("items").unwrap().key), "\"items\"");
    let items = r.get("items").unwrap();
    assert_eq!(src(&f, items), "[{\"a\": 1}, null, true]");
    assert_eq!(items.items()[2].as_bool(), Some(true));
    assert!(items.items()[1].is_null());
}

#[test]
fn block_scalars_span_header_to_last_content_line() {
    let (f, p) = parse(
        "a: |\n  one\n  two\n\nb: >- # c\n  folded\nc: &x !!str |+\n  kept\n\nd:\n- |\n  item\n",
    );
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    let r = root(&p, 0);
    assert_eq!(src(&f, r.get("a").unwrap()), "|\n  one\n  two");
    assert_eq!(r.get("a").unwrap().text(), Some("one\ntwo\n"));
    assert_eq!(src(&f, r.get("b").unwrap()), ">- # c\n  folded");
    assert_eq!(src(&f, r.get("c").unwrap()), "|+\n  kept");
    assert_eq!(src(&f, &r.get("d").unwrap().items()[0]), "|\n  item");
}

#[test]
fn anchors_tags_and_aliases() {
    let (f, p) =
        parse("base: &b\n  x: 1\nk: &k [1]\n&kk key: !!str 5\nuse: *b\nm:\n  <<: *b\n  z: 2\n");
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    let r = root(&p, 0);
    // Properties are not part of the node's span.
    assert_eq!(src(&f, r.get("base").unwrap()), "x: 1");
    assert_eq!(src(&f, r.get("k").unwrap()), "[1]");
    assert_eq!(src(&f, &r.entry("key").unwrap().key), "key");
    let five = r.get("key").unwrap();
    assert_eq!((src(&f, five), five.as_str()), ("5", Some("5")));
    // An alias spans `*name`; what it copies keeps the anchored spans.
    let used = r.get("use").unwrap();
    assert_eq!(src(&f, used), "*b");
    assert_eq!(src(&f, used.get("x").unwrap()), "1");
    assert_eq!(
        used.get("x").unwrap().span,
        r.get("base").unwrap().get("x").unwrap().span
    );
    let m = r.get("m").unwrap();
    assert_eq!(m.get("x").unwrap().as_i64(), Some(1));
    assert_eq!(m.get("z").unwrap().as_i64(), Some(2));
}

#[test]
fn multi_document_streams_directives_and_end_markers() {
    let text = "%YAML 1.1\n---\na: 1\n...\n---\n# only a comment\n---\nb: 2\n...\n";
    let (f, p) = parse(text);
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    assert_eq!(p.documents.len(), 3);
    assert_eq!(src(&f, root(&p, 0)), "a: 1");
    assert!(root(&p, 1).is_null());
    assert_eq!(src(&f, root(&p, 2)), "b: 2");
    assert_eq!(
        p.documents.iter().map(|d| d.index).collect::<Vec<_>>(),
        [0, 1, 2]
    );
}

#[test]
fn empty_inputs() {
    for text in ["", "\n", "# c\n", "---\n", "\u{feff}"] {
        let (_, p) = parse(text);
        assert!(p.diagnostics.is_empty(), "{text:?}: {:?}", p.diagnostics);
        assert!(p.documents.iter().all(|d| d.root.is_null()), "{text:?}");
    }
}

#[test]
fn one_broken_document_keeps_the_others() {
    let (f, p) = parse("a: 1\n---\nb: [\n---\nc: 3\n");
    assert_eq!(p.documents.len(), 2);
    assert_eq!(p.diagnostics.len(), 1);
    assert_eq!(p.diagnostics[0].rule, RULE_SYNTAX);
    assert_eq!(f.position(p.diagnostics[0].span.start as usize).line, 3);
    assert_eq!(p.documents[1].index, 2);
    assert_eq!(root(&p, 1).get("c").unwrap().as_i64(), Some(3));
}

#[test]
fn crlf_bom_and_non_ascii_keep_byte_spans() {
    let text = "\u{feff}a: \"é–ö\"\r\nb:\r\n  - naïve\r\n  - x: ü\r\n";
    let (f, p) = parse(text);
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    let r = root(&p, 0);
    assert_eq!(src(&f, r.get("a").unwrap()), "\"é–ö\"");
    let b = r.get("b").unwrap();
    assert_eq!(src(&f, &b.items()[0]), "naïve");
    assert_eq!(src(&f, b.items()[1].get("x").unwrap()), "ü");
    let pos = f.position(b.items()[1].get("x").unwrap().span.start as usize);
    assert_eq!((pos.line, pos.column), (4, 8));
}

#[test]
fn lone_carriage_returns_keep_byte_spans_in_non_ascii_documents() {
    // The parser ends a line at a lone `\r`, the line index does not: spans after one used to
    // land on the end of the text (found by fuzzing).
    let text = "a: ключ\rb: [1,\r \"ü\"]\rc: 3\nb: 4\n";
    let (f, p) = parse(text);
    let r = root(&p, 0);
    assert_eq!(src(&f, &r.entry("c").unwrap().key), "c");
    assert_eq!(src(&f, r.get("b").unwrap()), "[1,\r \"ü\"]");
    assert_eq!(src(&f, &r.get("b").unwrap().items()[1]), "\"ü\"");
    let dup = p
        .diagnostics
        .iter()
        .find(|d| d.rule == RULE_DUPLICATE_KEY)
        .expect("the repeated key `b` is reported");
    assert_eq!(&f.text[dup.span.range()], "b");
    assert_eq!(dup.span.start as usize, text.rfind("b:").unwrap());
}

#[test]
fn duplicate_keys_are_reported_and_both_kept() {
    let (f, p) = parse("a: 1\nb: 2\na: 3\n");
    assert_eq!(p.diagnostics.len(), 1);
    let d = &p.diagnostics[0];
    assert_eq!(d.rule, RULE_DUPLICATE_KEY);
    assert_eq!(f.position(d.span.start as usize).line, 3);
    assert_eq!(f.position(d.labels[0].span.start as usize).line, 1);
    assert_eq!(root(&p, 0).entries().len(), 3);
}

/// Small mappings are scanned, large ones hashed: both report each repeat against the
/// occurrence before it, `on`/`yes` (the key "true") included.
#[test]
fn duplicate_keys_are_found_alike_in_small_and_large_mappings() {
    for filler in [0, 40] {
        let mut text = String::from("a: 1\non: 2\n");
        for i in 0..filler {
            text.push_str(&format!("k{i}: {i}\n"));
        }
        text.push_str("a: 3\nyes: 4\na: 5\n");
        let (f, p) = parse(&text);
        let line = |s: crate::yaml::Span| f.position(s.start as usize).line;
        let found: Vec<(u32, u32)> = p
            .diagnostics
            .iter()
            .map(|d| (line(d.span), line(d.labels[0].span)))
            .collect();
        let n = filler as u32;
        assert_eq!(
            found,
            [(n + 3, 1), (n + 4, 2), (n + 5, n + 3)],
            "{filler} more keys"
        );
        assert!(p.diagnostics[1]
            .message
            .contains("`yes` and `on` are both the key `true`"));
    }
}

#[test]
fn lenient_flow_and_quoted_indentation_as_go_yaml() {
    // `]` at the key's column and a quoted scalar's last line left of its key: go-yaml
    // accepts both, a strict YAML 1.2 parser does not.
    let text =
        "spec:\n  args: [\n      \"-a\", \"b\",\n  ]\n  ann: '[\n      {\"x\": 1}\n ]'\nl: [\n]\n";
    let (f, p) = parse(text);
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    let spec = root(&p, 0).get("spec").unwrap();
    let args = spec.get("args").unwrap();
    assert_eq!(src(&f, args), "[\n      \"-a\", \"b\",\n  ]");
    assert_eq!(src(&f, &args.items()[1]), "\"b\"");
    let ann = spec.get("ann").unwrap();
    assert_eq!(ann.as_str(), Some("[ {\"x\": 1} ]"));
    assert_eq!(src(&f, ann), "'[\n      {\"x\": 1}\n ]'");
    assert_eq!(src(&f, root(&p, 0).get("l").unwrap()), "[\n]");
}

#[test]
fn kube_prometheus_dash_equals_items() {
    let (_, p) = parse("enum:\n- =\n- '!='\n- =~\n");
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    let items: Vec<_> = p.documents[0]
        .root
        .get("enum")
        .unwrap()
        .items()
        .iter()
        .map(|n| n.as_str())
        .collect();
    assert_eq!(items, [Some("="), Some("!="), Some("=~")]);
}

#[test]
fn alias_bomb_is_refused_quickly() {
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let prev = i - 1;
        text.push_str(&format!("a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"));
    }
    let t = std::time::Instant::now();
    let (_, p) = parse(&text);
    assert!(t.elapsed().as_secs() < 5);
    assert!(
        p.diagnostics.iter().any(|d| d.rule == RULE_LIMITS),
        "{:?}",
        p.diagnostics
    );
}

#[test]
fn deep_nesting_is_refused() {
    let text = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    let (_, p) = parse(&text);
    assert_eq!(p.diagnostics.len(), 1);
    assert_eq!(p.diagnostics[0].rule, RULE_LIMITS);
    let text = format!("a: {}1{}", "[".repeat(150), "]".repeat(150));
    let (_, p) = parse(&text);
    assert!(p.diagnostics.is_empty());
}

#[test]
fn aliases_cannot_build_trees_deeper_than_the_limit() {
    // Each level nests the previous anchor 150 deep: without a height check the tree would
    // be 150 * 20 levels deep and recursive walks would overflow the stack.
    let mut text = format!("a0: &a0 {}x{}\n", "[".repeat(150), "]".repeat(150));
    for i in 1..20 {
        text.push_str(&format!(
            "a{i}: &a{i} {}*a{}{}\n",
            "[".repeat(150),
            i - 1,
            "]".repeat(150)
        ));
    }
    let (_, p) = parse(&text);
    assert!(
        p.diagnostics.iter().any(|d| d.rule == RULE_LIMITS),
        "{:?}",
        p.diagnostics
    );
}

#[test]
fn documents_record_whether_a_key_repeats() {
    // Per document, as the schema stage reads keys: YAML 1.1 booleans are one key, and two
    // keys that are not scalars are both "".
    let (_, p) = parse(
        "a: 1\nb: {c: 2}\n---\na: 1\nb: {c: 2, c: 3}\n---\non: x\n'true': y\n---\n? [1]\n: a\n? [2]\n: b\n---\nbase: &b {k: 1}\nover:\n  <<: *b\n  k: 2\n",
    );
    let flags: Vec<bool> = p.documents.iter().map(|d| d.duplicate_keys).collect();
    assert_eq!(flags, [false, true, true, true, false]);
    // The schema stage's own search agrees on each.
    for d in &p.documents {
        let inst = crate::schema::repeats_a_key(&d.root);
        assert_eq!(inst, d.duplicate_keys, "document {}", d.index);
    }
}

#[test]
fn documents_record_yaml11_boolean_keys() {
    let (_, p) = parse("a: 1\n---\nb: {on: x}\n---\n'yes': 1\ntrue: 2\n---\nl: [{N: 1}]\n");
    let flags: Vec<bool> = p.documents.iter().map(|d| d.yaml11_boolean_keys).collect();
    // A quoted `'yes'` is a string and `true` is the boolean as written: neither surprises.
    assert_eq!(flags, [false, true, false, true]);
}

#[test]
fn documents_record_integers_wider_than_32_bits() {
    let (_, p) = parse("a: 2147483647\nb: -2147483648\nc: 1.5\n---\na: 2147483648\n---\nl: [-2147483649]\n---\nf: 3.0e9\n---\ns: '3000000000'\n");
    let flags: Vec<bool> = p.documents.iter().map(|d| d.wide_integers).collect();
    // The int32 bounds themselves fit; a whole float counts as the integer it decodes to; a
    // quoted number is a string.
    assert_eq!(flags, [false, true, true, true, false]);
}

/// A finished collection takes its children from the shared stack in an allocation of their
/// size, whichever way: drained (small), or taking the stack's own allocation (large).
#[test]
fn collection_children_leave_the_stack_exactly() {
    let mut stack: Vec<u32> = (0..10).collect();
    let t = tail(&mut stack, 7, 0);
    assert_eq!((t.capacity(), t), (3, vec![7, 8, 9]));
    assert_eq!(stack, (0..7).collect::<Vec<_>>());
    let mut stack: Vec<u32> = (0..10_000).collect();
    let t = tail(&mut stack, 5, 0);
    assert_eq!(t.len(), 9_995);
    assert!(
        t.capacity() - t.len() <= t.len() / 8,
        "within an eighth of its size"
    );
    assert_eq!((t[0], t[9_994]), (5, 9_999));
    assert_eq!(stack, vec![0, 1, 2, 3, 4]);
    // A stack reserved for a long document gives its allocation away as it is when at least
    // a quarter of it is used (its room was never touched), not when less is.
    for (used, kept) in [(6_000, true), (4_500, false)] {
        let mut stack: Vec<u32> = Vec::with_capacity(20_000);
        stack.extend(0..used);
        let t = tail(&mut stack, 2, 20_000);
        assert_eq!(t.len(), used as usize - 2);
        assert_eq!(t.capacity() == 20_000, kept, "{used} used");
    }
    // Nested large collections read back whole.
    let text = format!(
        "a: 1\nb:\n  c:\n{}  d: [{}]\n",
        (0..5000)
            .map(|i| format!("  - k{i}: {i}\n"))
            .collect::<String>(),
        (0..5000)
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let (_, p) = parse(&text);
    let b = root(&p, 0).get("b").unwrap();
    assert_eq!(b.get("c").unwrap().items().len(), 5000);
    assert_eq!(
        b.get("c").unwrap().items()[4999].entries()[0]
            .key
            .key_text(),
        Some("k4999")
    );
    assert_eq!(b.get("d").unwrap().items().len(), 5000);
    assert_eq!(root(&p, 0).entries().len(), 2);
}
