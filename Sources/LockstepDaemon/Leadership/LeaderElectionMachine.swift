import Foundation
import LockstepKubernetes

/// client-go `leaderelection` as a value type: each method takes what was observed (a Lease read or
/// the result of a write) and the current instant, and returns the next thing to do. A thin driver
/// (``LeaderElector``) carries the actions out; tests feed results and instants and need no sleeps.
///
/// The rules, as in client-go:
/// - Every attempt reads the Lease. A Lease held by another identity is considered expired only
///   when `leaseDuration` has passed since *this instance last saw the record change* — never from
///   the remote `renewTime`, so clock skew between instances does not matter.
/// - Acquire and renew are PUTs guarded by `resourceVersion` (create when absent). A conflict means
///   someone else wrote first: read again and do not lead.
/// - Taking the Lease from a different (or no) holder sets `acquireTime` and increments
///   `leaseTransitions`; renewing keeps both.
/// - The leader stops leading when its last successful renewal is `renewDeadline` old, which is
///   before any standby may take over (`renewDeadline < leaseDuration`, measured from later instants).
/// - On shutdown the leader releases: no holder, `leaseDurationSeconds` 1, transitions kept
///   (client-go's ReleaseOnCancel), so that a standby takes over at its next retry.
public struct LeaderElectionMachine<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    /// What the driver does next.
    public enum Action: Sendable, Equatable {
        /// Read the Lease, then call ``leaseRead(_:now:wall:)``.
        case get
        /// Create the Lease with this spec, then call ``leaseCreated(_:now:wall:)``.
        case create(Lease.Spec)
        /// PUT this Lease (guarded by its resourceVersion), then call ``leaseUpdated(_:now:wall:)``.
        case update(Lease)
        /// Wait, then call ``wake(now:)``.
        case sleep(until: Instant)
        /// Shutdown is complete.
        case stop
    }

    private enum Pending: Equatable {
        case none
        /// A read; `afterConflict` means a write just lost, so this read only updates what we know.
        case read(afterConflict: Bool)
        case create
        case update
        case release
    }

    public let settings: LeaseSettings
    /// The Lease as last read or written by this instance.
    public private(set) var observed: Lease?
    /// When this instance last saw the record change (or wrote it): the start of the expiry clock.
    public private(set) var observedAt: Instant?
    /// Wall time of `observedAt`, for reports.
    public private(set) var observedWallTime: Date?
    /// The last failed call, for logs (cleared by a success).
    public private(set) var lastError: LeaseStoreError?
    /// Why leadership was last lost, for logs.
    public private(set) var lossReason: String?
    private var leading = false
    /// When the last successful acquire or renew was *sent* (conservative: the write happened after).
    private var renewedAt: Instant?
    private var writeSentAt: Instant?
    private var pending = Pending.none
    public private(set) var isShuttingDown = false

    public init(settings: LeaseSettings) {
        self.settings = settings
    }

    /// Whether this instance leads at `now`: it holds the Lease and renewed within `renewDeadline`.
    public func isLeader(at now: Instant) -> Bool {
        guard leading, let renewedAt else { return false }
        return now < renewedAt.advanced(by: settings.renewDeadline)
    }

    /// The holder named in the Lease as last observed (nil when absent or released).
    public var holder: String? { Self.holder(of: observed) }

    /// Starts an attempt (at start, and after each sleep).
    public mutating func wake(now: Instant) -> Action {
        expireIfDue(now)
        if isShuttingDown { return .stop }
        pending = .read(afterConflict: false)
        return .get
    }

    /// The result of `.get`.
    public mutating func leaseRead(_ result: Result<Lease, LeaseStoreError>, now: Instant, wall: Date) -> Action {
        expireIfDue(now)
        guard case .read(let afterConflict) = pending else { return retryLater(now) }
        switch result {
        case .failure(.notFound):
            lastError = nil
            if observed != nil { observe(nil, now: now, wall: wall) }
            if afterConflict { return retryLater(now) }
            if leading { lose("the lease disappeared") }
            pending = .create
            writeSentAt = now
            return .create(Lease.Spec(holderIdentity: settings.identity, leaseDurationSeconds: settings.leaseDurationSeconds,
                                      acquireTime: wall, renewTime: wall, leaseTransitions: 0))
        case .failure(let error):
            // Keep leading until the renew deadline: one failed read is not a lost lease.
            lastError = error
            return retryLater(now)
        case .success(let lease):
            lastError = nil
            observe(lease, now: now, wall: wall)
            let current = Self.holder(of: lease)
            if let current, current != settings.identity {
                if leading { lose("the lease is now held by \(current)") }
                if afterConflict { return retryLater(now) }
                if let observedAt, now < observedAt.advanced(by: settings.leaseDuration) { return retryLater(now) }
            } else if afterConflict {
                return retryLater(now)
            }
            var next = lease
            next.metadata.managedFields = nil
            if current != settings.identity {
                next.spec.acquireTime = wall
                next.spec.leaseTransitions = (lease.spec.leaseTransitions ?? 0) + 1
            }
            next.spec.holderIdentity = settings.identity
            next.spec.leaseDurationSeconds = settings.leaseDurationSeconds
            next.spec.renewTime = wall
            pending = .update
            writeSentAt = now
            return .update(next)
        }
    }

    /// The result of `.create`.
    public mutating func leaseCreated(_ result: Result<Lease, LeaseStoreError>, now: Instant, wall: Date) -> Action {
        expireIfDue(now)
        guard pending == .create else { return retryLater(now) }
        return afterWrite(result, now: now, wall: wall)
    }

    /// The result of `.update`, for an acquire, a renewal or the release.
    public mutating func leaseUpdated(_ result: Result<Lease, LeaseStoreError>, now: Instant, wall: Date) -> Action {
        expireIfDue(now)
        if pending == .release {
            pending = .none
            switch result {
            case .success(let lease):
                lastError = nil
                observe(lease, now: now, wall: wall)
            case .failure(let error):
                lastError = error
            }
            return .stop
        }
        guard pending == .update else { return retryLater(now) }
        return afterWrite(result, now: now, wall: wall)
    }

    /// Graceful shutdown: stop leading at once and, when the Lease as last seen names this instance,
    /// release it. Returns `.update(released)` or `.stop`.
    public mutating func shutdown(now: Instant, wall: Date) -> Action {
        isShuttingDown = true
        if leading { lose("shutting down") }
        guard var lease = observed, Self.holder(of: lease) == settings.identity else {
            pending = .none
            return .stop
        }
        lease.metadata.managedFields = nil
        lease.spec.holderIdentity = nil
        lease.spec.leaseDurationSeconds = 1
        lease.spec.acquireTime = wall
        lease.spec.renewTime = wall
        pending = .release
        return .update(lease)
    }

    // MARK: - Private

    private mutating func afterWrite(_ result: Result<Lease, LeaseStoreError>, now: Instant, wall: Date) -> Action {
        switch result {
        case .success(let lease):
            lastError = nil
            observe(lease, now: now, wall: wall)
            // The write was accepted: we lead from when it was sent.
            leading = true
            renewedAt = writeSentAt ?? now
            lossReason = nil
            return retryLater(now)
        case .failure(.conflict):
            // Someone else wrote first: they lead (or are about to). Re-read to learn who.
            lastError = .conflict
            if leading { lose("another instance wrote the lease (conflict)") }
            pending = .read(afterConflict: true)
            return .get
        case .failure(let error):
            lastError = error
            return retryLater(now)
        }
    }

    private mutating func observe(_ lease: Lease?, now: Instant, wall: Date) {
        // client-go compares the whole record; the spec is the record (resourceVersion does not move
        // without a spec change).
        if observed == nil || observed?.spec != lease?.spec {
            observedAt = now
            observedWallTime = wall
        }
        observed = lease
    }

    private mutating func expireIfDue(_ now: Instant) {
        if leading && !isLeader(at: now) {
            lose("no successful renewal within the renew deadline (\(settings.renewDeadline))")
        }
    }

    private mutating func lose(_ reason: String) {
        leading = false
        lossReason = reason
    }

    private mutating func retryLater(_ now: Instant) -> Action {
        pending = .none
        if isShuttingDown { return .stop }
        return .sleep(until: now.advanced(by: settings.retryPeriod))
    }

    private static func holder(of lease: Lease?) -> String? {
        guard let holder = lease?.spec.holderIdentity, !holder.isEmpty else { return nil }
        return holder
    }
}
