#!/usr/bin/env python3
"""Least-privilege and hardening rules for Lockstep's rendered Kubernetes manifests.

Usage: manifest_rules.py [--overlay] [--policies DIR] [--gateway] FILE...   (FILE: YAML, several documents)

Schema validation (kubernetes-validate) says a manifest is well-formed; these rules say it is
the one DESIGN §8 asks for, so that a later edit cannot quietly widen what Lockstep may do:

  - every RBAC rule names resourceNames, unless all its verbs are `create` (RBAC sees no name
    on a create, so names there would match nothing), or it is the key-ring exception: `get`
    and `list` on pods (nothing else in the rule), in a Role of a namespace whose ring Secret a
    `strategy: key-ring` policy of the same render names (the policies ConfigMap);
  - no `*` in apiGroups, resources or verbs;
  - no ClusterRole grants anything on Secrets, and nothing binds a ClusterRole;
  - no Secret object (key material is created by a command, never rendered from git), except
    an empty one Lockstep owns (label app.kubernetes.io/managed-by: lockstep, every value
    empty): the key-ring Secret of deploy/components/litellm-keyring;
  - a container that sets LOCKSTEP_KEYRING_FILE mounts the ring Secret as a whole volume at
    that file's folder (no subPath, never as env: those never update) and has the module
    ConfigMap's folder on PYTHONPATH;
  - with --gateway (the gateway's side: deploy/examples/litellm-keyring-gateway, a stand-in
    gateway with components/litellm-keyring): the ConfigMap lockstep-keyring-module is there
    under its fixed name and some container is wired to the ring; the gateway's own pod
    hardening is its chart's business, not checked;
  - every Deployment's (and Pod's) pod and containers carry the securityContext of deploy/base;
  - the vault key Secret is mounted with mode 0400;
  - with --overlay: the API server CIDR of the NetworkPolicy is no longer the base placeholder;
  - with --policies DIR: the lockstep-policies ConfigMap holds exactly the policy files of DIR.

Prints one `error:` line per problem and exits 1 if there is any, 0 otherwise. Needs PyYAML
only (it comes with LiteLLM in the project's venv).
"""
import argparse
import os
import sys

import yaml

PLACEHOLDER_API_CIDR = "192.0.2.1/32"  # deploy/base/networkpolicy.yaml
NON_ROOT_ID = 65532
VAULT_KEY_SECRET = "lockstep-vault-key"
KEYRING_MODULE_CONFIGMAP = "lockstep-keyring-module"   # fixed name: helm-values.yaml refers to it
KEYRING_MODULE_FILE = "lockstep_keyring.py"
KEYRING_FILE_ENV = "LOCKSTEP_KEYRING_FILE"


def where(doc):
    meta = doc.get("metadata") or {}
    ns = meta.get("namespace")
    return f"{doc.get('kind')} {ns + '/' if ns else ''}{meta.get('name')}"


def keyring_namespaces(docs):
    """Namespaces whose ring Secret a `strategy: key-ring` policy in the render's lockstep-policies
    ConfigMap names. The ring is mounted into the gateway's pods, and a pod mounts Secrets of its
    own namespace only: so this is the gateway's namespace, where Lockstep must list the pods."""
    found = set()
    for d in docs:
        if d.get("kind") != "ConfigMap" or not str((d.get("metadata") or {}).get("name", "")).startswith("lockstep-policies"):
            continue
        for text in (d.get("data") or {}).values():
            try:
                policy = yaml.safe_load(text)
            except yaml.YAMLError:
                continue  # `lockstep policy check` reports broken policies; here it grants nothing
            spec = policy.get("spec") if isinstance(policy, dict) else None
            if not isinstance(spec, dict) or spec.get("strategy") != "key-ring":
                continue
            ring = (spec.get("keyRing") or {}).get("secret") or {}
            if isinstance(ring, dict) and ring.get("namespace"):
                found.add(ring["namespace"])
    return found


