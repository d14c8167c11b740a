import textwrap, os
ROOT='/work/wt-pss/rules'
NS = """apiVersion: v1
kind: Namespace
metadata:
  name: prod
  labels:
    pod-security.kubernetes.io/enforce: {level}
---
"""
GOOD_RESTRICTED = """apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: prod
spec:
  securityContext:
    runAsNonRoot: true
    seccompProfile:
      type: RuntimeDefault
  containers:
  - name: web
    image: nginx:1.27.3
    securityContext:
      allowPrivilegeEscalation: false
      capabilities:
        drop: [ALL]
"""
GOOD_BASELINE = """apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: prod
spec:
  containers:
  - name: web
    image: nginx:1.27.3
"""
def pod(spec_extra="", container_extra="", meta_extra=""):
    return f"""apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: prod
{meta_extra}spec:
{spec_extra}  containers:
  - name: web
    image: nginx:1.27.3
{container_extra}"""

R = {}
def rule(id, check_id, level, versions, fix, what, why, bad, good=None):
    R[id] = dict(check_id=check_id, level=level, versions=versions, fix=fix, what=what, why=why, bad=bad, good=good)

rule('privileged','privileged','baseline','v1.0 and later', False,
 "A container (init, regular or ephemeral) with `securityContext.privileged: true`.",
 "A privileged container gets every Linux capability and access to all host devices: root on the node. The baseline Pod Security Standard forbids it; Kubernetes' Pod Security Admission check `privileged` rejects it in namespaces enforcing `baseline` or `restricted`.",
 pod(container_extra="    securityContext:\n      privileged: true\n"))
rule('host-namespaces','hostNamespaces','baseline','v1.0 and later', False,
 "`spec.hostNetwork`, `spec.hostPID` or `spec.hostIPC` set to `true`.",
 "Sharing the node's network, process or IPC namespace lets the pod sniff node traffic, signal or inspect the node's processes and reach its shared memory. The admission check `hostNamespaces` forbids all three at `baseline`.",
 pod(spec_extra="  hostNetwork: true\n"))
rule('capabilities-baseline','capabilities_baseline','baseline','v1.0 and later (at `restricted` from v1.22, `pod-security-capabilities-restricted` replaces it)', False,
 "`securityContext.capabilities.add` entries outside the container runtime's default set: `AUDIT_WRITE`, `CHOWN`, `DAC_OVERRIDE`, `FOWNER`, `FSETID`, `KILL`, `MKNOD`, `NET_BIND_SERVICE`, `SETFCAP`, `SETGID`, `SETPCAP`, `SETUID`, `SYS_CHROOT`. Names are compared exactly, as the admission library does: `CAP_SYS_ADMIN` or `sys_admin` are outside the set too.",
 "Capabilities such as `NET_RAW`, `SYS_ADMIN` or `SYS_PTRACE` widen what a compromised container can do to the node and its neighbours. The admission check `capabilities_baseline` allows only the defaults.",
 pod(container_extra="    securityContext:\n      capabilities:\n        add: [NET_RAW]\n"))
rule('host-path-volumes','hostPathVolumes','baseline','v1.0 and later (at `restricted`, `pod-security-restricted-volumes` replaces it)', False,
 "A volume of type `hostPath`.",
 "A hostPath volume mounts the node's filesystem into the pod: container escapes, reading other pods' data and the kubelet's credentials. The admission check `hostPathVolumes` forbids it at `baseline`.",
 pod(spec_extra="  volumes:\n  - name: host\n    hostPath:\n      path: /var/run\n", container_extra="    volumeMounts:\n    - name: host\n      mountPath: /host\n"))
rule('host-ports','hostPorts','baseline','v1.0 and later', False,
 "A container port with a `hostPort` other than 0 (any container: init, regular, ephemeral).",
 "A host port binds the port on the node's own address: it bypasses network policies and limits scheduling to one such pod per node. The admission check `hostPorts` forbids every host port at `baseline` (there is no allowed range).",
 pod(container_extra="    ports:\n    - containerPort: 80\n      hostPort: 80\n"))
rule('apparmor-profile','appArmorProfile','baseline','v1.0 and later (the fields and the deprecated annotations both count at every version)', False,
 "An AppArmor profile other than `RuntimeDefault` or `Localhost`: `securityContext.appArmorProfile.type` of the pod or a container, and the deprecated annotations `container.apparmor.security.beta.kubernetes.io/<container>` with a value other than `runtime/default`, `localhost/<profile>` or empty.",
 "`Unconfined` turns off the mandatory access control the runtime applies by default. The admission check `appArmorProfile` forbids overriding it at `baseline`.",
 pod(container_extra="    securityContext:\n      appArmorProfile:\n        type: Unconfined\n"))
