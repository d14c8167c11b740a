//! `rbac-role-not-found`: a RoleBinding or ClusterRoleBinding whose `roleRef` misses the
//! role the run defines: the other kind, another namespace, or a near spelling.
//!
//! The RBAC authorizer looks the role up by kind and name (a Role in the binding's own
//! namespace), and a binding whose role does not exist grants nothing, silently.

use crate::diagnostics::Severity;
use crate::model::names::typo_of;
use crate::model::Object;
use crate::rules::{Category, Check, Ctx, Rule};

pub static RULE: Rule = Rule {
    id: "rbac-role-not-found",
    severity: Severity::Warning,
    category: Category::Rbac,
    summary: "A role binding's roleRef names a role the run does not define as written, but defines of the other kind (Role for ClusterRole), in another namespace, or one typo away: the binding grants nothing",
    fix: false,
    doc: include_str!("../../../rules/rbac-role-not-found.md"),
    check: Check::Object(check),
};

const GROUP: &str = "rbac.authorization.k8s.io";

/// The default ClusterRoles every cluster has that bindings name by hand; the `system:`
/// ones are many and version-dependent, and are never judged.
const BUILTIN_CLUSTER_ROLES: &[&str] = &["cluster-admin", "admin", "edit", "view"];

/// A finding at `span`, with its label and help.
fn say(
    ctx: &mut Ctx<'_, '_>,
    obj: &Object<'_>,
    span: crate::yaml::Span,
    message: String,
    label: impl Into<String>,
    help: impl Into<String>,
) {
    let d = ctx
        .diag(obj, span, message)
        .with_primary_label(label)
        .with_help(help);
    ctx.push(d);
}

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    if obj.group() != GROUP || !matches!(obj.kind, "RoleBinding" | "ClusterRoleBinding") {
        return;
    }
    let ws = ctx.ws;
    // kustomize rewrites names and namespaces of what it builds.
    if ws.is_open(obj.file) {
        return;
    }
    let Some(role_ref) = obj.root.get("roleRef") else {
        return;
    };
    let (Some(kind_node), Some(name_node)) = (role_ref.get("kind"), role_ref.get("name")) else {
        return;
    };
    let (Some(kind), Some(name)) = (kind_node.as_str(), name_node.as_str()) else {
        return;
    };
    // What the binding's directory holds: a repository's other directories are other apps.
    let near = |o: &&Object<'_>| o.group() == GROUP && ws.same_dir(o.file, obj.file);
    let cluster_roles = |n: &str| ws.find_all("ClusterRole", None, n).any(|o| near(&o));
    match kind {
        "Role" if obj.kind == "RoleBinding" => {
            let Some(ns) = ws.namespace_of(obj) else { return };
            let roles: Vec<&Object<'_>> = ws
                .of_kind_in("Role", ns)
                .filter(|o| o.group() == GROUP)
                .collect();
            // Any Role of that name in the namespace, wherever the run has it, is the one.
            if roles.iter().any(|r| r.name == Some(name)) {
                return;
            }
            if cluster_roles(name) {
                say(ctx, obj, kind_node.span, format!("{} refers to Role `{name}`, which the run does not define in namespace `{ns}`; it defines a ClusterRole `{name}`", obj.display_name()), "no such Role", "a RoleBinding may grant a ClusterRole's rules within its namespace: write `kind: ClusterRole` in `roleRef`");
                return;
            }
            // Only when both namespaces are written: a file without one takes the namespace
            // `kubectl apply -n` gives it.
            if let Some(ns) = obj.namespace {
                let elsewhere: Vec<&str> = ws
                    .named("Role", name)
                    .filter(near)
                    .filter_map(|o| o.namespace)
                    .filter(|other| *other != ns)
                    .collect();
                if let Some(other) = elsewhere.first() {
                    say(ctx, obj, name_node.span, format!("{} refers to Role `{name}`, which is in namespace `{other}`, not `{ns}`: a RoleBinding can only use a Role of its own namespace", obj.display_name()), format!("no Role `{name}` in `{ns}`"), format!("put the RoleBinding in namespace `{other}` (the subjects may be in any namespace), or the Role in `{ns}`"));
                    return;
                }
            }
            let names: Vec<&str> = roles
                .iter()
                .filter(|r| ws.same_dir(r.file, obj.file))
                .filter_map(|r| r.name)
                .collect();
            if let Some(near) = typo_of(name, &names) {
                say(ctx, obj, name_node.span, format!("{} refers to Role `{name}`, which is not in namespace `{ns}` in this run", obj.display_name()), "no such Role", format!("did you mean `{near}`?"));
            }
        }
        "ClusterRole" => {
            if cluster_roles(name)
                || BUILTIN_CLUSTER_ROLES.contains(&name)
                || name.starts_with("system:")
            {
                return;
            }
            if obj.kind == "RoleBinding" {
                if let Some(ns) = ws.namespace_of(obj) {
                    if ws.named_in("Role", ns, name).iter().any(near) {
                        say(ctx, obj, kind_node.span, format!("{} refers to ClusterRole `{name}`, which the run does not define; it defines a Role `{name}` in namespace `{ns}`", obj.display_name()), "no such ClusterRole", "write `kind: Role` in `roleRef` to use the namespace's Role");
                        return;
                    }
                }
            }
            // Defined in another directory of the run: not a typo.
            if ws.find("ClusterRole", None, name).is_some_and(|o| o.group() == GROUP) {
                return;
            }
            let mut names: Vec<&str> = ws
                .of_kind_in_dir("ClusterRole", obj.file)
                .filter(near)
                .filter_map(|o| o.name)
                .collect();
            names.extend(BUILTIN_CLUSTER_ROLES);
            if let Some(near) = typo_of(name, &names) {
                say(ctx, obj, name_node.span, format!("{} refers to ClusterRole `{name}`, which is neither in this run nor a default ClusterRole", obj.display_name()), "no such ClusterRole", format!("did you mean `{near}`?"));
            }
        }
        _ => {}
    }
}
