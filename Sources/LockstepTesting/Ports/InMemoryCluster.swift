import Foundation
import LockstepCore
import LockstepCrypto

/// A port fake for fast tests (the KubeSim + LiteLLM suites are the end-to-end layer).
/// The cluster port over a dictionary: Secrets with resourceVersions, rollouts that complete at
/// once. Enough for the engine to run every step of a rotation and write its real audit entries.
public final class InMemoryCluster: ClusterPort, @unchecked Sendable {
    public init() {}
    private let lock = NSLock()
    private var secrets: [RotationPolicy.SecretTarget: (value: SecretBytes?, rv: Int)] = [:]
    /// Every value ever written, for the test that looks for secrets in the report.
    public private(set) var written: [SecretBytes] = []

    public func put(_ target: RotationPolicy.SecretTarget, _ value: SecretBytes) {
        lock.lock(); defer { lock.unlock() }
        secrets[target] = (value, (secrets[target]?.rv ?? 0) + 1)
        written.append(value)
    }

    public func value(_ target: RotationPolicy.SecretTarget) -> SecretBytes? {
        lock.lock(); defer { lock.unlock() }
        return secrets[target]?.value
    }

    public func readSecret(_ target: RotationPolicy.SecretTarget) async throws -> (value: SecretBytes?, resourceVersion: String) {
        lock.withLock { (secrets[target]?.value, String(secrets[target]?.rv ?? 0)) }
    }

    public func writeSecret(_ target: RotationPolicy.SecretTarget, value: SecretBytes, resourceVersion: String,
                     alongside: [String: SecretBytes]) async throws -> String {
        try lock.withLock {
            let rv = secrets[target]?.rv ?? 0
            guard String(rv) == resourceVersion else { throw ClusterConflict(object: "\(target)") }
            secrets[target] = (value, rv + 1)
            for (key, other) in alongside {
                secrets[RotationPolicy.SecretTarget(namespace: target.namespace, name: target.name, key: key)] = (other, rv + 1)
            }
            written.append(value)
            return String(rv + 1)
        }
    }

    public func annotatePodTemplate(_ deployment: RotationPolicy.DeploymentRef, key: String, value: String) async throws {}
    public func waitForRollout(_ deployment: RotationPolicy.DeploymentRef, timeout: Duration, progress: @escaping @Sendable (String) -> Void) async throws {}
    public func accessProblems(targets: [RotationPolicy.SecretTarget], rollouts: [RotationPolicy.DeploymentRef],
                        scaling: [RotationPolicy.DeploymentRef]) async throws -> [String] { [] }
    public func scale(_ deployment: RotationPolicy.DeploymentRef, replicas: Int) async throws {}
    public func ownershipWarnings(_ target: RotationPolicy.SecretTarget) async throws -> [String] { [] }
    /// One ready pod per Deployment (the gateway's share check asks it directly).
    public func podEndpoints(_ deployment: RotationPolicy.DeploymentRef, port: Int?) async throws -> [PodEndpoint] {
        [PodEndpoint(name: "\(deployment.name)-0", url: "http://10.0.0.1:4000", ready: true)]
    }
    public func setMaxSurge(_ deployment: RotationPolicy.DeploymentRef, to value: String) async throws {}
    public func restoreMaxSurge(_ deployment: RotationPolicy.DeploymentRef) async throws {}
    public func rolloutComplete(_ deployment: RotationPolicy.DeploymentRef) async throws -> Bool { true }
    public func desiredReplicas(_ deployment: RotationPolicy.DeploymentRef) async throws -> Int { 1 }
}

/// The gateway port: accepts exactly the key its Secret holds, unless told to refuse new keys
/// (then only the key it held when told), which makes a rotation fail its check and roll back.
public final class InMemoryGateway: GatewayPort, @unchecked Sendable {
    private let lock = NSLock()
    private let cluster: InMemoryCluster
    private let keySecret: RotationPolicy.SecretTarget
    private var pinned: SecretBytes?
    public let address = "http://gateway.test:4000"

    public init(cluster: InMemoryCluster, keySecret: RotationPolicy.SecretTarget) {
        self.cluster = cluster
        self.keySecret = keySecret
    }

    /// From now on only the current key is accepted (a gateway that never picks up a new one).
    public func refuseNewKeys(_ refuse: Bool) {
        lock.lock(); defer { lock.unlock() }
        pinned = refuse ? cluster.value(keySecret) : nil
    }

    public func isReady() async -> Bool { true }

    public func accepts(_ key: SecretBytes) async throws -> Bool {
        guard let held = lock.withLock({ pinned }) ?? cluster.value(keySecret) else { return false }
        return held.constantTimeEquals(key)
    }

    public func health(models: [String], masterKey: SecretBytes) async throws -> [String: Bool] {
        Dictionary(uniqueKeysWithValues: models.map { ($0, true) })
    }
    public func registerBridgeKey(_ key: SecretBytes, alias: String, masterKey: SecretBytes) async throws {}
    public func removeBridgeKey(alias: String, masterKey: SecretBytes) async throws {}
    public func accepts(_ key: SecretBytes, atPod url: String) async throws -> Bool { try await accepts(key) }
    public func keyRingProbe(atPod url: String) async throws -> KeyRingProbe { .absent("no module") }
}