rule('selinux-options','seLinuxOptions','baseline','v1.0 and later; `container_engine_t` allowed from v1.31', False,
 "`seLinuxOptions` (pod or container) with a `type` other than `container_t`, `container_init_t`, `container_kvm_t` (or `container_engine_t` from policy v1.31), or with any `user` or `role`. `level` is not restricted.",
 "Custom SELinux users, roles and types can lift the confinement SELinux gives containers. The admission check `seLinuxOptions` allows only the container types at `baseline`.",
 pod(container_extra="    securityContext:\n      seLinuxOptions:\n        type: spc_t\n"))
rule('proc-mount','procMount (and procMount_restricted)','baseline','v1.0 and later; from v1.35 `baseline` allows any `procMount` in a pod with `hostUsers: false`, `restricted` never does', False,
 "A container with `securityContext.procMount` other than `Default`.",
 "`Unmasked` exposes the parts of `/proc` the runtime masks (kernel settings, other processes' information). The admission check `procMount` forbids it at `baseline` (relaxed for user-namespaced pods from policy v1.35); `procMount_restricted` keeps `restricted` strict.",
 pod(container_extra="    securityContext:\n      procMount: Unmasked\n"))
rule('seccomp-profile-baseline','seccompProfile_baseline','baseline','v1.0 (the `seccomp.security.alpha.kubernetes.io` annotations) and v1.19 and later (the fields); at `restricted` from v1.19, `pod-security-seccomp-profile-restricted` replaces it', False,
 "A seccomp profile of type `Unconfined` on the pod or a container (before policy v1.19: the annotation value `unconfined`).",
 "`Unconfined` runs the container without any syscall filter. The admission check `seccompProfile_baseline` forbids it at `baseline`.",
 pod(container_extra="    securityContext:\n      seccompProfile:\n        type: Unconfined\n"))
rule('sysctls','sysctls','baseline','v1.0 (5 safe sysctls), v1.27, v1.29, v1.32 and v1.37 each allow more', False,
 "`spec.securityContext.sysctls` names outside the safe set of the policy version: `kernel.shm_rmid_forced`, `net.ipv4.ip_local_port_range`, `net.ipv4.tcp_syncookies`, `net.ipv4.ping_group_range`, `net.ipv4.ip_unprivileged_port_start` (v1.0); `net.ipv4.ip_local_reserved_ports` (v1.27); `net.ipv4.tcp_keepalive_time`, `net.ipv4.tcp_fin_timeout`, `net.ipv4.tcp_keepalive_intvl`, `net.ipv4.tcp_keepalive_probes` (v1.29); `net.ipv4.tcp_rmem`, `net.ipv4.tcp_wmem` (v1.32); `net.ipv4.tcp_slow_start_after_idle`, `net.ipv4.tcp_notsent_lowat` (v1.37).",
 "Other sysctls are not isolated between pods and can change the whole node. The admission check `sysctls` allows only the safe ones at `baseline`.",
 pod(spec_extra="  securityContext:\n    sysctls:\n    - name: kernel.msgmax\n      value: \"65536\"\n"))
rule('windows-host-process','windowsHostProcess','baseline','v1.0 and later', False,
 "`securityContext.windowsOptions.hostProcess: true` on the pod or a container.",
 "A Windows HostProcess container runs directly on the node with host access. The admission check `windowsHostProcess` forbids it at `baseline`.",
 pod(spec_extra="  securityContext:\n    windowsOptions:\n      hostProcess: true\n"))
rule('host-probes-and-lifecycle','hostProbesAndHostLifecycle','baseline','v1.34 and later (not checked at older policy versions)', False,
 "A `host` in a probe's or lifecycle handler's `httpGet` or `tcpSocket` (liveness, readiness, startup probes; `postStart`, `preStop`).",
 "The kubelet makes these requests from the node, so a `host` lets a pod have the node contact arbitrary addresses. The admission check `hostProbesAndHostLifecycle` forbids it at `baseline` from policy v1.34.",
 pod(container_extra="    livenessProbe:\n      httpGet:\n        host: 10.0.0.1\n        port: 80\n"))
rule('restricted-volumes','restrictedVolumes','restricted','v1.0 and later (`image` volumes allowed at every version, since Kubernetes 1.33)', False,
 "A volume whose type is not one of `configMap`, `csi`, `downwardAPI`, `emptyDir`, `ephemeral`, `image`, `persistentVolumeClaim`, `projected`, `secret`.",
 "Other volume types (hostPath, nfs, iscsi, ...) reach node or network storage directly, outside the PersistentVolume model. The admission check `restrictedVolumes` allows only these at `restricted`.",
 pod(spec_extra="  volumes:\n  - name: data\n    nfs:\n      server: nfs.example.com\n      path: /exports\n", container_extra="    volumeMounts:\n    - name: data\n      mountPath: /data\n"))
