import LockstepCore

extension Step {
    /// The entry written before a change is made (fail closed), or nil for read-only steps.
    func startedEntry(_ action: RotationAction) -> AuditDraft? {
        switch action {
        case .patchSecret(let t, let v):
            return draft(.secretPatched, .started, "writing the \(v.rawValue) value", [AuditTarget(namespace: t.namespace, name: t.name, key: t.key)])
        case .restartDeployment(let d, let intent):
            return draft(.workloadRestarted, .started, annotation(intent), [AuditTarget(namespace: d.namespace, name: d.name)])
        case .stageKeyRing, .clearKeyRing:
            let ring = run.ring.map { [AuditTarget(namespace: $0.namespace, name: $0.name, key: $0.key)] } ?? []
            return draft(.secretPatched, .started, action == .stageKeyRing ? "staging the new key in the key ring" : "emptying the key ring", ring)
        case .patchColourSecret(let role, let v):
            let secret = run.colourSwitch?.colour(role)?.secret
            return draft(.secretPatched, .started, "writing the \(v.rawValue) value to the \(role.rawValue) colour's Secret",
                         secret.map { [AuditTarget(namespace: $0.namespace, name: $0.name, key: $0.key)] } ?? [])
        case .createVersion where policy.source.mintsAtSource:
            return draft(.providerKeyMinted, .started, "minting the new value at the provider", [])
        case .retireOldAtSource:
            return draft(.providerKeyRetired, .started, "retiring the old value at the provider", [])
        case .startColour(let role, _), .stopColour(let role):
            let d = run.colourSwitch?.colour(role)?.deployment
            let what = if case .stopColour = action { "scaling the \(role.rawValue) colour to 0" } else { "scaling the \(role.rawValue) colour to \(run.colourSwitch?.replicas ?? 0)" }
            return draft(.workloadScaled, .started, what, d.map { [AuditTarget(namespace: $0.namespace, name: $0.name)] } ?? [])
        default:
            return nil
        }
    }

    /// The entry recording how a step ended.
    func finishedEntry(_ action: RotationAction, outcome: StepOutcome?, failure: String?) -> AuditDraft? {
        let result: AuditOutcome = failure == nil ? .success : .failure
        let detail = failure ?? outcome?.detail
        let targets = outcome?.targets ?? []
        switch action {
        case .preflight: return draft(failure == nil ? .checkPassed : .checkFailed, result, "preflight: \(detail ?? "")", targets)
        case .patchSecret: return draft(.secretPatched, result, detail, targets)
        case .restartDeployment: return draft(.workloadRestarted, result, detail, targets)
        case .waitForRollout(let d): return draft(.workloadRolledOut, result, detail, targets.isEmpty ? [AuditTarget(namespace: d.namespace, name: d.name)] : targets)
        case .stageKeyRing, .clearKeyRing, .patchColourSecret: return draft(.secretPatched, result, detail, targets)
        case .startColour, .stopColour: return draft(.workloadScaled, result, detail, targets)
        case .surgeGateway, .restoreGatewaySurge: return draft(.workloadRestarted, result, detail, targets)
        case .verifyAccepted, .verifyOldRefused, .verifyProviderHealth, .awaitOldPodsStopped, .stageBridgeKey, .removeBridgeKey, .awaitKeyRing, .verifyAtGatewayPods, .awaitGatewayShare, .verifyColour:
            return draft(failure == nil ? .checkPassed : .checkFailed, result, detail, targets)
        case .retireOldAtSource: return draft(.providerKeyRetired, result, detail, targets)
        case .createVersion, .promote, .markFailed:
            // The vault writes these entries itself, in the same transaction as the change.
            return failure == nil ? nil : draft(.checkFailed, .failure, detail, targets)
        }
    }

    func draft(_ action: AuditAction, _ outcome: AuditOutcome, _ detail: String?, _ targets: [AuditTarget]) -> AuditDraft {
        AuditDraft(actor: actor, action: action, credential: credential, version: run.newVersion, targets: targets, outcome: outcome,
                   detail: "run \(run.id)\(detail.map { ": \($0)" } ?? "")")
    }
}