def is_keyring_pods_rule(doc, rule, keyring_ns):
    """The one rule besides create-only ones that may go without resourceNames: get/list on pods
    in a key-ring gateway's namespace. Lockstep probes every gateway pod directly (the ring volume
    updates per pod); pods have generated names, and RBAC cannot limit a list by resourceNames."""
    return (doc.get("kind") == "Role"
            and (doc.get("metadata") or {}).get("namespace") in keyring_ns
            and rule.get("apiGroups") == [""]
            and rule.get("resources") == ["pods"]
            and set(rule.get("verbs") or []) <= {"get", "list"})


def check_rbac(doc, errors, keyring_ns=frozenset()):
    kind = doc.get("kind")
    for i, rule in enumerate(doc.get("rules") or []):
        at = f"{where(doc)} rule {i}"
        resources = rule.get("resources") or []
        verbs = rule.get("verbs") or []
        for field in ("apiGroups", "resources", "verbs", "resourceNames", "nonResourceURLs"):
            if any("*" in str(v) for v in rule.get(field) or []):
                errors.append(f"{at}: wildcard in {field} {rule.get(field)}; name each one")
        touches_secrets = "secrets" in resources or any("*" in r for r in resources)
        if kind == "ClusterRole" and touches_secrets:
            errors.append(f"{at}: a ClusterRole grants {verbs} on secrets; grant them per namespace with a Role and resourceNames")
        if not rule.get("resourceNames") and set(verbs) - {"create"} and not is_keyring_pods_rule(doc, rule, keyring_ns):
            what = "secrets" if touches_secrets else "/".join(resources)
            errors.append(f"{at}: {what} without resourceNames (verbs {verbs}); only a create-only rule may omit them"
                          " (or get/list on pods in a namespace whose ring Secret a key-ring policy names)")


def check_container(at, c, errors):
    sc = c.get("securityContext") or {}
    if sc.get("readOnlyRootFilesystem") is not True:
        errors.append(f"{at}: securityContext.readOnlyRootFilesystem must be true")
    if sc.get("allowPrivilegeEscalation") is not False:
        errors.append(f"{at}: securityContext.allowPrivilegeEscalation must be false")
    if sc.get("privileged"):
        errors.append(f"{at}: securityContext.privileged must not be set")
    caps = sc.get("capabilities") or {}
    if "ALL" not in (caps.get("drop") or []):
        errors.append(f"{at}: securityContext.capabilities.drop must contain ALL")
    if caps.get("add"):
        errors.append(f"{at}: securityContext.capabilities.add must be empty, not {caps['add']}")
    if sc.get("runAsUser") == 0 or sc.get("runAsNonRoot") is False:
        errors.append(f"{at}: the container must not run as root")
    if "resources" not in c or "limits" not in (c.get("resources") or {}):
        errors.append(f"{at}: resources.limits must be set")


def pod_spec(doc):
    spec = doc.get("spec") or {}
    if doc.get("kind") == "Deployment":
        spec = (spec.get("template") or {}).get("spec") or {}
    return spec


