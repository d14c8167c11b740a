//! What a rule is: its metadata and its check, declared together in the rule's own file.

use crate::config::Config;
use crate::diagnostics::{Diagnostic, Severity};
use crate::model::{Object, Workspace};
use crate::yaml::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Category {
    /// The input itself: unreadable files, YAML syntax, documents that are not objects.
    Syntax,
    /// Shape of objects against the Kubernetes schemas.
    Schema,
    Selectors,
    Ports,
    Probes,
    Volumes,
    Workloads,
    Scheduling,
    Resources,
    Images,
    /// Pod Security Standards and hardening.
    Security,

    Services,
    Config,
    Apps,
    Batch,
    Networking,
    Rbac,
    Policy,
    Autoscaling,
    Storage,

    /// Object metadata: names, generateName, namespace, annotations.
    Metadata,

    /// The pod spec the API server validates on every Pod and pod template.
    PodSpec,

    /// API extensions as the API server validates them: CustomResourceDefinitions and
    /// aggregated APIServices.
    ApiExtensions,

    /// Admission webhooks and policies as the API server validates them.
    Admission,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Syntax => "syntax",
            Category::Schema => "schema",
            Category::Selectors => "selectors",
            Category::Ports => "ports",
            Category::Probes => "probes",
            Category::Volumes => "volumes",
            Category::Workloads => "workloads",
            Category::Scheduling => "scheduling",
            Category::Resources => "resources",
            Category::Images => "images",
            Category::Security => "security",

            Category::Services => "services",
            Category::Config => "config",
            Category::Apps => "apps",
            Category::Batch => "batch",
            Category::Networking => "networking",
            Category::Rbac => "rbac",
            Category::Policy => "policy",
            Category::Autoscaling => "autoscaling",
            Category::Storage => "storage",

            Category::Metadata => "metadata",

            Category::PodSpec => "podspec",

            Category::ApiExtensions => "apiextensions",

            Category::Admission => "admission",
        }
    }
}

/// How a rule runs.
#[derive(Clone, Copy)]
pub enum Check {
    /// Reported by a pipeline stage (the YAML loader, the schema validator), not by the
    /// rule engine; the rule exists for its metadata and page.
    Builtin,
    /// Runs once per object.
    Object(fn(&mut Ctx<'_, '_>, &Object<'_>)),
    /// Runs once per run, over the whole workspace (cross-object rules).
    Workspace(fn(&mut Ctx<'_, '_>)),
}

pub struct Rule {
    /// Stable kebab-case id, used in output, config and `rules/<id>.md`.
    pub id: &'static str,
    pub severity: Severity,
    pub category: Category,
    /// One line for `kubevet rules`.
    pub summary: &'static str,
    /// Whether the rule can offer a fix.
    pub fix: bool,
    /// The rule's page (`rules/<id>.md`), for `kubevet explain`.
    pub doc: &'static str,
    pub check: Check,
}

/// What a rule's check sees and reports through.
pub struct Ctx<'w, 'a> {
    pub ws: &'w Workspace<'a>,
    pub config: &'w Config,
    pub rule: &'static Rule,
    pub out: Vec<Diagnostic>,
    /// Shared by the rules that check one object in turn.
    pub memo: &'w ObjectMemo,
}

/// What several rules work out alike about an object, worked out once: an object's rules
/// run in turn on one thread, each with a `Ctx` of its own. Each entry names the object it
/// is about (by address, within the run), so a rule that reads it for another object
/// (a workspace rule) computes afresh.
#[derive(Default)]
pub struct ObjectMemo {
    /// `policy::modes`: the Pod Security modes for the object's namespace, asked by each of
    /// the twenty-odd Pod Security rules.
    pub(crate) pod_security:
        std::cell::RefCell<Option<(usize, Vec<super::security::policy::Mode>)>>,
}

impl<'w, 'a> Ctx<'w, 'a> {
    /// A diagnostic of this rule about `obj`, primary span `span`; finish it with the
    /// builder methods and hand it to [`Ctx::push`].
    pub fn diag(&self, obj: &Object<'_>, span: Span, message: impl Into<String>) -> Diagnostic {
        let mut d = Diagnostic::new(self.rule.id, self.rule.severity, obj.file, span, message)
            .with_document(obj.document);
        d.object = Some(obj.to_ref());
        d
    }

    pub fn push(&mut self, d: Diagnostic) {
        self.out.push(d);
    }

    /// Shorthand for a diagnostic with a message and an optional help.
    pub fn report(
        &mut self,
        obj: &Object<'_>,
        span: Span,
        message: impl Into<String>,
        help: Option<String>,
    ) {
        let mut d = self.diag(obj, span, message);
        d.help = help;
        self.push(d);
    }

    /// The namespace `obj` lives in.
    pub fn namespace_of(&self, obj: &Object<'a>) -> Option<&'w str> {
        self.ws.namespace_of(obj)
    }
}
