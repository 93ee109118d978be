import LockstepCore

/// Who leads, as one instance sees it: what the scheduler checks before every rotation step, what
/// `/readyz`, `/metrics` and the admin API's status report.
public struct LeadershipSnapshot: Sendable, Equatable, Codable {
    /// This instance's identity (the pod name in a cluster).
    public var identity: String
    /// True while this instance holds the lease and its last renewal is within the renew deadline.
    public var isLeader: Bool
    /// The holder named in the lease as last observed (nil: no lease, or released).
    public var holder: String?
    /// When this instance last observed the lease record change or renewed it.
    public var observedAt: Timestamp?
    /// `namespace/name` of the Lease, or nil when running without one (single instance).
    public var lease: String?

    public init(identity: String, isLeader: Bool, holder: String?, observedAt: Timestamp?, lease: String?) {
        self.identity = identity
        self.isLeader = isLeader
        self.holder = holder
        self.observedAt = observedAt
        self.lease = lease
    }
}

/// Read side of leader election. Implementations answer from memory (no I/O): callers ask before
/// every rotation step.
public protocol LeadershipView: Sendable {
    func snapshot() async -> LeadershipSnapshot
}

/// A single instance without a Lease (`lease:` absent from the config): always leads. Documented as
/// unsafe with more than one replica.
public struct SoleLeader: LeadershipView {
    public let identity: String
    public init(identity: String) { self.identity = identity }
    public func snapshot() async -> LeadershipSnapshot {
        LeadershipSnapshot(identity: identity, isLeader: true, holder: identity, observedAt: nil, lease: nil)
    }
}
