//! Every call into the `jsonschema` crate lives here: it changes its API often, so the rest
//! of kubevet sees only [`Compiled`] and [`RawError`].

use serde_json::Value;

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

/// A compiled schema; `Send + Sync`, shared across rayon workers.
pub(crate) struct Compiled {
    inner: jsonschema::Validator,
}

impl Compiled {
    /// Compiles a self-contained Draft 2020-12 schema (all `$ref`s point into its own
    /// `$defs`). No retrieval: a reference outside the document is an error.
    pub fn compile(schema: &Value) -> Result<Compiled, String> {
        jsonschema::draft202012::options()
            .should_validate_formats(false)
            .build(schema)
            .map(|inner| Compiled { inner })
            .map_err(|e| e.to_string())
    }

    pub fn is_valid(&self, instance: &Value) -> bool {
        self.inner.is_valid(instance)
    }

    pub fn errors(&self, instance: &Value) -> Vec<RawError> {
        use jsonschema::error::ValidationErrorKind as K;
        use jsonschema::paths::LocationSegment;
        let mut out = Vec::new();
        for err in self.inner.iter_errors(instance) {
            let path = err
                .instance_path()
                .iter()
                .map(|s| match s {
                    LocationSegment::Property(p) => Seg::Key(p.into_owned()),
                    LocationSegment::Index(i) => Seg::Index(i),
                })
                .collect();
            let kind = match err.kind() {
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
                    message: err.to_string(),
                },
            };
            out.push(RawError { path, kind });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reports_paths_and_kinds() {
        let schema = json!({
            "$defs": {"C": {"type": "object", "properties": {"name": {"type": "string"}},
                             "required": ["name"], "additionalProperties": false}},
            "type": "object",
            "properties": {"items": {"type": "array", "items": {"$ref": "#/$defs/C"}}},
        });
        let c = Compiled::compile(&schema).unwrap();
        let errs = c.errors(&json!({"items": [{"name": 1, "x": 2}, {}]}));
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
}
