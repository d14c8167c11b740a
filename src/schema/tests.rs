use super::*;
use crate::source::SourceFile;
use crate::yaml::{parse_file, Limits};

struct Finding {
    rule: &'static str,
    severity: Severity,
    line: usize,
    col: usize,
    message: String,
    help: Option<String>,
    fix: Option<String>,
}

impl std::fmt::Debug for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{} [{}] {} | help: {:?} | fix: {:?}",
            self.line, self.col, self.rule, self.message, self.help, self.fix
        )
    }
}

fn run_with(set: &mut SchemaSet<'static>, text: &str) -> Vec<Finding> {
    let file = SourceFile::new(0, "test.yaml".into(), text.to_string());
    // A set borrows its CRDs; a test's few documents live as long as the test binary.
    let parsed = Box::leak(Box::new(parse_file(&file, &Limits::default())));
    for d in parsed.documents.iter() {
        if d.root.get("kind").and_then(Node::as_str) == Some("CustomResourceDefinition") {
            assert!(set.add_crd(0, &d.root).is_empty());
        }
    }
    let mut out = Vec::new();
    for d in parsed.documents.iter() {
        for diag in set.validate(0, &d.root) {
            let pos = file.position(diag.span.start as usize);
            out.push(Finding {
                rule: diag.rule,
                severity: diag.severity,
                line: pos.line as usize,
                col: pos.column as usize,
                message: diag.message,
                help: diag.help,
                fix: diag.fix.map(|f| {
                    f.edits
                        .iter()
                        .map(|e| e.new_text.clone())
                        .collect::<Vec<_>>()
                        .join(",")
                }),
            });
        }
    }
    out
}

fn run(text: &str) -> Vec<Finding> {
    let mut set = SchemaSet::new(None).unwrap();
    run_with(&mut set, text)
}

fn seed(name: &str) -> String {
    std::fs::read_to_string(format!("/work/shared/seed-examples/{name}")).unwrap_or_default()
}

#[test]
fn two_containers_broken() {
    let text = seed("two-containers-broken.yaml");
    if text.is_empty() {
        return;
    }
    let f = run(&text);
    eprintln!("{f:#?}");
    let image = f
        .iter()
        .find(|f| f.rule == RULE_UNKNOWN_FIELD && f.line == 14)
        .expect("image at line 14");
    assert!(image.message.contains("`image`"));
    let help = image.help.as_deref().unwrap();
    assert!(
        help.contains("Container") && help.contains("indentation"),
        "{help}"
    );
    assert!(f.iter().any(|f| f.rule == RULE_MISSING_REQUIRED_FIELD
        && f.line == 13
        && f.message.contains("mountPath")));
    let volumes = f
        .iter()
        .find(|f| f.rule == RULE_UNKNOWN_FIELD && f.line == 20)
        .expect("volumes at line 20");
    assert!(volumes.help.as_deref().unwrap().contains("PodSpec"));
    assert_eq!(f.len(), 3, "{f:#?}");
}

#[test]
fn hello_node_selector_needs_a_space() {
    let text = seed("hello-node-service.yaml");
    if text.is_empty() {
        return;
    }
    let f = run(&text);
    eprintln!("{f:#?}");
    assert_eq!(f.len(), 1);
    assert_eq!((f[0].rule, f[0].line), (RULE_INVALID_TYPE, 7));
    assert!(f[0].message.contains("must be a map"));
    assert!(f[0].help.as_deref().unwrap().contains("`app: hello-node`"));
}

#[test]
fn valid_seeds_have_no_findings() {
    for name in [
        "springboot-pod.yaml",
        "springboot-replicaset.yaml",
        "springboot-deployment.yaml",
        "node-affinity-pod.yaml",
        "pod-anti-affinity-deployment.yaml",
        "toleration-deployment.yaml",
        "init-containers-and-services.yaml",
        "multi-container-pod.yaml",
    ] {
        let f = run(&seed(name));
        assert!(f.is_empty(), "{name}: {f:#?}");
    }
}

