#!/usr/bin/env python3
"""Checks Kubernetes manifests against the "restricted" Pod Security Standard.

The rules of https://kubernetes.io/docs/concepts/security/pod-security-standards/
(baseline and restricted, as of Kubernetes 1.30) for every pod template found
in the given YAML files (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet,
Job, CronJob). Prints each violation with its file, object and path, and exits
1 when there is any. `--self-test` first runs the rules on a pod that breaks
each of them, so a rule that stopped biting fails CI too.

    python3 .ci/k8s-restricted.py deploy/k8s/*.yaml
"""

import sys

import yaml

ALLOWED_VOLUMES = {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim",
                   "projected", "secret"}
SAFE_SYSCTLS = {"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
                "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
                "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
                "net.ipv4.tcp_keepalive_probes"}


def pod_spec(obj):
    """The pod spec inside a workload object, or None."""
    kind = obj.get("kind")
    spec = obj.get("spec") or {}
    if kind == "Pod":
        return spec
    if kind in {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"}:
        return (spec.get("template") or {}).get("spec")
    if kind == "CronJob":
        return ((spec.get("jobTemplate") or {}).get("spec") or {}).get("template", {}).get("spec")
    return None


def violations(spec):
    """Every way `spec` breaks the standard, as "path: why"."""
    out = []
    pod_sc = spec.get("securityContext") or {}
    for field in ("hostNetwork", "hostPID", "hostIPC"):
        if spec.get(field):
            out.append(f"spec.{field}: must be unset or false")
    for i, volume in enumerate(spec.get("volumes") or []):
        kinds = set(volume) - {"name"}
        if not kinds <= ALLOWED_VOLUMES:
            out.append(f"spec.volumes[{i}]: {sorted(kinds - ALLOWED_VOLUMES)} volumes are not allowed")
    for sysctl in pod_sc.get("sysctls") or []:
        if sysctl.get("name") not in SAFE_SYSCTLS:
            out.append(f"spec.securityContext.sysctls: {sysctl.get('name')} is not a safe sysctl")
    pod_seccomp = (pod_sc.get("seccompProfile") or {}).get("type")
    if pod_seccomp not in (None, "RuntimeDefault", "Localhost"):
        out.append("spec.securityContext.seccompProfile.type: must be RuntimeDefault or Localhost")
    if pod_sc.get("runAsUser") == 0:
        out.append("spec.securityContext.runAsUser: must not be 0")
    containers = [("containers", c) for c in spec.get("containers") or []]
    containers += [("initContainers", c) for c in spec.get("initContainers") or []]
    containers += [("ephemeralContainers", c) for c in spec.get("ephemeralContainers") or []]
    for field, container in containers:
        path = f"spec.{field}[{container.get('name')}]"
        sc = container.get("securityContext") or {}
        if sc.get("privileged"):
            out.append(f"{path}.securityContext.privileged: must be unset or false")
        if (sc.get("windowsOptions") or {}).get("hostProcess"):
            out.append(f"{path}.securityContext.windowsOptions.hostProcess: must be unset or false")
        if sc.get("procMount") not in (None, "Default"):
            out.append(f"{path}.securityContext.procMount: must be Default")
        for port in container.get("ports") or []:
            if port.get("hostPort"):
                out.append(f"{path}.ports: hostPort {port['hostPort']} is not allowed")
        if sc.get("allowPrivilegeEscalation") is not False:
            out.append(f"{path}.securityContext.allowPrivilegeEscalation: must be false")
        if sc.get("runAsNonRoot", pod_sc.get("runAsNonRoot")) is not True:
            out.append(f"{path}.securityContext.runAsNonRoot: must be true (here or for the pod)")
        if sc.get("runAsUser") == 0:
            out.append(f"{path}.securityContext.runAsUser: must not be 0")
        seccomp = (sc.get("seccompProfile") or {}).get("type") or pod_seccomp
        if seccomp not in ("RuntimeDefault", "Localhost"):
            out.append(f"{path}.securityContext.seccompProfile.type: must be RuntimeDefault or Localhost "
                       "(here or for the pod)")
        capabilities = sc.get("capabilities") or {}
        if "ALL" not in (capabilities.get("drop") or []):
            out.append(f"{path}.securityContext.capabilities.drop: must include ALL")
        added = set(capabilities.get("add") or []) - {"NET_BIND_SERVICE"}
        if added:
            out.append(f"{path}.securityContext.capabilities.add: {sorted(added)} are not allowed")
    return out


def self_test():
    """The rules on a pod that breaks each of them; fails when one does not bite."""
    bad = {"hostNetwork": True, "volumes": [{"name": "h", "hostPath": {"path": "/"}}],
           "securityContext": {"seccompProfile": {"type": "Unconfined"}},
           "containers": [{"name": "c", "ports": [{"containerPort": 80, "hostPort": 80}],
                           "securityContext": {"privileged": True, "capabilities": {"add": ["SYS_ADMIN"]}}}]}
    found = violations(bad)
    wanted = ["spec.hostNetwork", "spec.volumes[0]", "spec.securityContext.seccompProfile.type",
              "spec.containers[c].securityContext.privileged", "spec.containers[c].ports",
              "spec.containers[c].securityContext.allowPrivilegeEscalation",
              "spec.containers[c].securityContext.runAsNonRoot",
              "spec.containers[c].securityContext.seccompProfile.type",
              "spec.containers[c].securityContext.capabilities.drop",
              "spec.containers[c].securityContext.capabilities.add"]
    missing = [w for w in wanted if not any(v.startswith(w + ":") or v.startswith(w + " ") for v in found)]
    if missing:
        sys.exit(f"self-test: rules that did not bite: {missing}\nfound: {found}")
    print(f"self-test: {len(found)} violations found in the bad pod, as expected")


def main(paths):
    if paths and paths[0] == "--self-test":
        self_test()
        paths = paths[1:]
    problems, pods = [], 0
    for path in paths:
        with open(path, encoding="utf-8") as file:
            for obj in yaml.safe_load_all(file):
                spec = pod_spec(obj or {})
                if spec is None:
                    continue
                pods += 1
                name = f"{obj.get('kind')}/{(obj.get('metadata') or {}).get('name')}"
                problems += [f"{path}: {name}: {v}" for v in violations(spec)]
    for problem in problems:
        print(problem)
    if problems:
        sys.exit(1)
    print(f"{pods} pod template(s) meet the restricted Pod Security Standard")


if __name__ == "__main__":
    main(sys.argv[1:])
