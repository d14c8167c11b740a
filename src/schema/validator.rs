//! Every call into the `jsonschema` crate lives here: it changes its API often, so the rest
//! of kubevet sees only [`Compiled`] and [`RawError`].

use serde_json::Value;

use super::instance::{Inst, YamlJson};

/// One step of an instance path.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Seg {
    Key(String),
    Index(usize),
}

/// A validator error reduced to what kubevet's messages need.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum RawKind {
    /// `additionalProperties: false` rejected these keys.
    Unknown(Vec<String>),
    Required(String),
    Type,
    Enum(Vec<Value>),
    /// Anything else, with the validator's own text.
    Other {
        keyword: String,
        message: String,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct RawError {
    pub path: Vec<Seg>,
    pub kind: RawKind,
}

/// A compiled schema; `Send + Sync`, shared across rayon workers. It validates the YAML
/// tree in place ([`super::instance`]).
pub(crate) struct Compiled {
    inner: jsonschema::Validator<YamlJson>,
}

impl Compiled {
    /// Compiles a self-contained Draft 2020-12 schema (all `$ref`s point into its own
    /// `$defs`). No retrieval: a reference outside the document is an error.
    pub fn compile(schema: &Value) -> Result<Compiled, String> {
        jsonschema::options_for::<YamlJson>()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(false)
            .build(schema)
            .map(|inner| Compiled { inner })
            .map_err(|e| e.to_string())
    }

    pub fn is_valid(&self, instance: Inst<'_>) -> bool {
        self.inner.is_valid(instance)
    }

    pub fn errors(&self, instance: Inst<'_>) -> Vec<RawError> {
        use jsonschema::error::ValidationErrorKind as K;
        use jsonschema::paths::LocationSegment;
        let mut out = Vec::new();
        for err in self.inner.iter_errors(instance) {
            let mut path: Vec<Seg> = err
                .instance_path()
                .iter()
                .map(|s| match s {
                    LocationSegment::Property(p) => Seg::Key(p.into_owned()),
                    LocationSegment::Index(i) => Seg::Index(i),
                })
                .collect();
            let kind = match err.kind() {
                // `additionalProperties: false` with no `properties` beside it reports only
                // its first key, as a "false schema" at the object: every key is unknown.
                K::FalseSchema
                    if err
                        .schema_path()
                        .as_str()
                        .ends_with("/additionalProperties") =>
                {
                    let keys = instance.at(&path).map(Inst::keys).unwrap_or_default();
                    RawKind::Unknown(keys)
                }
                // A `false` property schema: the key itself is not allowed.
                K::FalseSchema if matches!(path.last(), Some(Seg::Key(_))) => {
                    let Some(Seg::Key(k)) = path.pop() else {
                        continue;
                    };
                    RawKind::Unknown(vec![k])
                }
                K::FalseSchema => RawKind::Other {
                    keyword: "false".into(),
                    message: "no value is allowed here".into(),
                },
                K::AdditionalProperties { unexpected } => RawKind::Unknown(unexpected.clone()),
                K::Required { property } => RawKind::Required(match property {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                }),
                K::Type { .. } => RawKind::Type,
                K::Enum { options } => RawKind::Enum(match &**options {
                    Value::Array(a) => a.clone(),
                    other => vec![other.clone()],
                }),
                other => RawKind::Other {
                    keyword: other.keyword().to_string(),
                    message: plain_message(other).unwrap_or_else(|| err.to_string()),
                },
            };
            out.push(RawError { path, kind });
        }
        out
    }
}

/// What a failed constraint requires, in words (the validator's own text quotes the whole
/// value and, for `anyOf`, nothing useful).
fn plain_message(kind: &jsonschema::error::ValidationErrorKind) -> Option<String> {
    use jsonschema::error::ValidationErrorKind as K;
    Some(match kind {
        K::Pattern { pattern } => format!("must match the pattern `{pattern}`"),
        K::Minimum { limit } => format!("must be at least {limit}"),
        K::Maximum { limit } => format!("must be at most {limit}"),
        K::ExclusiveMinimum { limit } => format!("must be greater than {limit}"),
        K::ExclusiveMaximum { limit } => format!("must be less than {limit}"),
        K::MinLength { limit } => format!("must be at least {limit} characters long"),
        K::MaxLength { limit } => format!("must be at most {limit} characters long"),
        K::MinItems { limit } => format!("must have at least {limit} items"),
        K::MaxItems { limit } => format!("must have at most {limit} items"),
        K::MinProperties { limit } => format!("must have at least {limit} entries"),
        K::MaxProperties { limit } => format!("must have at most {limit} entries"),
        K::MultipleOf { multiple_of } => format!("must be a multiple of {multiple_of}"),
        K::UniqueItems => "must not hold the same item twice".into(),
        K::AnyOf { .. } | K::OneOfNotValid { .. } => {
            "matches none of the forms the schema allows".into()
        }
        K::OneOfMultipleValid { .. } => "matches more than one of the forms the schema allows \
             (exactly one is required)"
            .into(),
        K::Not { .. } => "is a form the schema does not allow here".into(),
        K::Constant { expected_value } => format!("must be `{expected_value}`"),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;
    use crate::yaml::{parse_file, Limits};
    use serde_json::json;

    /// The errors for a YAML (or JSON) instance.
    fn errors(c: &Compiled, text: &str) -> Vec<RawError> {
        let file = SourceFile::new(0, "t.yaml".into(), text.into());
        let parsed = parse_file(&file, &Limits::default());
        let root = &parsed.documents[0].root;
        let inst = super::super::instance::Instance::new(root, None);
        c.errors(inst.root())
    }

    #[test]
    fn reports_paths_and_kinds() {
        let schema = json!({
            "$defs": {"C": {"type": "object", "properties": {"name": {"type": "string"}},
                             "required": ["name"], "additionalProperties": false}},
            "type": "object",
            "properties": {"items": {"type": "array", "items": {"$ref": "#/$defs/C"}}},
        });
        let c = Compiled::compile(&schema).unwrap();
        let errs = errors(&c, r#"{"items": [{"name": 1, "x": 2}, {}]}"#);
        assert!(errs.contains(&RawError {
            path: vec![Seg::Key("items".into()), Seg::Index(0)],
            kind: RawKind::Unknown(vec!["x".into()]),
        }));
        assert!(errs.contains(&RawError {
            path: vec![
                Seg::Key("items".into()),
                Seg::Index(0),
                Seg::Key("name".into())
            ],
            kind: RawKind::Type,
        }));
        assert!(errs.contains(&RawError {
            path: vec![Seg::Key("items".into()), Seg::Index(1)],
            kind: RawKind::Required("name".into()),
        }));
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Compiled>();
    }

    #[test]
    fn false_schemas_become_unknown_fields() {
        // `additionalProperties: false` alone reports every key, not just the first.
        let schema = json!({"type": "object", "properties": {
            "empty": {"type": "object", "additionalProperties": false},
            "never": false
        }});
        let c = Compiled::compile(&schema).unwrap();
        let errs = errors(&c, r#"{"empty": {"a": 1, "b": 2}, "never": 3}"#);
        assert!(errs.contains(&RawError {
            path: vec![Seg::Key("empty".into())],
            kind: RawKind::Unknown(vec!["a".into(), "b".into()]),
        }));
        assert!(errs.contains(&RawError {
            path: vec![],
            kind: RawKind::Unknown(vec!["never".into()]),
        }));
        assert!(!errs.iter().any(|e| matches!(&e.kind,
            RawKind::Other { message, .. } if message.contains("False schema"))));
    }
}
