#!/usr/bin/env python3
"""Least-privilege and hardening rules for Lockstep's rendered Kubernetes manifests.

Usage: manifest_rules.py [--overlay] [--policies DIR] FILE...   (FILE: YAML, several documents)

Schema validation (kubernetes-validate) says a manifest is well-formed; these rules say it is
the one DESIGN §8 asks for, so that a later edit cannot quietly widen what Lockstep may do:

  - every RBAC rule names resourceNames, unless all its verbs are `create` (RBAC sees no name
    on a create, so names there would match nothing);
  - no `*` in apiGroups, resources or verbs;
  - no ClusterRole grants anything on Secrets, and nothing binds a ClusterRole;
  - no Secret object at all (key material is created by a command, never rendered from git);
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


def where(doc):
    meta = doc.get("metadata") or {}
    ns = meta.get("namespace")
    return f"{doc.get('kind')} {ns + '/' if ns else ''}{meta.get('name')}"


def check_rbac(doc, errors):
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
        if not rule.get("resourceNames") and set(verbs) - {"create"}:
            what = "secrets" if touches_secrets else "/".join(resources)
            errors.append(f"{at}: {what} without resourceNames (verbs {verbs}); only a create-only rule may omit them")


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


def check_workload(doc, errors):
    """A Deployment's pod template, or a bare Pod (deploy/maintenance)."""
    spec = doc.get("spec") or {}
    if doc.get("kind") == "Deployment":
        spec = (spec.get("template") or {}).get("spec") or {}
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


def check(docs, overlay=False, policies=None):
    errors = []
    for doc in docs:
        kind = doc.get("kind")
        if kind in ("Role", "ClusterRole"):
            check_rbac(doc, errors)
        elif kind in ("RoleBinding", "ClusterRoleBinding"):
            # A binding to a ClusterRole (admin, edit, view, ...) would bring rights no Role
            # here lists, past every rule above; Lockstep needs none.
            if kind == "ClusterRoleBinding" or (doc.get("roleRef") or {}).get("kind") != "Role":
                errors.append(f"{where(doc)}: binds a ClusterRole or cluster-wide; bind only the Roles defined here")
        elif kind in ("Deployment", "Pod"):
            check_workload(doc, errors)
        elif kind == "Secret":
            errors.append(f"{where(doc)}: a Secret in the manifests; key material must be created by a command (docs/install.md), never kept in git")
        elif kind == "NetworkPolicy" and overlay:
            check_network_policy(doc, errors)
    if policies:
        check_policies(docs, policies, errors)
    return errors


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+")
    parser.add_argument("--overlay", action="store_true", help="also require the overlay's settings (API server CIDR)")
    parser.add_argument("--policies", metavar="DIR", help="the ConfigMap lockstep-policies must hold exactly DIR's policy files")
    args = parser.parse_args(argv)
    docs = []
    for path in args.files:
        with open(path, encoding="utf-8") as f:
            docs += [d for d in yaml.safe_load_all(f) if d]
    if not docs:
        print("error: no Kubernetes objects in " + ", ".join(args.files), file=sys.stderr)
        return 1
    errors = check(docs, overlay=args.overlay, policies=args.policies)
    for e in errors:
        print(f"error: {e}", file=sys.stderr)
    if not errors:
        print(f"ok: {len(docs)} objects in {', '.join(args.files)} follow the least-privilege and hardening rules")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
