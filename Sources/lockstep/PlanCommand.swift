import ArgumentParser
import Foundation
import LockstepCore
import LockstepPolicy
import LockstepVault

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "What a rotation of NAME would do, step by step, and what happens if a step fails. No side effect; needs no key.")

    @Argument var name: String
    @OptionGroup var vault: VaultPathOption
    @OptionGroup var policies: PolicyOption
    @Flag(name: .long, help: "Plan a revoke (the old key must end up refused).")
    var revoke = false

    func run() throws {
        try runCLI {
            let policy = try policies.policy(name)
            let record = try VaultCatalog.open(vaultAt: try vault.path()).credential(name)
            guard let current = record.current else {
                throw CLIFailure(message: "\(name) has no current version", hint: "adopt the value in use with `lockstep credential import \(name)`", code: Exit.notFound)
            }
            let next = (record.versions.map(\.version).max() ?? 0) + 1
            print("plan: \(revoke ? "revoke" : "rotate") \(name) v\(current.version) → v\(next), strategy \(policy.strategy.rawValue)")
            switch policy.source {
            case .generate(let prefix, let bytes): print("new value: generated, \"\(prefix)\" + \(bytes) random bytes (Base64url)")
            case .manual: print("new value: manual, read from standard input (`lockstep rotate \(name) --value-from-stdin`)")
            }
            for (i, action) in RotationPlan.steps(for: policy, kind: revoke ? .revoke : .rotate, newVersion: next).enumerated() {
                print("  \(i + 1). \(describe(action, policy: policy, current: current.version, next: next))")
            }
            print("on failure after a change: the patched Secrets get v\(current.version) back, the Deployments roll again, the old key is verified, v\(next) is marked failed.")
            print("nothing was changed.")
        }
    }

    private func describe(_ action: RotationAction, policy: RotationPolicy, current: Int, next: Int) -> String {
        switch action {
        case .preflight: "preflight: access to \(policy.targets.count) Secret(s) and \(policy.rollouts.count) Deployment(s), drift against v\(current), gateway \(policy.gateway?.url ?? "-") ready"
        case .createVersion: "create v\(next) (pending)"
        case .stageBridgeKey: "register v\(next) as a LiteLLM virtual key (bridge)"
        case .patchSecret(let t, _): "patch \(t) with v\(next)"
        case .restartDeployment(let d, _): "restart \(d) (annotation lockstep.dev/credential-version=\(name).v\(next))"
        case .waitForRollout(let d): "wait for the rollout of \(d)"
        case .verifyAccepted: "verify the gateway accepts v\(next)"
        case .verifyOldRefused: "verify the gateway refuses v\(current)"
        case .verifyProviderHealth(let m): "verify the health of \(m.joined(separator: ", "))"
        case .removeBridgeKey: "delete the bridge virtual key"
        case .promote: revoke ? "v\(next) current, v\(current) revoked" : "v\(next) current, v\(current) previous"
        case .markFailed: "mark v\(next) failed"
        }
    }
}
