//! Properties of the whole pipeline on mutated manifests: no panic, and every span that
//! reaches a renderer (primary, labels, fix edits) lies inside its file on character
//! boundaries, with line/column agreeing with the byte offset.

use kubevet::diagnostics::render::{render, Format};
use kubevet::{check_text, Options};
use proptest::prelude::*;

const BASE: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web, tier: "front"}
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports:
        - name: http
          containerPort: 80
        readinessProbe:
          httpGet: {path: /, port: http}
        volumeMounts:
        - name: content
          mountPath: /usr/share/nginx/html
        resources:
          requests: {cpu: 100m, memory: 64Mi}
      volumes:
      - name: content
        emptyDir: {}
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
  - port: 80
    targetPort: http
"#;

/// One edit: (position as a fraction of the text, what to do).
#[derive(Clone, Debug)]
enum Edit {
    Delete(usize, usize),
    Insert(usize, String),
    DuplicateLine(usize),
}

fn edit_strategy() -> impl Strategy<Value = Edit> {
    let pieces = prop::sample::select(vec![
        " ", "  ", "\t", "\n", ":", "- ", "{", "}", "[", "]", "'", "\"", "&a ", "*a", "<<: ", "é",
        "—", "#", "---\n", "\r\n", "0644", "on", "~", "!!str ", "?", "|\n", ">-\n", "\u{feff}",
    ]);
    prop_oneof![
        (any::<usize>(), 1usize..6).prop_map(|(p, n)| Edit::Delete(p, n)),
        (any::<usize>(), pieces).prop_map(|(p, s)| Edit::Insert(p, s.to_string())),
        any::<usize>().prop_map(Edit::DuplicateLine),
    ]
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut t = text.to_string();
    for e in edits {
        let snap = |p: usize, t: &str| {
            let mut p = p % (t.len() + 1);
            while !t.is_char_boundary(p) {
                p -= 1;
            }
            p
        };
        match e {
            Edit::Delete(p, n) => {
                let a = snap(*p, &t);
                let b = snap(a + n, &t).max(a);
                t.replace_range(a..b, "");
            }
            Edit::Insert(p, s) => {
                let a = snap(*p, &t);
                t.insert_str(a, s);
            }
            Edit::DuplicateLine(p) => {
                let lines: Vec<&str> = t.split_inclusive('\n').collect();
                if !lines.is_empty() {
                    let i = p % lines.len();
                    let mut out: String = lines[..=i].concat();
                    out.push_str(lines[i]);
                    out.push_str(&lines[i + 1..].concat());
                    t = out;
                }
            }
        }
    }
    t
}

fn check_span(text: &str, start: u32, end: u32, what: &str) {
    let (s, e) = (start as usize, end as usize);
    assert!(
        s <= e && e <= text.len(),
        "{what}: span {s}..{e} outside 0..{}",
        text.len()
    );
    assert!(
        text.is_char_boundary(s) && text.is_char_boundary(e),
        "{what}: span {s}..{e} splits a character"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn spans_stay_inside_the_file(edits in prop::collection::vec(edit_strategy(), 1..6)) {
        let text = apply(BASE, &edits);
        let report = check_text("m.yaml", &text, &Options::default());
        let file = &report.files[0];
        for d in &report.diagnostics {
            check_span(&text, d.span.start, d.span.end, d.rule);
            for l in &d.labels {
                check_span(&report.files[l.file].text, l.span.start, l.span.end, d.rule);
            }
            if let Some(fix) = &d.fix {
                for e in &fix.edits {
                    check_span(&text, e.span.start, e.span.end, d.rule);
                }
            }
            // Line/column agree with an independent count.
            let pos = file.position(d.span.start as usize);
            let before = &text[..d.span.start as usize];
            let line = before.matches('\n').count() + 1;
            let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            prop_assert_eq!((pos.line as usize, pos.column as usize), (line, col));
        }
        for format in [Format::Human, Format::Concise, Format::Json, Format::Sarif, Format::Github] {
            let mut out = Vec::new();
            render(&report, format, false, &mut out).expect("render");
        }
    }
}