const POD_HEAD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n";

#[test]
fn emptry_dir_did_you_mean() {
    let f = run(&format!(
        "{POD_HEAD}  containers:\n  - name: c\n    image: nginx\n  volumes:\n  - name: v\n    emptryDir: {{}}\n"
    ));
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(
        (f[0].rule, f[0].line, f[0].col),
        (RULE_UNKNOWN_FIELD, 11, 5)
    );
    assert_eq!(f[0].message, "unknown field `emptryDir` in Volume");
    assert_eq!(f[0].help.as_deref(), Some("did you mean `emptyDir`?"));
    assert_eq!(f[0].fix.as_deref(), Some("emptyDir"));
}

#[test]
fn case_mistakes_always_suggest() {
    let f = run(&format!(
        "{POD_HEAD}  containers:\n  - name: c\n    image: nginx\n    ports:\n    - containerport: 80\n"
    ));
    let u = f.iter().find(|f| f.rule == RULE_UNKNOWN_FIELD).unwrap();
    assert_eq!(u.help.as_deref(), Some("did you mean `containerPort`?"));
    // and the required containerPort is missing
    assert!(f.iter().any(|f| f.rule == RULE_MISSING_REQUIRED_FIELD));
}

#[test]
fn yaml11_boolean_in_env_value() {
    let f = run(&format!(
        "{POD_HEAD}  containers:\n  - name: c\n    image: nginx\n    env:\n    - name: DEBUG\n      value: on\n"
    ));
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!((f[0].rule, f[0].line), (RULE_INVALID_TYPE, 11));
    assert!(
        f[0].message.contains("must be a string, not a boolean"),
        "{}",
        f[0].message
    );
    let help = f[0].help.as_deref().unwrap();
    assert!(
        help.contains("YAML 1.1") && help.contains("\"on\""),
        "{help}"
    );
    assert_eq!(f[0].fix.as_deref(), Some("\"on\""));
}

#[test]
fn int_or_string_is_one_finding() {
    let f = run(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  ports:\n  - port: 80\n    targetPort: [1]\n",
    );
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(f[0].message.contains("an integer or a string"));
    let ok = run(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  ports:\n  - port: 80\n    targetPort: http\n  - port: 81\n    targetPort: 8081\n",
    );
    assert!(ok.is_empty(), "{ok:#?}");
}

#[test]
fn removed_and_unknown_kinds() {
    let f = run("apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata:\n  name: i\n");
    assert_eq!(f[0].rule, RULE_REMOVED_API_VERSION);
    assert!(f[0].message.contains("removed in Kubernetes 1.22"));
    assert_eq!(
        f[0].help.as_deref(),
        Some("use `apiVersion: networking.k8s.io/v1`")
    );
    let f = run("apiVersion: batch/v1beta1\nkind: CronJob\nmetadata:\n  name: i\n");
    assert_eq!(f[0].help.as_deref(), Some("use `apiVersion: batch/v1`"));
    let f = run("apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n");
    assert_eq!(f[0].rule, RULE_UNKNOWN_KIND);
    assert_eq!(
        f[0].message,
        "no schema for example.com/v1 Widget; not validated"
    );
    assert_eq!(f[0].severity, Severity::Info);
    // A built-in group-version has a closed set of kinds: the API server rejects others.
    let f = run("apiVersion: apps/v1\nkind: deployment\nmetadata:\n  name: w\n");
    assert_eq!(f[0].severity, Severity::Error);
    assert_eq!(
        f[0].help.as_deref(),
        Some("did you mean `Deployment`? (kinds are case-sensitive)")
    );
    let f = run("apiVersion: v1\nkind: configmap\nmetadata:\n  name: c\n");
    assert_eq!(f[0].severity, Severity::Error);
    assert!(
        f[0].message.contains("no matches for kind"),
        "{}",
        f[0].message
    );
    let f = run("apiVersion: v1\nkind: Deployment\nmetadata:\n  name: d\n");
    assert_eq!(f[0].severity, Severity::Error);
    assert_eq!(
        f[0].help.as_deref(),
        Some("Deployment is served as `apiVersion: apps/v1`")
    );
    let f = run("apiVersion: v1\nkind: Route\nmetadata:\n  name: r\n");
    assert_eq!(f[0].severity, Severity::Info);
}