def check_keyring_wiring(doc, errors):
    """Every container that reads a ring (env LOCKSTEP_KEYRING_FILE) must see it change: kubelet
    updates a Secret volume in place, but a subPath mount or an env var keeps the value of the
    pod's start, and the rotation would wait for a key the pod never accepts. Returns how many
    containers are wired."""
    spec = pod_spec(doc)
    volumes = {v.get("name"): v for v in spec.get("volumes") or []}
    wired = 0
    for c in (spec.get("containers") or []) + (spec.get("initContainers") or []):
        at = f"{where(doc)} container {c.get('name')}"
        env = {e.get("name"): e for e in c.get("env") or []}
        ring_file = (env.get(KEYRING_FILE_ENV) or {}).get("value")
        if not ring_file:
            continue
        folder = os.path.dirname(ring_file)
        mounts = c.get("volumeMounts") or []
        ring_mounts = [m for m in mounts if m.get("mountPath", "").rstrip("/") in (folder, ring_file)]
        ring_secrets = set()
        ok = False
        for m in ring_mounts:
            secret = (volumes.get(m.get("name")) or {}).get("secret")
            if secret:
                ring_secrets.add(secret.get("secretName"))
            if m.get("subPath") or m.get("subPathExpr"):
                errors.append(f"{at}: the ring {ring_file} is mounted with subPath; a subPath mount never updates, mount the Secret's volume at {folder}")
            elif not secret:
                errors.append(f"{at}: {folder} (the folder of {KEYRING_FILE_ENV}) is not a Secret volume")
            elif m.get("mountPath", "").rstrip("/") == folder:
                ok = True
        if not ring_mounts:
            errors.append(f"{at}: sets {KEYRING_FILE_ENV}={ring_file} but mounts no volume at {folder}")
        for e in c.get("env") or []:
            ref = (e.get("valueFrom") or {}).get("secretKeyRef") or {}
            if ref.get("name") in ring_secrets:
                errors.append(f"{at}: env {e.get('name')} reads the ring Secret {ref['name']}; an env var never updates, read it from the volume")
        for src in c.get("envFrom") or []:
            if (src.get("secretRef") or {}).get("name") in ring_secrets:
                errors.append(f"{at}: envFrom reads the ring Secret {src['secretRef']['name']}; an env var never updates, read it from the volume")
        module_dirs = [m.get("mountPath", "").rstrip("/") for m in mounts
                       if ((volumes.get(m.get("name")) or {}).get("configMap") or {}).get("name") == KEYRING_MODULE_CONFIGMAP
                       and not m.get("subPath")]
        path = ((env.get("PYTHONPATH") or {}).get("value") or "").split(":")
        if not any(d in path for d in module_dirs):
            errors.append(f"{at}: PYTHONPATH {path} holds no whole-volume mount of ConfigMap {KEYRING_MODULE_CONFIGMAP}; LiteLLM would not find {KEYRING_MODULE_FILE}")
        wired += ok
    return wired


def check_workload(doc, errors):
    """A Deployment's pod template, or a bare Pod (deploy/maintenance)."""
    spec = pod_spec(doc)
    at = where(doc)
    psc = spec.get("securityContext") or {}
    expected = {"runAsNonRoot": True, "runAsUser": NON_ROOT_ID, "runAsGroup": NON_ROOT_ID, "fsGroup": NON_ROOT_ID,
                # Without it the kubelet makes the vault file 0660 on every mount (exit 77).
                "fsGroupChangePolicy": "OnRootMismatch"}
    for key, value in expected.items():
        if psc.get(key) != value:
            errors.append(f"{at}: pod securityContext.{key} must be {value!r}, is {psc.get(key)!r}")
    containers = [("container", c) for c in spec.get("containers") or []] + \
                 [("initContainer", c) for c in spec.get("initContainers") or []]
    if not spec.get("containers"):
        errors.append(f"{at}: no containers")
    for label, c in containers:
        cat = f"{at} {label} {c.get('name')}"
        check_container(cat, c, errors)
        seccomp = ((c.get("securityContext") or {}).get("seccompProfile") or psc.get("seccompProfile") or {}).get("type")
        if seccomp != "RuntimeDefault":
            errors.append(f"{cat}: seccompProfile.type must be RuntimeDefault, is {seccomp!r}")
    for v in spec.get("volumes") or []:
        secret = v.get("secret")
        if secret and secret.get("secretName") == VAULT_KEY_SECRET and secret.get("defaultMode") != 0o400:
            errors.append(f"{at}: volume {v.get('name')} mounts the vault key with mode {oct(secret.get('defaultMode') or 0o644)}; use defaultMode 0400")


def check_network_policy(doc, errors):
    for rule in (doc.get("spec") or {}).get("egress") or []:
        for peer in rule.get("to") or []:
            if (peer.get("ipBlock") or {}).get("cidr") == PLACEHOLDER_API_CIDR:
                errors.append(f"{where(doc)}: the API server CIDR is still the placeholder {PLACEHOLDER_API_CIDR}; set it in the overlay (deploy/README.md)")


