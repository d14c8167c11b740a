//! The rule engine and the registry of every rule.
//!
//! Adding a rule touches one source file (`src/rules/<category>/<rule>.rs`, holding its
//! metadata and check), one page (`rules/<id>.md`), one fixture and one line below.

mod addresses;
mod api;
mod rule;
mod selection;
mod webhook_client;

use rayon::prelude::*;

pub use rule::{Category, Check, Ctx, ObjectMemo, Rule};

use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::model::Workspace;

/// Declares the rule modules and the registry in one place: `category { rule_module, ... }`
/// makes `src/rules/<category>/<rule_module>.rs` a module whose `RULE` is registered;
/// `category + helper { ... }` also declares `src/rules/<category>/<helper>.rs`, a module the
/// category's rules share (not a rule).
macro_rules! registry {
    ($($category:ident $(+ $helper:ident)* { $($rule:ident),* $(,)? })*) => {
        $(pub mod $category { $(pub mod $helper;)* $(pub mod $rule;)* })*
        /// Every rule, in catalogue order.
        pub static ALL: &[&Rule] = &[$($(&$category::$rule::RULE,)*)*];
    };
}

registry! {
    syntax {
        unreadable_file,
        no_manifests,
        yaml_syntax,
        duplicate_key,
        yaml_limits,
        not_a_kubernetes_object,
        yaml11_boolean_key,
        helm_chart_not_rendered,
        unused_suppression,
    }
    schema {
        unknown_field,
        invalid_type,
        missing_required_field,
        invalid_enum_value,
        invalid_value,
        unknown_kind,
        removed_api_version,
        deprecated_api_version,
        invalid_crd,
        duplicate_crd,
        duplicate_list_entry,
        cel_rule_failed,
        cel_rule_not_evaluated,
    }
    selectors + backends {
        invalid_label,
        service_selects_nothing,
        service_without_selector,
        pdb_selects_nothing,
        network_policy_selects_nothing,
        hpa_target_not_found,
        ingress_backend_not_found,
        route_backend_not_found,
        overlapping_selectors,
        monitor_port_not_found,
    }
    ports {
        port_out_of_range,
        node_port_out_of_range,
        invalid_port_name,
        duplicate_container_port,
        duplicate_port_name,
        service_port_name_required,
        duplicate_service_port,
        service_type_conflict,
        external_name_with_selector,
        target_port_not_found,
    }
    workloads {
        selector_template_mismatch,
        invalid_object_name,
        invalid_container_name,
        missing_container_image,
        restart_policy_for_kind,
        unsupported_value,
        negative_replicas,
        statefulset_service_not_headless,
        pod_template_name_ignored,
        duplicate_env_var,
        env_reference_unresolved,
        workload_spec_warning,
    }
    metadata {
        missing_object_name,
        invalid_annotation,
        invalid_config_data,
        invalid_finalizer,
        invalid_owner_reference,
        duplicate_object,
    }
    probes {
        probe_handler_count,
        probe_success_threshold,
        probe_timing_invalid,
        probe_port_invalid,
        probe_port_undeclared,
        probe_on_init_container,
        probe_liveness_equals_readiness,
        missing_readiness_probe,
    }
    volumes {
        volume_mount_undeclared,
        duplicate_volume_name,
        duplicate_mount_path,
        volume_mount_path_invalid,
        mount_path_not_absolute,
        volume_source_count,
        volume_unused,
        volume_claim_shared,
        hostpath_type_invalid,
        gitrepo_deprecated,
        volume_plugin_removed,
        referenced_object_missing,
        referenced_key_missing,
    }
    scheduling {
        node_selector_invalid,
        node_affinity_invalid,
        pod_affinity_invalid,
        affinity_weight_range,
        toleration_invalid,
        topology_spread_invalid,
        topology_spread_selects_others,
        priority_class_invalid,
        runtime_class_invalid,
    }
    resources {
        invalid_quantity,
        suspicious_memory_quantity,
        request_exceeds_limit,
        resources_unset,
        limit_range_invalid,
        resource_quota_invalid,
    }
    images {
        image_latest_tag,
    }
    security + policy + hardening {
        privileged,
        host_namespaces,
        capabilities_baseline,
        host_path_volumes,
        host_ports,
        apparmor_profile,
        selinux_options,
        proc_mount,
        seccomp_profile_baseline,
        sysctls,
        windows_host_process,
        host_probes_and_lifecycle,
        restricted_volumes,
        allow_privilege_escalation,
        run_as_non_root,
        run_as_user,
        seccomp_profile_restricted,
        capabilities_restricted,
        automount_service_account_token,
        read_only_root_filesystem,
        image_without_digest,
        default_service_account,
    }
    services {
        service_spec_invalid,
        service_spec_warning,
        endpoints_invalid,
        endpoints_service_mismatch,
    }
    config {
        secret_invalid,
    }
    apps {
        apps_spec_invalid,
    }
    batch {
        job_spec_invalid,
        cronjob_spec_invalid,
    }
    networking {
        ingress_spec_invalid,
        network_policy_invalid,
        network_policy_blocks_dns,
    }
    rbac {
        rbac_binding_invalid,
        rbac_rule_invalid,
        rbac_role_not_found,
        unknown_api_resource,
        unknown_rbac_verb,
    }
    policy {
        pdb_spec_invalid,
        pdb_blocks_eviction,
    }
    autoscaling {
        hpa_spec_invalid,
        hpa_target_sets_replicas,
        hpa_target_without_requests,
    }
    storage {
        storage_class_invalid,
        pvc_spec_invalid,
        pv_spec_invalid,
        csi_driver_invalid,
        storage_spec_warning,
    }
    podspec {
        pod_spec_invalid,
        container_invalid,
        security_context_invalid,
        pod_annotation_invalid,
        env_var_invalid,
        resource_requirements_invalid,
        volume_source_invalid,
        pod_spec_warning,
        deprecated_service_account_field,
    }
    apiextensions + crd + schema_defaults {
        crd_spec_invalid,
        crd_schema_invalid,
        apiservice_invalid,
    }
    admission + matching {
        webhook_config_invalid,
        webhook_service_not_found,
        admission_policy_invalid,
        admission_policy_not_found,
    }
}

