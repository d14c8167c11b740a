//! What the hardening rules share: they are opt-in (`--hardening`, or naming the rule in
//! `--select`), because on real manifests most workloads trip them. Not a rule itself.

use crate::rules::Ctx;

/// Whether an opt-in hardening rule runs.
pub fn enabled(ctx: &Ctx<'_, '_>) -> bool {
    ctx.config.hardening || ctx.config.only.contains(ctx.rule.id)
}