def check_policies(docs, directory, errors):
    files = sorted(f for f in os.listdir(directory) if f.endswith((".yaml", ".yml")))
    maps = [d for d in docs if d.get("kind") == "ConfigMap" and str((d.get("metadata") or {}).get("name", "")).startswith("lockstep-policies")]
    if len(maps) != 1:
        errors.append(f"expected one ConfigMap lockstep-policies, found {len(maps)}")
        return
    data = maps[0].get("data") or {}
    if sorted(data) != files:
        errors.append(f"ConfigMap lockstep-policies holds {sorted(data)}, {directory} has {files}; list every policy file in {directory}/Kustomization")
    for name in set(data) & set(files):
        with open(os.path.join(directory, name), encoding="utf-8") as f:
            if f.read() != data[name]:
                errors.append(f"ConfigMap lockstep-policies: {name} differs from {directory}/{name}")


def check_secret(doc, errors):
    """Only an empty Secret that Lockstep owns may be rendered: the key-ring Secret, which holds a
    key only during a rotation (Lockstep writes it then). Any value here would be key material
    in git."""
    labels = (doc.get("metadata") or {}).get("labels") or {}
    if labels.get("app.kubernetes.io/managed-by") != "lockstep":
        errors.append(f"{where(doc)}: a Secret in the manifests; key material must be created by a command (docs/install.md), never kept in git")
        return
    for field in ("data", "stringData"):
        for key, value in (doc.get(field) or {}).items():
            if value not in (None, ""):
                errors.append(f"{where(doc)}: {field}.{key} holds a value in git; a Secret Lockstep owns is rendered empty (Lockstep fills it)")


def check(docs, overlay=False, policies=None, gateway=False):
    errors = []
    keyring_ns = keyring_namespaces(docs)
    wired = 0
    for doc in docs:
        kind = doc.get("kind")
        if kind in ("Role", "ClusterRole"):
            check_rbac(doc, errors, keyring_ns)
        elif kind in ("RoleBinding", "ClusterRoleBinding"):
            # A binding to a ClusterRole (admin, edit, view, ...) would bring rights no Role
            # here lists, past every rule above; Lockstep needs none.
            if kind == "ClusterRoleBinding" or (doc.get("roleRef") or {}).get("kind") != "Role":
                errors.append(f"{where(doc)}: binds a ClusterRole or cluster-wide; bind only the Roles defined here")
        elif kind in ("Deployment", "Pod"):
            wired += check_keyring_wiring(doc, errors)
            if not gateway:
                check_workload(doc, errors)
        elif kind == "Secret":
            check_secret(doc, errors)
        elif kind == "NetworkPolicy" and overlay:
            check_network_policy(doc, errors)
    if policies:
        check_policies(docs, policies, errors)
    if gateway:
        modules = [d for d in docs if d.get("kind") == "ConfigMap" and (d.get("metadata") or {}).get("name") == KEYRING_MODULE_CONFIGMAP]
        if not modules:
            errors.append(f"no ConfigMap {KEYRING_MODULE_CONFIGMAP} (under that exact name: disableNameSuffixHash)")
        elif KEYRING_MODULE_FILE not in (modules[0].get("data") or {}):
            errors.append(f"ConfigMap {KEYRING_MODULE_CONFIGMAP} holds no {KEYRING_MODULE_FILE}")
        if not wired:
            errors.append(f"no container sets {KEYRING_FILE_ENV} with the ring Secret mounted at its folder")
    return errors


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+")
    parser.add_argument("--overlay", action="store_true", help="also require the overlay's settings (API server CIDR)")
    parser.add_argument("--policies", metavar="DIR", help="the ConfigMap lockstep-policies must hold exactly DIR's policy files")
    parser.add_argument("--gateway", action="store_true", help="the gateway's side (components/litellm-keyring): require the key-ring wiring, skip Lockstep's pod hardening")
    args = parser.parse_args(argv)
    docs = []
    for path in args.files:
        with open(path, encoding="utf-8") as f:
            docs += [d for d in yaml.safe_load_all(f) if d]
    if not docs:
        print("error: no Kubernetes objects in " + ", ".join(args.files), file=sys.stderr)
        return 1
    errors = check(docs, overlay=args.overlay, policies=args.policies, gateway=args.gateway)
    for e in errors:
        print(f"error: {e}", file=sys.stderr)
    if not errors:
        print(f"ok: {len(docs)} objects in {', '.join(args.files)} follow the least-privilege and hardening rules")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
