import LockstepKubernetes

/// The three Lease calls leader election needs, on one Lease. An adapter over the Kubernetes client
/// in production (``KubernetesLeaseStore``), a fake in tests.
///
/// Implementations throw ``LeaseStoreError`` only.
public protocol LeaseStore: Sendable {
    /// Reads the Lease; `.notFound` when it does not exist.
    func get() async throws -> Lease
    /// Creates the Lease with `spec`; `.conflict` when another instance created it first.
    func create(_ spec: Lease.Spec) async throws -> Lease
    /// Replaces the Lease, guarded by `lease.metadata.resourceVersion`; `.conflict` when it changed.
    func update(_ lease: Lease) async throws -> Lease
}

/// Why a Lease call failed, as leader election decides on it.
public enum LeaseStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case notFound
    /// Someone else wrote the Lease first (409 Conflict or AlreadyExists): re-read, do not retry blindly.
    case conflict
    /// Anything else (network, 5xx, 403, timeout); the text names no secret.
    case other(String)

    public var description: String {
        switch self {
        case .notFound: "lease not found"
        case .conflict: "lease changed concurrently (conflict)"
        case .other(let text): text
        }
    }

    /// Maps any thrown error into this type (a non-store error becomes `.other`).
    static func from(_ error: any Error) -> LeaseStoreError {
        if let error = error as? LeaseStoreError { return error }
        return .other(String(describing: error))
    }
}

/// ``LeaseStore`` over ``KubernetesClient``'s `getLease`/`createLease`/`updateLease`.
public struct KubernetesLeaseStore: LeaseStore {
    public let client: KubernetesClient
    public let namespace: String
    public let name: String

    public init(client: KubernetesClient, namespace: String, name: String) {
        self.client = client
        self.namespace = namespace
        self.name = name
    }

    /// The store for the Lease `settings` name.
    public init(client: KubernetesClient, settings: LeaseSettings) {
        self.init(client: client, namespace: settings.namespace, name: settings.name)
    }

    public func get() async throws -> Lease {
        do { return try await client.getLease(namespace: namespace, name: name) } catch { throw Self.map(error) }
    }

    public func create(_ spec: Lease.Spec) async throws -> Lease {
        do { return try await client.createLease(namespace: namespace, name: name, spec: spec) } catch { throw Self.map(error) }
    }

    public func update(_ lease: Lease) async throws -> Lease {
        do { return try await client.updateLease(lease) } catch { throw Self.map(error) }
    }

    static func map(_ error: any Error) -> LeaseStoreError {
        guard let error = error as? KubernetesError else { return .from(error) }
        switch error.code {
        case .notFound: return .notFound
        case .conflict, .alreadyExists: return .conflict
        default: return .other(error.description)
        }
    }
}
