import LockstepCore
import LockstepVault

/// What a rotation of one credential would do, step by step, as lines for a person: `lockstep
/// plan` and the admin API's plan. No side effect.
public enum PlanDescription {
    public struct NotAdopted: Error, CustomStringConvertible {
        public let credential: String
        public var description: String { "\(credential) has no current version" }
    }

    public static func lines(policy: RotationPolicy, record: CredentialRecord, revoke: Bool) throws -> [String] {
        let name = policy.credential.rawValue
        guard let current = record.current else { throw NotAdopted(credential: name) }
        let next = (record.versions.map(\.version).max() ?? 0) + 1
        var out = ["plan: \(revoke ? "revoke" : "rotate") \(name) v\(current.version) → v\(next), strategy \(policy.strategy.rawValue)"]
        switch policy.source {
        case .generate(let prefix, let bytes): out.append("new value: generated, \"\(prefix)\" + \(bytes) random bytes (Base64url)")
        case .manual: out.append("new value: manual, read from standard input (`lockstep rotate \(name) --value-from-stdin`)")
        case .anthropic:
            out.append("new value: from a person, read from standard input (`lockstep rotate \(name) --value-from-stdin`); "
                + "after promotion Lockstep sets the key that was v\(current.version) inactive through Anthropic's Admin API and checks that Anthropic refuses it")
        case .azure(let account):
            out.append("new value: minted at Azure: the key of \(account.account) the gateway does not use is regenerated (ARM regenerateKey, as \(account.clientID)); "
                + "after promotion the key that held v\(current.version) is regenerated too, so v\(current.version) is refused at Azure")
        case .openai(let project):
            out.append("new value: minted at OpenAI: a service account \(project.serviceAccountPrefix)-… is created in project \(project.project) and its key is the new value (Admin API); "
                + "after promotion the service account that owned v\(current.version) is deleted, and OpenAI refuses v\(current.version)")
        case .google(let project):
            out.append("new value: minted at Google: an API key \(project.keyPrefix)-… with the restrictions of the key in use is created in project \(project.project) (API Keys API); "
                + "after promotion the key that held v\(current.version) is deleted (undeletable for 30 days), and the Gemini API refuses v\(current.version)")
        case .postgres(let server):
            out.append("new value: minted at \(server.label): the user of \(server.users.joined(separator: "/")) that v\(current.version) does not log in as gets a new password "
                + "(a SCRAM verifier, as \(server.adminUser)), proven by a login; after promotion, once no old pod is left, the user of v\(current.version) gets a password no one holds "
                + "and its sessions are ended, and the server refuses v\(current.version)")
        case .redis(let server):
            out.append("new value: minted at \(server.label): a new password is added to ACL user \(server.user) (by its SHA-256, as \(server.adminUser)) and saved, proven by AUTH; "
                + "after promotion, once no old pod is left, the password of v\(current.version) is removed, and AUTH refuses it")
        }
        for (i, action) in RotationPlan.steps(for: policy, kind: revoke ? .revoke : .rotate, newVersion: next).enumerated() {
            out.append("  \(i + 1). \(describe(action, policy: policy, current: current.version, next: next, revoke: revoke))")
        }
        if policy.blueGreen != nil {
            out.append("on failure after a change: the colour that served is started again if it was stopped, the backend gets v\(current.version) and its URL back and rolls, "
                + "the old key is verified there, the idle colour is stopped and given v\(current.version) back, v\(next) is marked failed.")
        } else {
            out.append("on failure after a change: the patched Secrets get v\(current.version) back, the Deployments roll again, the old key is verified, v\(next) is marked failed.")
        }
        out.append("nothing was changed.")
        return out
    }

