/// Where and how this instance competes for leadership: one coordination.k8s.io/v1 Lease, with
/// client-go's timings (15 s lease, 10 s renew deadline, 2 s retry by default).
///
/// The order `retryPeriod < renewDeadline < leaseDuration` is what makes the election safe: a
/// leader that cannot renew gives up at `renewDeadline`, before any standby may consider its lease
/// expired at `leaseDuration`.
public struct LeaseSettings: Sendable, Equatable {
    public var namespace: String
    public var name: String
    /// This instance's identity in `holderIdentity` (the pod name in a cluster). Must be unique.
    public var identity: String
    /// How long a standby waits, from when it last saw the record change, before taking over.
    public var leaseDuration: Duration
    /// How long the leader keeps leading without a successful renewal.
    public var renewDeadline: Duration
    /// How often a candidate tries to acquire and the leader renews.
    public var retryPeriod: Duration

    /// Creates and validates settings.
    /// - Throws: ``LeaseSettingsError`` when a name is empty or the timings are out of order.
    public init(namespace: String, name: String, identity: String, leaseDuration: Duration = .seconds(15),
                renewDeadline: Duration = .seconds(10), retryPeriod: Duration = .seconds(2)) throws(LeaseSettingsError) {
        self.namespace = namespace
        self.name = name
        self.identity = identity
        self.leaseDuration = leaseDuration
        self.renewDeadline = renewDeadline
        self.retryPeriod = retryPeriod
        try validate()
    }

    /// `namespace/name`, as the leadership snapshot names the Lease.
    public var leaseReference: String { "\(namespace)/\(name)" }

    /// `leaseDurationSeconds` written into the Lease: whole seconds, at least 1.
    var leaseDurationSeconds: Int { max(1, Int(leaseDuration.components.seconds)) }

    /// Checks names and timings again (after a field was changed).
    public func validate() throws(LeaseSettingsError) {
        if namespace.isEmpty || name.isEmpty { throw LeaseSettingsError("the lease needs a namespace and a name") }
        if identity.isEmpty { throw LeaseSettingsError("the lease identity is empty: set it to the pod name (e.g. from the downward API)") }
        if retryPeriod <= .zero { throw LeaseSettingsError("lease retryPeriod must be positive") }
        if renewDeadline >= leaseDuration {
            throw LeaseSettingsError("lease renewDeadline (\(renewDeadline)) must be shorter than leaseDuration (\(leaseDuration)): otherwise a standby could take over while the leader still believes it leads")
        }
        if retryPeriod >= renewDeadline {
            throw LeaseSettingsError("lease retryPeriod (\(retryPeriod)) must be shorter than renewDeadline (\(renewDeadline)): the leader must get at least one retry before it gives up")
        }
    }
}

/// Lease settings that cannot work; the message says what to change.
public struct LeaseSettingsError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