#[test]
fn deprecated_api_version_warns_on_older_targets() {
    let mut set = SchemaSet::new(Some("1.25")).unwrap();
    let f = run_with(
        &mut set,
        "apiVersion: autoscaling/v2beta2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: h\nspec:\n  scaleTargetRef:\n    kind: Deployment\n    name: d\n  maxReplicas: 3\n",
    );
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].rule, RULE_DEPRECATED_API_VERSION);
    assert!(f[0].message.contains("removed in Kubernetes 1.26"));
    assert!(SchemaSet::new(Some("1.10")).is_err());
    assert_eq!(SchemaSet::new(Some("v1.30.2")).unwrap().version(), "1.30");
}

#[test]
fn deprecated_kinds_without_removal_warn_from_their_release() {
    let endpoints = "apiVersion: v1\nkind: Endpoints\nmetadata:\n  name: db\nsubsets:\n- addresses: [{ip: 10.0.0.5}]\n";
    let f = run_with(&mut SchemaSet::new(Some("1.33")).unwrap(), endpoints);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].rule, RULE_DEPRECATED_API_VERSION);
    assert_eq!(
        f[0].message,
        "v1 Endpoints is deprecated since Kubernetes 1.33"
    );
    assert!(f[0]
        .help
        .as_deref()
        .is_some_and(|h| h.contains("use discovery.k8s.io/v1 EndpointSlice")));
    let f = run_with(&mut SchemaSet::new(Some("1.32")).unwrap(), endpoints);
    assert!(f.is_empty(), "{f:#?}");
}

#[test]
fn suggestions() {
    use super::messages::suggest;
    let c = ["emptyDir", "hostPath", "configMap", "secret", "name"];
    assert_eq!(
        suggest("emptryDir", c.iter().copied()).as_deref(),
        Some("emptyDir")
    );
    assert_eq!(
        suggest("EmptyDir", c.iter().copied()).as_deref(),
        Some("emptyDir")
    );
    assert_eq!(
        suggest("empty_dir", c.iter().copied()).as_deref(),
        Some("emptyDir")
    );
    assert_eq!(suggest("image", c.iter().copied()), None);
    assert_eq!(suggest("nmae", c.iter().copied()).as_deref(), Some("name"));
    assert_eq!(suggest("xyz", c.iter().copied()), None);
}

const CRD: &str = r#"apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [size]
            properties:
              size: {type: integer}
              port: {x-kubernetes-int-or-string: true}
              extra: {type: object, x-kubernetes-preserve-unknown-fields: true}
---
"#;

#[test]
fn crd_valid_and_invalid() {
    let ok = run(&format!(
        "{CRD}apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  size: 3\n  port: http\n  extra:\n    anything: [1, 2]\n"
    ));
    assert!(ok.is_empty(), "{ok:#?}");
    let bad = run(&format!(
        "{CRD}apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  colour: red\n  port: [1]\n"
    ));
    eprintln!("{bad:#?}");
    let rules: Vec<(&str, usize)> = bad.iter().map(|f| (f.rule, f.line)).collect();
    assert_eq!(
        rules,
        [
            (RULE_UNKNOWN_FIELD, 30),
            (RULE_MISSING_REQUIRED_FIELD, 30),
            (RULE_INVALID_TYPE, 31)
        ]
    );
}

#[test]
fn list_items_are_validated() {
    let f = run("apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: c\n  dta:\n    a: b\n");
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!((f[0].rule, f[0].line), (RULE_UNKNOWN_FIELD, 8));
    assert_eq!(f[0].help.as_deref(), Some("did you mean `data`?"));
}

