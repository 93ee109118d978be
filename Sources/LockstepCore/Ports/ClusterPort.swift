import LockstepCrypto

/// What the rotation engine needs from Kubernetes. The adapter (LockstepKubernetes) implements
/// it over the API; the engine knows nothing of HTTP.
public protocol ClusterPort: Sendable {
    /// One key of a Secret: its value (nil when the key is absent) and the object's resourceVersion.
    func readSecret(_ target: RotationPolicy.SecretTarget) async throws -> (value: SecretBytes?, resourceVersion: String)
    /// Writes one key (and the `alongside` keys of the same Secret, in the same patch), guarded by
    /// `resourceVersion`; returns the new resourceVersion.
    /// A concurrent writer makes it throw `ClusterConflict` (never a blind overwrite).
    func writeSecret(_ target: RotationPolicy.SecretTarget, value: SecretBytes, resourceVersion: String, alongside: [String: SecretBytes]) async throws -> String
    /// Sets the pod-template annotation `key: value` (the same value twice restarts once).
    func annotatePodTemplate(_ deployment: RotationPolicy.DeploymentRef, key: String, value: String) async throws
    /// Waits until the rollout is complete by kubectl's rules; throws on ProgressDeadlineExceeded or timeout.
    func waitForRollout(_ deployment: RotationPolicy.DeploymentRef, timeout: Duration, progress: @escaping @Sendable (String) -> Void) async throws
    /// Problems that would stop a rotation: missing objects and missing permissions, one line each.
    /// `scaling`: Deployments the run scales (their `scale` subresource).
    func accessProblems(targets: [RotationPolicy.SecretTarget], rollouts: [RotationPolicy.DeploymentRef], scaling: [RotationPolicy.DeploymentRef]) async throws -> [String]
    /// Warnings for Secrets that something else may put back (Helm, Argo CD, External Secrets).
    func ownershipWarnings(_ target: RotationPolicy.SecretTarget) async throws -> [String]
    /// The pods of a Deployment (its selector), each with the address a client inside the cluster
    /// reaches it at: `status.podIP` and `port`, or the container's port named `http`, else its first.
    func podEndpoints(_ deployment: RotationPolicy.DeploymentRef, port: Int?) async throws -> [PodEndpoint]
    /// Sets the Deployment's `maxSurge` to `value`, keeping the one it had in an annotation
    /// (not overwritten when present: a repeat after a crash keeps the original).
    func setMaxSurge(_ deployment: RotationPolicy.DeploymentRef, to value: String) async throws
    /// Puts back the `maxSurge` kept by `setMaxSurge` and removes the annotation; nothing when absent.
    func restoreMaxSurge(_ deployment: RotationPolicy.DeploymentRef) async throws
    /// Whether the Deployment's rollout is complete now, by `kubectl rollout status`'s rules.
    func rolloutComplete(_ deployment: RotationPolicy.DeploymentRef) async throws -> Bool
    /// The Deployment's desired replicas (`spec.replicas`, 1 when unset).
    func desiredReplicas(_ deployment: RotationPolicy.DeploymentRef) async throws -> Int
    /// Sets the Deployment's replicas through its `scale` subresource (as `kubectl scale`).
    func scale(_ deployment: RotationPolicy.DeploymentRef, replicas: Int) async throws
}

extension ClusterPort {
    /// Writes one key, guarded by `resourceVersion`.
    public func writeSecret(_ target: RotationPolicy.SecretTarget, value: SecretBytes, resourceVersion: String) async throws -> String {
        try await writeSecret(target, value: value, resourceVersion: resourceVersion, alongside: [:])
    }

    public func accessProblems(targets: [RotationPolicy.SecretTarget], rollouts: [RotationPolicy.DeploymentRef]) async throws -> [String] {
        try await accessProblems(targets: targets, rollouts: rollouts, scaling: [])
    }
}

/// One pod of a Deployment, reachable directly (not through its Service).
public struct PodEndpoint: Sendable, Equatable, CustomStringConvertible {
    public let name: String
    /// `http://IP:PORT`; nil when the pod has no IP yet.
    public let url: String?
    public let ready: Bool
    /// Being deleted (terminating): it receives no new traffic.
    public let terminating: Bool
    public init(name: String, url: String?, ready: Bool, terminating: Bool = false) {
        self.name = name
        self.url = url
        self.ready = ready
        self.terminating = terminating
    }
    public var description: String { "pod \(name)" }
}

/// What a gateway pod answered to the key-ring probe token (`lockstep-keyring-probe`).
public enum KeyRingProbe: Sendable, Equatable, CustomStringConvertible {
    /// Lockstep's auth module is loaded and reads the ring, which holds `keys` keys.
    case active(keys: Int)
    /// The module is loaded but cannot read the ring file.
    case unreadable
    /// No module answered: what the pod said instead (status and error type, never a key).
    case absent(String)

    public var description: String {
        switch self {
        case .active(let n): "key-ring module active (\(n) key\(n == 1 ? "" : "s") in the ring)"
        case .unreadable: "key-ring module loaded, but it cannot read the ring file"
        case .absent(let answer): "no key-ring module (the pod answered \(answer))"
        }
    }
}

/// A write lost a race with another writer (HTTP 409).
public struct ClusterConflict: Error, Sendable, CustomStringConvertible {
    public let object: String
    public init(object: String) { self.object = object }
    public var description: String { "\(object) was modified by someone else while Lockstep wrote it (409 Conflict)" }
}

/// What the rotation engine needs from the LiteLLM gateway.
public protocol GatewayPort: Sendable {
    /// Where the gateway is reached (the policy's URL, or `--gateway-url`): for messages.
    var address: String { get }
    func isReady() async -> Bool
    /// True when the gateway's auth accepts `key`, false when it refuses it; throws when the
    /// answer is about something else (the gateway or a provider failing).
    func accepts(_ key: SecretBytes) async throws -> Bool
    /// Per model: healthy (no unhealthy endpoint), checked with the gateway's master key.
    func health(models: [String], masterKey: SecretBytes) async throws -> [String: Bool]
    /// Bridge strategy: register `key` as a virtual key named `alias`.
    func registerBridgeKey(_ key: SecretBytes, alias: String, masterKey: SecretBytes) async throws
    func removeBridgeKey(alias: String, masterKey: SecretBytes) async throws
    /// As `accepts`, asked of one pod directly (`url` from ``PodEndpoint``).
    func accepts(_ key: SecretBytes, atPod url: String) async throws -> Bool
    /// Key-ring strategy: whether Lockstep's auth module is loaded at one pod.
    func keyRingProbe(atPod url: String) async throws -> KeyRingProbe
}