rule('allow-privilege-escalation','allowPrivilegeEscalation','restricted','v1.8 and later; pods with `spec.os.name: windows` are exempt from v1.25', True,
 "A container that does not set `securityContext.allowPrivilegeEscalation: false` (unset counts, as in the admission library). The fix inserts `allowPrivilegeEscalation: false` when the field is missing.",
 "Without it, a process can gain more privileges than its parent (setuid binaries, file capabilities). The admission check `allowPrivilegeEscalation` requires `false` at `restricted`.",
 None)
rule('run-as-non-root','runAsNonRoot','restricted','v1.0 and later; pods with `hostUsers: false` are exempt from v1.35', False,
 "A pod where `runAsNonRoot: true` is not set at the pod level or on every container, or where the pod or a container sets `runAsNonRoot: false`.",
 "Without it the container may run as root. The admission check `runAsNonRoot` requires it at `restricted`; the kubelet then refuses to start an image that would run as UID 0. No automatic fix: the image must support a non-root user.",
 None)
rule('run-as-user','runAsUser','restricted','v1.23 and later; pods with `hostUsers: false` are exempt from v1.35', False,
 "`securityContext.runAsUser: 0` on the pod or a container.",
 "UID 0 is root. The admission check `runAsUser` forbids it at `restricted`.",
 None)
rule('seccomp-profile-restricted','seccompProfile_restricted','restricted','v1.19 and later; pods with `spec.os.name: windows` are exempt from v1.25', True,
 "A container without a seccomp profile of type `RuntimeDefault` or `Localhost`, set on the container or inherited from the pod; and any other profile type explicitly set. The fix inserts `seccompProfile: {type: RuntimeDefault}` in the pod's `securityContext` when the pod sets none.",
 "Without a profile the container runs `Unconfined` on most runtimes: every syscall is allowed. The admission check `seccompProfile_restricted` requires one at `restricted`.",
 None)
rule('capabilities-restricted','capabilities_restricted','restricted','v1.22 and later; pods with `spec.os.name: windows` are exempt from v1.25', True,
 "A container that does not list `ALL` in `securityContext.capabilities.drop`, or that adds any capability other than `NET_BIND_SERVICE`. The fix inserts `capabilities: {drop: [ALL]}` (or the `drop` list) when it is missing.",
 "Dropping every capability takes away what a compromised process could use against the node; `NET_BIND_SERVICE` alone may come back, to bind ports below 1024. The admission check `capabilities_restricted` requires it at `restricted`.",
 None)

RESTRICTED_BAD = {
 'allow-privilege-escalation': GOOD_RESTRICTED.replace("      allowPrivilegeEscalation: false\n",""),
 'run-as-non-root': GOOD_RESTRICTED.replace("    runAsNonRoot: true\n",""),
 'run-as-user': GOOD_RESTRICTED.replace("    runAsNonRoot: true\n","    runAsNonRoot: true\n    runAsUser: 0\n"),
 'seccomp-profile-restricted': GOOD_RESTRICTED.replace("    seccompProfile:\n      type: RuntimeDefault\n",""),
 'capabilities-restricted': GOOD_RESTRICTED.replace("      capabilities:\n        drop: [ALL]\n","      capabilities:\n        add: [NET_RAW]\n"),
}

SEV = "**Severity:** error where a namespace enforces the level; warning under `warn`/`audit` labels, `--pod-security` or `--select`"
for id, r in R.items():
    level = r['level']
    bad_pod = r['bad'] if r['bad'] is not None else RESTRICTED_BAD[id]
    if level == 'baseline':
        bad = NS.format(level='baseline') + bad_pod
        good = NS.format(level='baseline') + GOOD_BASELINE
    else:
        bad = NS.format(level='restricted') + bad_pod
        good = NS.format(level='restricted') + GOOD_RESTRICTED
    levels = "`baseline` and `restricted`" if level == 'baseline' else "`restricted`"
    page = f"""# pod-security-{id}

{SEV} · **Category:** security · **Fix:** {'yes' if r['fix'] else 'no'}

**Pod Security Standard:** {levels} · **Policy versions:** {r['versions']} · **Admission check:** `{r['check_id']}`

## What it checks
{r['what']}

Pods and every object with a pod template (Deployment, StatefulSet, DaemonSet, ReplicaSet,
Job, CronJob, ReplicationController, PodTemplate) are checked, exactly as Kubernetes' Pod
Security Admission evaluates them, at the level that applies to their namespace: a Namespace
of the run labelled `pod-security.kubernetes.io/enforce: <level>` (and `enforce-version`)
makes a violation an error; `warn` and `audit` labels, or `--pod-security LEVEL[:VERSION]`
where no label applies, make it a warning. With none of these, the rule reports nothing
unless it is named in `--select` (then it checks at `restricted:latest`, as warnings).

## Why
{r['why']} Under `enforce` the API server rejects such a Pod; a Deployment, Job or other
workload is accepted, but every pod its controller creates is rejected, so it never runs.

## Bad
```yaml
{bad}```

## Good
```yaml
{good}```
"""
    open(os.path.join(ROOT, f'pod-security-{id}.md'),'w').write(page)
print(len(R))