    private static func describe(_ action: RotationAction, policy: RotationPolicy, current: Int, next: Int, revoke: Bool) -> String {
        let name = policy.credential.rawValue
        return switch action {
        case .preflight where policy.blueGreen != nil:
            "preflight: access to \(policy.targets.count) Secret(s), \(policy.rollouts.count) Deployment(s) and both colours, drift against v\(current), "
                + "which colour the backend's \(policy.blueGreen?.endpointKey ?? "URL") names, every pod of it accepts v\(current), the other at 0 replicas"
        case .preflight where policy.vaultOnly: "preflight: v\(current) is current (held only by the vault: nothing in the cluster to check, no gateway)"
        case .preflight: "preflight: access to \(policy.targets.count) Secret(s) and \(policy.rollouts.count) Deployment(s), drift against v\(current), gateway \(policy.gateway?.url ?? "-") ready"
        case .createVersion: "create v\(next) (pending)"
        case .stageBridgeKey: "register v\(next) as a LiteLLM virtual key (bridge)"
        case .patchSecret(let t, _): "patch \(t) with v\(next)"
        case .restartDeployment(let d, _): "restart \(d) (annotation lockstep.dev/credential-version=\(name).v\(next).RUN)"
        case .waitForRollout(let d): "wait for the rollout of \(d)"
        case .verifyAccepted: "verify the gateway accepts v\(next)"
        case .verifyOldRefused: "verify the gateway refuses v\(current)"
        case .verifyProviderHealth(let m): "verify the health of \(m.joined(separator: ", "))"
        case .awaitGatewayShare: "wait until half of the gateway's pods, asked directly, accept v\(next); then restart the backend"
        case .surgeGateway: "set maxSurge of \(policy.gatewayDeployment.map { "\($0)" } ?? "the gateway") to 100% (immediate: every new pod at once)"
        case .restoreGatewaySurge: "restore the gateway's maxSurge"
        case .stageKeyRing: "write v\(next) into the key ring \(policy.keyRing.map { "\($0.secret)" } ?? "-") (every gateway pod then accepts it besides v\(current))"
        case .awaitKeyRing: "wait until every gateway pod, asked directly, accepts v\(next) (at most \(policy.keyRing?.propagationTimeout.description ?? "3m"))"
        case .clearKeyRing: "empty the key ring"
        case .verifyAtGatewayPods: "verify at every gateway pod: v\(next) accepted\(revoke || policy.checks.oldKeyRefused ? ", v\(current) refused" : "")"
        case .removeBridgeKey: "delete the bridge virtual key"
        case .patchColourSecret(.idle, _): "write v\(next) to the master-key Secret of the idle colour (the one at 0 replicas: \(colourNames(policy)))"
        case .patchColourSecret(.active, _): "write v\(next) to the stopped colour's Secret too (v\(current) is then left in no Secret)"
        case .startColour: "scale the idle colour to the serving one's replicas; wait until every pod of it, asked directly, accepts v\(next)"
        case .stopColour: "scale the colour that served v\(current) to 0; wait until none of its pods is left"
        case .verifyColour: "verify at every pod of the new colour: v\(next) accepted\(revoke || policy.checks.oldKeyRefused ? ", v\(current) refused" : "")"
        case .promote: revoke ? "v\(next) current, v\(current) revoked" : "v\(next) current, v\(current) previous"
        case .markFailed: policy.source.mintsAtSource
            ? "once no pod that may hold v\(next) is left, discard it at the provider as an old key would be; mark v\(next) failed"
            : "mark v\(next) failed"
        case .awaitOldPodsStopped: "wait until every gateway pod that started with v\(current) has exited (none still serves open connections with it)"
        case .retireOldAtSource:
            switch policy.source {
            case .anthropic: "set the key that was v\(current) inactive at Anthropic, then check that Anthropic refuses it"
            case .openai: "delete the service account that owned v\(current) at OpenAI (or that key alone, if a person owns it), then check that OpenAI refuses it"
            case .google: "delete the API key that held v\(current) in the Google project, then check that the Gemini API refuses it"
            default:
                "regenerate the key that held v\(current) at the provider (v\(current) refused there from then on)"
            }
        }
    }

    private static func colourNames(_ policy: RotationPolicy) -> String {
        (policy.blueGreen?.colours ?? []).map { "\($0.name) \($0.deployment)" }.joined(separator: " or ")
    }
}
