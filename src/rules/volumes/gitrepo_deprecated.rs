//! `gitrepo-deprecated`: a `gitRepo` volume.

use crate::diagnostics::Severity;
use crate::model::{Object, PodTemplate};
use crate::rules::{Category, Check, Ctx, Rule};

pub static RULE: Rule = Rule {
    id: "gitrepo-deprecated",
    severity: Severity::Warning,
    category: Category::Volumes,
    summary: "A gitRepo volume: deprecated, and its in-tree driver is being removed",
    fix: false,
    doc: include_str!("../../../rules/gitrepo-deprecated.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let Some(template) = PodTemplate::of(obj) else {
        return;
    };
    for volume in template.volumes() {
        let Some(entry) = volume.entry("gitRepo") else { continue };
        if entry.value.is_null() {
            continue;
        }
        let name = volume.get("name").and_then(|n| n.as_str()).unwrap_or("?");
        let d = ctx
            .diag(obj, entry.key.span, format!("volume `{name}` uses the deprecated `gitRepo` volume type"))
            .with_primary_label("deprecated")
            .with_help(format!(
                "clone the repository in an init container into an `emptyDir` volume instead (`initContainers: - name: clone, image: alpine/git, args: [clone, <repo>, /repo]` mounting `{name}` at `/repo`); the in-tree gitRepo driver runs `git` on the node as root and is being removed (KEP 5040, feature gate `GitRepoVolumeDriver`)"
            ));
        ctx.push(d);
    }
}
