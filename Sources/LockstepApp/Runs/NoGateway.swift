import LockstepCore
import LockstepCrypto

/// The gateway port of a run whose credential only the vault holds (``RotationPolicy/vaultOnly``):
/// its plan never asks a gateway, so any call here is a defect, answered with an error naming it.
struct NoGateway: GatewayPort {
    struct Unused: Error, CustomStringConvertible {
        let call: String
        var description: String { "a credential only the vault holds has no gateway, but the run asked it to \(call)" }
    }

    let address = "(none: held only by the vault)"

    func isReady() async -> Bool { false }
    func accepts(_ key: SecretBytes) async throws -> Bool { throw Unused(call: "check a key") }
    func health(models: [String], masterKey: SecretBytes) async throws -> [String: Bool] { throw Unused(call: "check model health") }
    func registerBridgeKey(_ key: SecretBytes, alias: String, masterKey: SecretBytes) async throws { throw Unused(call: "register a bridge key") }
    func removeBridgeKey(alias: String, masterKey: SecretBytes) async throws { throw Unused(call: "remove a bridge key") }
    func accepts(_ key: SecretBytes, atPod url: String) async throws -> Bool { throw Unused(call: "check a key at a pod") }
    func keyRingProbe(atPod url: String) async throws -> KeyRingProbe { throw Unused(call: "probe a key ring") }
}

/// The cluster port of a run whose credential only the vault holds: its plan never reads or
/// writes the cluster, so the CLI needs no kubeconfig for it; any call here is a defect.
public struct NoCluster: ClusterPort {
    struct Unused: Error, CustomStringConvertible {
        let call: String
        var description: String { "a credential only the vault holds touches no cluster, but the run asked to \(call)" }
    }

    public init() {}

    public func readSecret(_ target: RotationPolicy.SecretTarget) async throws -> (value: SecretBytes?, resourceVersion: String) { throw Unused(call: "read \(target)") }
    public func writeSecret(_ target: RotationPolicy.SecretTarget, value: SecretBytes, resourceVersion: String, alongside: [String: SecretBytes]) async throws -> String {
        throw Unused(call: "write \(target)")
    }
    public func annotatePodTemplate(_ deployment: RotationPolicy.DeploymentRef, key: String, value: String) async throws { throw Unused(call: "restart \(deployment)") }
    public func waitForRollout(_ deployment: RotationPolicy.DeploymentRef, timeout: Duration, progress: @escaping @Sendable (String) -> Void) async throws {
        throw Unused(call: "wait for \(deployment)")
    }
    public func accessProblems(targets: [RotationPolicy.SecretTarget], rollouts: [RotationPolicy.DeploymentRef], scaling: [RotationPolicy.DeploymentRef]) async throws -> [String] {
        targets.isEmpty && rollouts.isEmpty && scaling.isEmpty ? [] : ["no cluster: the credential is held only by the vault"]
    }
    public func ownershipWarnings(_ target: RotationPolicy.SecretTarget) async throws -> [String] { throw Unused(call: "inspect \(target)") }
    public func podEndpoints(_ deployment: RotationPolicy.DeploymentRef, port: Int?) async throws -> [PodEndpoint] { throw Unused(call: "list the pods of \(deployment)") }
    public func setMaxSurge(_ deployment: RotationPolicy.DeploymentRef, to value: String) async throws { throw Unused(call: "change \(deployment)") }
    public func restoreMaxSurge(_ deployment: RotationPolicy.DeploymentRef) async throws { throw Unused(call: "change \(deployment)") }
    public func rolloutComplete(_ deployment: RotationPolicy.DeploymentRef) async throws -> Bool { throw Unused(call: "read \(deployment)") }
    public func desiredReplicas(_ deployment: RotationPolicy.DeploymentRef) async throws -> Int { throw Unused(call: "read \(deployment)") }
    public func scale(_ deployment: RotationPolicy.DeploymentRef, replicas: Int) async throws { throw Unused(call: "scale \(deployment)") }
}
