/// Something that may overwrite a patched Secret (and so undo a rotation).
public struct OwnershipFinding: Sendable, Equatable, CustomStringConvertible {
    /// Who: `ExternalSecret litellm-keys`, `field manager argocd-controller`, `Helm release litellm`.
    public var owner: String
    /// Why we think so: which ownerReference, managedFields entry, label or annotation.
    public var evidence: String

    public init(owner: String, evidence: String) {
        self.owner = owner
        self.evidence = evidence
    }

    public var description: String { "\(owner) (\(evidence))" }
}

/// Reports the controllers that own or manage a Secret and may revert a patch to it: the engine turns
/// each finding into a warning before rotating into that Secret.
public enum SecretOwnership {
    /// Field managers (managedFields) of controllers known to reconcile Secrets from elsewhere.
    static let knownManagers: [(prefix: String, who: String)] = [
        ("external-secrets", "External Secrets Operator"),
        ("argocd-controller", "Argo CD"),
        ("argocd-application-controller", "Argo CD"),
        ("argocd", "Argo CD"),
        ("helm", "Helm"),
        ("kustomize-controller", "Flux (kustomize-controller)"),
        ("helm-controller", "Flux (helm-controller)"),
        ("sealed-secrets", "Sealed Secrets"),
        ("sealedsecrets", "Sealed Secrets"),
        ("vault-secrets-operator", "Vault Secrets Operator"),
    ]

    /// Owner kinds whose controllers rewrite the Secret they own.
    static let knownOwnerKinds: Set<String> = ["ExternalSecret", "SealedSecret", "PushSecret", "VaultStaticSecret", "VaultDynamicSecret", "HelmRelease", "Application"]

    public static func findings(_ metadata: ObjectMeta) -> [OwnershipFinding] {
        var found: [OwnershipFinding] = []
        for owner in metadata.ownerReferences ?? [] {
            let controller = owner.controller == true ? "controller " : ""
            let note = knownOwnerKinds.contains(owner.kind) ? "" : "; an owner's controller may rewrite or delete it"
            found.append(OwnershipFinding(owner: "\(owner.kind) \(owner.name)",
                                          evidence: "\(controller)ownerReference \(owner.apiVersion)/\(owner.kind)\(note)"))
        }
        for entry in metadata.managedFields ?? [] {
            guard let manager = entry.manager?.lowercased(),
                  let known = knownManagers.first(where: { manager.hasPrefix($0.prefix) }) else { continue }
            let finding = OwnershipFinding(owner: known.who, evidence: "managedFields manager \(entry.manager ?? "")")
            if !found.contains(finding) { found.append(finding) }
        }
        let labels = metadata.labels ?? [:]
        let annotations = metadata.annotations ?? [:]
        if let managedBy = labels["app.kubernetes.io/managed-by"], ["helm", "tiller"].contains(managedBy.lowercased()) {
            found.append(OwnershipFinding(owner: "Helm", evidence: "label app.kubernetes.io/managed-by=\(managedBy)"))
        }
        if let release = annotations["meta.helm.sh/release-name"] {
            found.append(OwnershipFinding(owner: "Helm release \(release)", evidence: "annotation meta.helm.sh/release-name"))
        }
        if let instance = labels["argocd.argoproj.io/instance"] ?? annotations["argocd.argoproj.io/instance"] {
            found.append(OwnershipFinding(owner: "Argo CD application \(instance)", evidence: "argocd.argoproj.io/instance"))
        }
        if let tracking = annotations["argocd.argoproj.io/tracking-id"] {
            found.append(OwnershipFinding(owner: "Argo CD", evidence: "annotation argocd.argoproj.io/tracking-id=\(tracking)"))
        }
        for key in (labels.keys.sorted() + annotations.keys.sorted()) where key.hasPrefix("reconcile.external-secrets.io/") {
            found.append(OwnershipFinding(owner: "External Secrets Operator", evidence: key))
        }
        if labels["kustomize.toolkit.fluxcd.io/name"] != nil {
            found.append(OwnershipFinding(owner: "Flux Kustomization \(labels["kustomize.toolkit.fluxcd.io/name"]!)", evidence: "label kustomize.toolkit.fluxcd.io/name"))
        }
        return found
    }
}

extension Secret {
    /// Controllers that may overwrite this Secret; see ``SecretOwnership``.
    public var ownershipFindings: [OwnershipFinding] { SecretOwnership.findings(metadata) }
}
