import Foundation
import LockstepCore
import LockstepKubernetes
import Logging
import ServiceLifecycle

/// Leader election on a coordination.k8s.io/v1 Lease, with client-go's semantics
/// (see ``LeaderElectionMachine``). A `Service`: `run()` campaigns until graceful shutdown or
/// cancellation, then releases the Lease if this instance holds it.
///
/// ``snapshot()`` answers from memory and turns `isLeader` false as soon as the renew deadline
/// passes, even while a Lease call is still hanging.
///
/// Every wait (the retry period, a Lease call's bound) is on `clock`: the daemon's is the
/// monotonic ``LeaderElector`` (`ContinuousClock`); tests drive expiry and takeover on a clock
/// they advance.
public actor LeaseElector<C: Clock>: LeadershipView, Service where C.Duration == Duration {
    public nonisolated let settings: LeaseSettings
    private let store: any LeaseStore
    private let logger: Logger
    private let wallClock: @Sendable () -> Date
    private let clock: C
    private var machine: LeaderElectionMachine<C.Instant>
    private var subscribers: [UInt64: AsyncStream<LeadershipSnapshot>.Continuation] = [:]
    private var nextSubscriber: UInt64 = 0
    /// What subscribers were last told (leader flag and holder only: renewals are not news).
    private var published: (isLeader: Bool, holder: String?) = (false, nil)
    private var stopped = false
    /// The Lease call error last logged at warning level: a repeat of it is logged at debug only.
    private var loggedError: LeaseStoreError?

    /// - Parameters:
    ///   - store: the Lease (``KubernetesLeaseStore`` in production).
    ///   - clock: expiry, renewals and call bounds are measured on it (monotonic in production).
    ///   - now: wall time written into `acquireTime`/`renewTime`.
    public init(settings: LeaseSettings, store: any LeaseStore, clock: C, logger: Logger = Logger(label: "lockstep.leadership"),
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.settings = settings
        self.store = store
        self.clock = clock
        self.logger = logger
        self.wallClock = now
        self.machine = LeaderElectionMachine(settings: settings)
    }

    /// Who leads, from memory (no I/O).
    public func snapshot() -> LeadershipSnapshot {
        LeadershipSnapshot(identity: settings.identity, isLeader: machine.isLeader(at: clock.now), holder: machine.holder,
                           observedAt: machine.observedWallTime.map(Timestamp.init), lease: settings.leaseReference)
    }

    /// A stream of snapshots: the current one first, then one whenever leadership or the holder
    /// changes. It ends when ``run()`` returns. A slow reader sees the newest snapshots only.
    public func changes() -> AsyncStream<LeadershipSnapshot> {
        let (stream, continuation) = AsyncStream<LeadershipSnapshot>.makeStream(bufferingPolicy: .bufferingNewest(8))
        continuation.yield(snapshot())
        if stopped {
            continuation.finish()
            return stream
        }
        let id = nextSubscriber
        nextSubscriber += 1
        subscribers[id] = continuation
        continuation.onTermination = { _ in Task { await self.unsubscribe(id) } }
        return stream
    }

    /// Returns once this instance leads.
    /// - Throws: `CancellationError` when the calling task is cancelled; ``LeaderElectorStopped``
    ///   when the elector stopped first.
    public func waitUntilLeader() async throws {
        for await snapshot in changes() where snapshot.isLeader { return }
        try Task.checkCancellation()
        throw LeaderElectorStopped()
    }

    /// Campaigns until graceful shutdown or cancellation, then releases the Lease if held.
    public func run() async throws {
        logger.info("leader election started", metadata: ["lease": "\(settings.leaseReference)", "identity": "\(settings.identity)"])
        await cancelWhenGracefulShutdown { await self.campaign() }
        await release()
        stopped = true
        for continuation in subscribers.values { continuation.finish() }
        subscribers.removeAll()
    }

    // MARK: - Driver

    private func campaign() async {
        var action = machine.wake(now: clock.now)
        while !Task.isCancelled {
            switch action {
            case .get:
                let result = await call { [store] in try await store.get() }
                action = machine.leaseRead(result, now: clock.now, wall: wallClock())
            case .create(let spec):
                let result = await call { [store] in try await store.create(spec) }
                action = machine.leaseCreated(result, now: clock.now, wall: wallClock())
            case .update(let lease):
                let result = await call { [store] in try await store.update(lease) }
                action = machine.leaseUpdated(result, now: clock.now, wall: wallClock())
            case .sleep(let deadline):
                do { try await clock.sleep(until: deadline, tolerance: nil) } catch { return }
                action = machine.wake(now: clock.now)
            case .stop:
                return
            }
            logCallErrors()
            publish()
        }
    }

    /// Releases the Lease (bounded) in a task of its own: the caller may already be cancelled, and a
    /// cancelled request would leave standbys waiting a whole lease duration.
    private func release() async {
        let action = machine.shutdown(now: clock.now, wall: wallClock())
        publish()
        guard case .update(let lease) = action else { return }
        let store = self.store
        let timeout = min(settings.renewDeadline, .seconds(5))
        let clock = self.clock
        let result = await Task { await Self.bounded(timeout, on: clock) { try await store.update(lease) } }.value
        _ = machine.leaseUpdated(result, now: clock.now, wall: wallClock())
        switch result {
        case .success:
            logger.info("released the lease", metadata: ["lease": "\(settings.leaseReference)", "identity": "\(settings.identity)"])
        case .failure(let error):
            logger.warning("could not release the lease; standbys take over when it expires",
                           metadata: ["lease": "\(settings.leaseReference)", "error": "\(error)"])
        }
        publish()
    }

    /// One Lease call, bounded by the renew deadline: past it, the answer no longer matters.
    private func call(_ operation: @escaping @Sendable () async throws -> Lease) async -> Result<Lease, LeaseStoreError> {
        await Self.bounded(settings.renewDeadline, on: clock, operation)
    }

    private static func bounded(_ timeout: Duration, on clock: C, _ operation: @escaping @Sendable () async throws -> Lease) async -> Result<Lease, LeaseStoreError> {
        await withTaskGroup(of: Result<Lease, LeaseStoreError>?.self) { group in
            group.addTask {
                do { return .success(try await operation()) } catch { return .failure(.from(error)) }
            }
            group.addTask {
                do { try await clock.sleep(until: clock.now.advanced(by: timeout), tolerance: nil) } catch { return nil }
                return .failure(.other("lease call timed out after \(timeout)"))
            }
            for await result in group {
                if let result {
                    group.cancelAll()
                    return result
                }
            }
            return .failure(.other("lease call cancelled"))
        }
    }

    /// A new kind of failure (403, 5xx, timeouts) is a warning once; its repeats are debug; the
    /// first success after failures is logged too. Conflicts are part of the protocol: debug.
    private func logCallErrors() {
        let metadata: Logger.Metadata = ["lease": "\(settings.leaseReference)", "identity": "\(settings.identity)"]
        switch machine.lastError {
        case nil:
            if loggedError != nil { logger.info("lease calls succeed again", metadata: metadata) }
            loggedError = nil
        case .conflict?, .notFound?:
            logger.debug("lease changed concurrently or is absent", metadata: metadata)
        case let error?:
            if error == loggedError {
                logger.debug("lease call failed", metadata: metadata.merging(["error": "\(error)"]) { $1 })
            } else {
                logger.warning("lease call failed; retrying every retry period", metadata: metadata.merging(["error": "\(error)"]) { $1 })
                loggedError = error
            }
        }
    }

    private func publish() {
        let now = snapshot()
        guard now.isLeader != published.isLeader || now.holder != published.holder else { return }
        let metadata: Logger.Metadata = ["lease": "\(settings.leaseReference)", "identity": "\(settings.identity)", "holder": "\(now.holder ?? "none")"]
        if now.isLeader && !published.isLeader {
            logger.info("became leader", metadata: metadata.merging(["transitions": "\(machine.observed?.spec.leaseTransitions ?? 0)"]) { $1 })
        } else if !now.isLeader && published.isLeader {
            logger.warning("stopped leading", metadata: metadata.merging(["reason": "\(machine.lossReason ?? "unknown")"]) { $1 })
        } else {
            logger.info("lease holder changed", metadata: metadata)
        }
        published = (now.isLeader, now.holder)
        for continuation in subscribers.values { continuation.yield(now) }
    }

    private func unsubscribe(_ id: UInt64) {
        subscribers[id] = nil
    }
}

/// The daemon's elector: expiry on the monotonic clock.
public typealias LeaderElector = LeaseElector<ContinuousClock>

extension LeaseElector where C == ContinuousClock {
    /// An elector on the monotonic clock; `now` as for the designated initializer.
    public init(settings: LeaseSettings, store: any LeaseStore, logger: Logger = Logger(label: "lockstep.leadership"),
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.init(settings: settings, store: store, clock: ContinuousClock(), logger: logger, now: now)
    }

    /// An elector on the Lease `settings` names, through `client`.
    public init(settings: LeaseSettings, client: KubernetesClient, logger: Logger = Logger(label: "lockstep.leadership")) {
        self.init(settings: settings, store: KubernetesLeaseStore(client: client, settings: settings), logger: logger)
    }
}

/// ``LeaseElector/waitUntilLeader()`` gave up: the elector stopped before this instance led.
public struct LeaderElectorStopped: Error, Sendable, CustomStringConvertible {
    public init() {}
    public var description: String { "leader election stopped before this instance became leader" }
}