#[test]
fn defaulted_fields_are_not_required_in_older_versions() {
    let text =
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: rb}\n\
                roleRef: {kind: Role, name: r}\n---\n\
                apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: np}\n\
                spec: {policyTypes: [Ingress]}\n---\n\
                apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: rb}\n\
                roleRef: {apiGroup: rbac.authorization.k8s.io}\n";
    for version in ["1.25", "1.30", "1.35"] {
        let mut set = SchemaSet::new(Some(version)).unwrap();
        let found = run_with(&mut set, text);
        let missing: Vec<&str> = found
            .iter()
            .filter(|f| f.rule == RULE_MISSING_REQUIRED_FIELD)
            .map(|f| f.message.as_str())
            .collect();
        // Only the third object, which lacks the fields nothing defaults.
        assert_eq!(
            missing,
            vec![
                "missing required field `kind` in RoleRef",
                "missing required field `name` in RoleRef"
            ],
            "{version}: {found:?}"
        );
    }
}

/// A CRD whose schema dwarfs its resources, so that `warm` checks them against cuts: with
/// a valid resource, a typo, an indentation mistake, a missing required field, a wrong type
/// deep down and a CEL rule that fails on a defaulted field.
const BIG_CRD: &str = r#"apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: gadgets.example.com
spec:
  group: example.com
  names: {kind: Gadget, plural: gadgets}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              required: [name]
              x-kubernetes-validations:
                - rule: "self.limit < 10"
                  message: limit must stay below 10
              properties:
                name: {type: string, description: the gadget's name}
                limit: {type: integer, default: 20}
                source:
                  type: object
                  properties:
                    helm:
                      type: object
                      properties:
                        parameters:
                          type: array
                          items:
                            type: object
                            properties:
                              name: {type: string}
                              value: {type: string}
                    git: {type: object, properties: {url: {type: string}}}
                ports:
                  type: array
                  items:
                    type: object
                    properties:
                      port: {type: integer}
                      name: {type: string}
"#;

fn big_crd() -> String {
    // Padding fields no resource sets: the schema must weigh 8 times its resources.
    let mut text = BIG_CRD.to_string();
    for i in 0..150 {
        text.push_str(&format!(
            "                pad{i}:\n                  type: object\n                  description: a field no resource sets, to make the schema large\n                  properties:\n                    inner{i}: {{type: string, description: nested}}\n"
        ));
    }
    text
}

#[test]
fn crd_resources_are_judged_by_cuts_as_by_the_whole_schema() {
    let resources = [
        // Valid once `limit` is set (its default, 20, fails the rule).
        "spec:\n  name: a\n  limit: 3\n  ports: [{port: 80, name: http}]\n",
        "spec:\n  name: a\n  limit: 3\n  nmae: b\n",
        "spec:\n  name: a\n  limit: 3\n  source:\n    parameters: []\n",
        "spec:\n  limit: 3\n",
        "spec:\n  name: a\n  limit: 3\n  ports: [{port: http}]\n",
        "spec:\n  name: a\n",
    ];
    let crd = big_crd();
    let mut found = Vec::new();
    for cut in [true, false] {
        let mut all = Vec::new();
        for r in resources {
            let text =
                format!("apiVersion: example.com/v1\nkind: Gadget\nmetadata:\n  name: g\n{r}");
            let crd_file = SourceFile::new(1, "crd.yaml".into(), crd.clone());
            let file = SourceFile::new(0, "test.yaml".into(), text);
            let crd_doc = Box::leak(Box::new(parse_file(&crd_file, &Limits::default())));
            let parsed = parse_file(&file, &Limits::default());
            let mut set = SchemaSet::new(None).unwrap();
            assert!(set.add_crd(1, &crd_doc.documents[0].root).is_empty());
            let root = &parsed.documents[0].root;
            if cut {
                set.warm(&[("example.com/v1", "Gadget", root.span.len())]);
            }
            let c = &set.crds[&("example.com/v1".to_string(), "Gadget".to_string())][0];
            assert_eq!(c.per_resource.load(Ordering::Relaxed), cut);
            let mut d: Vec<(&str, String, Option<String>)> = set
                .validate(0, root)
                .into_iter()
                .map(|d| (d.rule, d.message, d.help))
                .collect();
            d.sort();
            all.push(d);
        }
        found.push(all);
    }
    assert_eq!(found[0], found[1]);
    let f = &found[0];
    assert!(f[0].is_empty(), "{:?}", f[0]);
    assert_eq!(
        f[1][0].2.as_deref(),
        Some("did you mean `name`?"),
        "{:?}",
        f[1]
    );
    assert!(
        f[2][0]
            .2
            .as_deref()
            .is_some_and(|h| h.contains("nest it under `helm`")),
        "{:?}",
        f[2]
    );
    // A missing field or a wrong type stops the rules, as on the API server: one note.
    fn rules<'a>(f: &[(&'a str, String, Option<String>)]) -> Vec<&'a str> {
        f.iter().map(|x| x.0).collect()
    }
    assert_eq!(
        rules(&f[3]),
        [RULE_CEL_RULE_NOT_EVALUATED, RULE_MISSING_REQUIRED_FIELD]
    );
    assert_eq!(
        rules(&f[4]),
        [RULE_CEL_RULE_NOT_EVALUATED, RULE_INVALID_TYPE]
    );
    assert_eq!(f[5][0].1, "`spec`: limit must stay below 10", "{:?}", f[5]);
}

