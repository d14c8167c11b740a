//! `duplicate-env-var`: a container sets the same environment variable twice.


use crate::diagnostics::Severity;
use crate::model::{Object, PodTemplate};
use crate::rules::{Category, Check, Ctx, Rule};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "duplicate-env-var",
    severity: Severity::Warning,
    category: Category::Workloads,
    summary: "A container's env list sets the same variable twice",
    fix: false,
    doc: include_str!("../../../rules/duplicate-env-var.md"),
    check: Check::Object(check),
};

fn check(ctx: &mut Ctx<'_, '_>, obj: &Object<'_>) {
    let Some(t) = PodTemplate::of(obj) else {
        return;
    };
    for c in t.containers() {
        let (mut names, mut nodes): (Vec<&str>, Vec<&Node>) = (Vec::new(), Vec::new());
        for e in c.env() {
            let Some(node) = e.get("name") else { continue };
            let Some(name) = node.as_str().filter(|s| !s.is_empty()) else {
                continue;
            };
            // Redefining a variable in terms of itself (`PATH: $(PATH):/opt/bin`) is the
            // one accepted pattern (no API warning).
            let extends = e.get("valueFrom").is_none()
                && e.get("value")
                    .and_then(Node::as_str)
                    .is_some_and(|v| extends_itself(v, name));
            if !extends {
                names.push(name);
                nodes.push(node);
            }
        }
        for (first, again) in repeats(&names) {
            let (name, node) = (names[again], nodes[again]);
            let d = ctx
                .diag(
                    obj,
                    node.span,
                    format!("{} sets the environment variable `{name}` twice; the last value wins", c.describe()),
                )
                .with_primary_label("set again here")
                .with_label(obj.file, nodes[first].span, "first set here")
                .with_help(format!("the API server warns `hides previous definition of \"{name}\", which may be dropped when using apply`; remove one of the two entries"));
            ctx.push(d);
        }
    }
}

/// Each later entry whose name an earlier one already has, as (first, later) indexes.
///
/// A container may hold a million variables: sorting their names compares strings that
/// live all over the tree (most of the run's time), so the names are sorted by a hash
/// instead, and strings are compared only within a run of equal hashes.
fn repeats(names: &[&str]) -> Vec<(usize, usize)> {
    use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
    let hasher = BuildHasherDefault::<DefaultHasher>::default();
    repeats_by(names, |s| hasher.hash_one(s))
}

fn repeats_by(names: &[&str], hash: impl Fn(&str) -> u64) -> Vec<(usize, usize)> {
    let mut keys: Vec<(u64, u32)> = (0..names.len().min(u32::MAX as usize))
        .map(|i| (hash(names[i]), i as u32))
        .collect();
    keys.sort_unstable();
    let mut out = Vec::new();
    for run in keys.chunk_by_mut(|a, b| a.0 == b.0) {
        if run.len() < 2 {
            continue;
        }
        // Equal hashes, almost surely equal names; a collision is sorted apart by name.
        let name = |k: &(u64, u32)| names[k.1 as usize];
        if run.iter().any(|k| name(k) != name(&run[0])) {
            run.sort_unstable_by(|a, b| (name(a), a.1).cmp(&(name(b), b.1)));
        }
        for group in run.chunk_by(|a, b| name(a) == name(b)) {
            for k in &group[1..] {
                out.push((group[0].1 as usize, k.1 as usize));
            }
        }
    }
    out
}

/// True when `value` holds `$(name)` and is more than just that.
fn extends_itself(value: &str, name: &str) -> bool {
    let refers = |at: usize| {
        value[at + 2..]
            .strip_prefix(name)
            .is_some_and(|rest| rest.starts_with(')'))
    };
    value.len() != name.len() + 3 && value.match_indices("$(").any(|(at, _)| refers(at))
}

#[cfg(test)]
mod tests {
    use super::repeats_by;

    #[test]
    fn repeats_pair_each_later_entry_with_the_first() {
        let names = ["A", "B", "A", "C", "A", "B"];
        let mut got = repeats_by(&names, |s| s.len() as u64 * 7);
        got.sort_unstable();
        assert_eq!(got, [(0, 2), (0, 4), (1, 5)]);
    }

    #[test]
    fn hash_collisions_are_told_apart_by_name() {
        let names = ["A", "B", "C", "B", "A"];
        let mut got = repeats_by(&names, |_| 0);
        got.sort_unstable();
        assert_eq!(got, [(0, 4), (1, 3)]);
        assert!(repeats_by(&["x", "y", "z"], |_| 0).is_empty());
    }
}