pub fn find(id: &str) -> Option<&'static Rule> {
    ALL.iter().copied().find(|r| r.id == id)
}

/// Runs every enabled engine rule over the workspace.
pub fn run(ws: &Workspace<'_>, config: &Config) -> Vec<Diagnostic> {
    let enabled: Vec<&'static Rule> = ALL
        .iter()
        .copied()
        .filter(|r| !matches!(r.check, Check::Builtin) && config.is_enabled(r.id))
        .collect();
    let object_rules: Vec<_> = enabled
        .iter()
        .filter_map(|r| match r.check {
            Check::Object(f) => Some((*r, f)),
            _ => None,
        })
        .collect();
    let mut out: Vec<Diagnostic> = ws
        .objects
        .par_iter()
        .flat_map_iter(|obj| {
            let mut diags = Vec::new();
            let memo = ObjectMemo::default();
            for (rule, f) in &object_rules {
                let mut ctx = Ctx {
                    ws,
                    config,
                    rule,
                    out: Vec::new(),
                    memo: &memo,
                };
                f(&mut ctx, obj);
                api::note_statefulset_pods(obj, rule, &mut ctx.out);
                diags.append(&mut ctx.out);
            }
            diags
        })
        .collect();
    let ws_rules: Vec<_> = enabled
        .iter()
        .filter_map(|r| match r.check {
            Check::Workspace(f) => Some((*r, f)),
            _ => None,
        })
        .collect();
    let mut more: Vec<Diagnostic> = ws_rules
        .par_iter()
        .flat_map_iter(|(rule, f)| {
            let memo = ObjectMemo::default();
            let mut ctx = Ctx {
                ws,
                config,
                rule,
                out: Vec::new(),
                memo: &memo,
            };
            f(&mut ctx);
            ctx.out
        })
        .collect();
    out.append(&mut more);
    out
}
