//! Property tests and a seeded fuzz-style test over the YAML front end: whatever the input,
//! parsing never panics, every span (nodes, mapping keys, diagnostics and their labels) lies
//! inside the file on UTF-8 character boundaries, and the line/column the line index gives
//! for an offset agrees with an independent recount.

use kubevet::source::SourceFile;
use kubevet::yaml::{parse_file, Limits, Node, NodeKind, ParsedFile, Span};
use proptest::prelude::*;

fn check_span(file: &SourceFile, span: Span, what: &str) {
    let text = &file.text;
    let (s, e) = (span.start as usize, span.end as usize);
    assert!(
        s <= e && e <= text.len(),
        "{what} span {s}..{e} outside 0..{}",
        text.len()
    );
    assert!(
        text.is_char_boundary(s) && text.is_char_boundary(e),
        "{what} span {s}..{e} not on char boundaries in {text:?}"
    );
    for off in [s, e] {
        let pos = file.position(off);
        // Independent recount: lines are separated by '\n', columns count characters.
        let before = &text[..off];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        assert_eq!(
            (pos.line as usize, pos.column as usize, pos.offset as usize),
            (line, column, off),
            "{what} position of offset {off} in {text:?}"
        );
    }
}

fn check_node(file: &SourceFile, node: &Node) {
    // Iterative walk: trees can be as deep as the depth limit.
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        check_span(file, n.span, "node");
        match &n.kind {
            NodeKind::Scalar(_) => {}
            NodeKind::Seq(items) => stack.extend(items),
            NodeKind::Map(entries) => {
                for e in entries {
                    stack.push(&e.key);
                    stack.push(&e.value);
                }
            }
        }
    }
}

fn check_all(text: &str) -> ParsedFile {
    let file = SourceFile::new(0, "p.yaml".into(), text.to_string());
    let parsed = parse_file(&file, &Limits::default());
    for d in &parsed.diagnostics {
        check_span(&file, d.span, d.rule);
        for l in &d.labels {
            check_span(&file, l.span, "label");
        }
    }
    for doc in &parsed.documents {
        check_node(&file, &doc.root);
        // The consumers' recursive walks must cope with whatever the loader builds.
        let _ = doc.root.to_json();
    }
    parsed
}

/// Fragments that YAML-ish text is built from, chosen to reach many parser states.
const PIECES: &[&str] = &[
    "a: 1",
    "key: value",
    "- item",
    "- ",
    "  ",
    "    ",
    "\n",
    "\r\n",
    "\t",
    ": ",
    ":",
    "-",
    "? ",
    "[",
    "]",
    "{",
    "}",
    ", ",
    "'",
    "\"",
    "\\\"",
    "''",
    "#",
    " # c",
    "&a ",
    "*a",
    "!!str ",
    "!t ",
    "|",
    "|-",
    ">",
    ">+2",
    "---",
    "...",
    "%YAML 1.1",
    "<<: *a",
    "é",
    "ö–",
    "日本",
    "\u{feff}",
    "\u{0}",
    "\u{7}",
    "\u{85}",
    "\u{2028}",
    "yes",
    "0644",
    "~",
    "null",
    "=",
    "- =",
    "{a: [1, {b: c}],}",
    "\"x\\u00e9\"",
    "'it''s'",
    "kind: Pod\n",
    "apiVersion: v1\n",
    "metadata:\n  name: x\n",
];

fn yamlish() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..40).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]

    #[test]
    fn arbitrary_strings(text in any::<String>()) {
        check_all(&text);
    }

    #[test]
    fn yamlish_text(text in yamlish()) {
        check_all(&text);
    }

    #[test]
    fn yamlish_text_with_byte_mutations(
        text in yamlish(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<char>()), 0..6),
    ) {
        let mut chars: Vec<char> = text.chars().collect();
        for (at, c) in edits {
            if chars.is_empty() {
                chars.push(c);
            } else {
                let i = at.index(chars.len());
                chars[i] = c;
            }
        }
        check_all(&chars.into_iter().collect::<String>());
    }
}