/// The built-in kinds of a run read one shared schema document, and judge and explain
/// alike: the same findings as each kind's own document.
#[test]
fn builtin_kinds_share_one_document_and_judge_alike() {
    let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec:\n      containers:\n        - name: c\n          image: nginx\n          imagePullPolicy: Sometimes\n          ports: [{containerPort: http}]\n---\n\
                apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      image: nginx\n      volumeMounts: [{name: v, mountpath: /x}]\n  restartPolicy: 3\n---\n\
                apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: c, image: busybox, args: [1]}]\n";
    let file = SourceFile::new(0, "test.yaml".into(), text.to_string());
    let parsed = parse_file(&file, &Limits::default());
    let keys: Vec<(&str, &str, usize)> = parsed
        .documents
        .iter()
        .map(|d| {
            let s = |k| d.root.get(k).and_then(Node::as_str).unwrap_or_default();
            (s("apiVersion"), s("kind"), d.root.span.len())
        })
        .collect();
    let mut found = Vec::new();
    for shared in [true, false] {
        let set = SchemaSet::new(None).unwrap();
        if shared {
            set.warm(&keys);
            let roots: Vec<Arc<Target>> = keys
                .iter()
                .map(|(av, k, _)| {
                    let def = set.defs.gvks[&(av.to_string(), k.to_string())];
                    set.builtin_target(def).unwrap()
                })
                .collect();
            assert!(roots.iter().all(|t| Arc::ptr_eq(&t.root, &roots[0].root)));
            assert!(roots.iter().all(|t| t.entry.is_some()));
        }
        let mut d: Vec<(usize, &str, String, Option<String>)> = parsed
            .documents
            .iter()
            .flat_map(|doc| set.validate(0, &doc.root))
            .map(|d| (d.span.start as usize, d.rule, d.message, d.help))
            .collect();
        d.sort();
        found.push(d);
    }
    assert_eq!(found[0], found[1]);
    let rules: Vec<&str> = found[0].iter().map(|f| f.1).collect();
    assert_eq!(
        rules,
        [
            RULE_INVALID_TYPE,
            RULE_MISSING_REQUIRED_FIELD,
            RULE_UNKNOWN_FIELD,
            RULE_INVALID_TYPE,
            RULE_INVALID_TYPE
        ],
        "{:#?}",
        found[0]
    );
}