/// Seeds for the fuzz-style test: realistic manifests plus tricky constructs.
const SEEDS: &[&str] = &[
    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  labels: {app: web}\nspec:\n  containers:\n  - name: c\n    image: nginx:1.27\n    ports:\n    - containerPort: 80\n    command: [\"sh\", \"-c\", 'echo \"hi\"']\n    env:\n    - name: A\n      value: |\n        multi\n        line\n  volumes:\n  - name: v\n    emptyDir: {}\n",
    "---\n{\n  apiVersion: \"apps/v1\",\n  kind: \"Deployment\",\n  spec: {\n    selector: {matchLabels: {app: \"x\"}},\n    template: {metadata: {labels: {app: \"x\"}}},\n  },\n}\n",
    "{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [{\"kind\": \"Service\", \"spec\": {\"ports\": [{\"port\": 80}]}}]}",
    "base: &b\n  x: 1\nuse:\n  <<: *b\n  y: 2\nlist: &l [a, b]\nagain: *l\n%YAML 1.1\n---\n? complex key\n: v\n...\n---\nmode: 0644\nflag: on\n",
    "spec:\n  args: [\n      \"-a\",\n  ]\n  ann: '[\n    {}\n ]'\nenum:\n- =\n- =~\ntext: >-\n  folded é\n  ö\r\nnon: \"日本\"\n",
];

/// A tiny deterministic generator (xorshift64*), so failures reproduce from the seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutate(rng: &mut Rng, seed: &str) -> String {
    let mut bytes = seed.as_bytes().to_vec();
    for _ in 0..1 + rng.below(8) {
        let at = rng.below(bytes.len() + 1);
        match rng.below(6) {
            // Delete a run.
            0 if !bytes.is_empty() => {
                let at = at.min(bytes.len() - 1);
                let len = 1 + rng.below(8).min(bytes.len() - at - 1);
                bytes.drain(at..at + len);
            }
            // Insert a fragment.
            1 | 2 => {
                let piece = PIECES[rng.below(PIECES.len())].as_bytes();
                bytes.splice(at..at, piece.iter().copied());
            }
            // Overwrite with a random byte (may break UTF-8: repaired lossily below).
            3 if at < bytes.len() => bytes[at] = rng.next() as u8,
            // Duplicate a slice of the text elsewhere.
            4 if !bytes.is_empty() => {
                let from = rng.below(bytes.len());
                let len = rng.below(40).min(bytes.len() - from);
                let copy: Vec<u8> = bytes[from..from + len].to_vec();
                bytes.splice(at..at, copy);
            }
            // Shift the indentation of a line.
            _ => {
                let line_start = bytes[..at]
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |i| i + 1);
                if rng.below(2) == 0 {
                    bytes.splice(line_start..line_start, *b"  ");
                } else if bytes.get(line_start) == Some(&b' ') {
                    bytes.remove(line_start);
                }
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

#[test]
fn fuzz_style_mutations_never_panic() {
    let iterations: usize = std::env::var("KUBEVET_FUZZ_ITERATIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(3000);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for i in 0..iterations {
        let seed = SEEDS[i % SEEDS.len()];
        let text = mutate(&mut rng, seed);
        let result = std::panic::catch_unwind(|| {
            check_all(&text);
        });
        assert!(result.is_ok(), "iteration {i} panicked on input {text:?}");
    }
}

#[test]
fn pathological_inputs_are_refused_not_fatal() {
    // Deep nesting, both styles; an alias bomb; NUL and control characters.
    let deep_flow = "[".repeat(100_000);
    let deep_block: String = (0..3000)
        .map(|i| format!("{}k:\n", " ".repeat(i)))
        .collect();
    let deep_seq: String = (0..3000)
        .map(|i| format!("{}- \n", " ".repeat(i * 2)))
        .collect();
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let items = vec![format!("*a{}", i - 1); 10].join(", ");
        bomb.push_str(&format!("a{i}: &a{i} [{items}]\n"));
    }
    for text in [
        deep_flow.as_str(),
        &deep_block,
        &deep_seq,
        &bomb,
        "a: \u{0}\n",
        "\u{0}",
        "a: b\u{1}c\n",
        "k: \"\u{7f}\u{85}\"\n",
    ] {
        let t = std::time::Instant::now();
        check_all(text);
        assert!(
            t.elapsed().as_secs() < 10,
            "too slow on {:?}",
            &text[..text.len().min(40)]
        );
    }
}

#[test]
fn deep_trees_are_safe_on_a_small_stack() {
    // Rayon workers and test threads have 2 MiB stacks, less than the main thread: a tree at
    // the depth limit must still drop, convert to JSON and find paths there (on half that,
    // in a debug build).
    let handle = std::thread::Builder::new()
        .stack_size(1024 * 1024)
        .spawn(|| {
            let depth = Limits::default().max_depth;
            let flow = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
            let block: String = (0..depth - 1)
                .map(|i| format!("{}k:\n", " ".repeat(i)))
                .collect();
            for text in [flow, block] {
                let parsed = check_all(&text);
                assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
                let root = &parsed.documents[0].root;
                let mut leaf = root;
                while let Some(next) = leaf
                    .items()
                    .first()
                    .or(leaf.entries().first().map(|e| &e.value))
                {
                    leaf = next;
                }
                assert!(root.path_to(leaf.span).is_some());
            }
        })
        .expect("spawn");
    assert!(handle.join().is_ok());
}

#[test]
fn large_input_is_linear() {
    // About 4 MB of realistic documents: parsed without trouble (the 64 MiB cap is the
    // source stage's job, so this stays small enough for debug test runs).
    let doc = SEEDS[0];
    let text: String = std::iter::repeat_n(format!("---\n{doc}"), 4_000_000 / doc.len()).collect();
    let t = std::time::Instant::now();
    let file = SourceFile::new(0, "big.yaml".into(), text);
    let parsed = parse_file(&file, &Limits::default());
    assert!(parsed.diagnostics.is_empty());
    assert_eq!(parsed.documents.len(), 4_000_000 / doc.len());
    assert!(t.elapsed().as_secs() < 60);
}
