import Synchronization

/// A clock that moves only when the test calls `advance(by:)`; sleepers wake when it passes
/// their deadline, and a cancelled sleeper wakes at once with `CancellationError`. Unlike
/// `VirtualClock`, which jumps to every deadline, it lets a test hold time still while several
/// tasks race (two leader electors, a Lease call and its timeout) and then move it on.
public final class ManualClock: Clock, Sendable {
    public typealias Instant = VirtualClock.Instant

    private struct Sleeper {
        var deadline: Instant
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now = Instant(offset: .zero)
        var sleepers: [UInt64: Sleeper] = [:]
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())

    public init() {}

    public var now: Instant { state.withLock { $0.now } }
    public var minimumResolution: Duration { .nanoseconds(1) }
    /// The time advanced so far, in all.
    public var elapsed: Duration { now.offset }
    /// How many tasks sleep on the clock now.
    public var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    public func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        let id = state.withLock { s in
            defer { s.nextID += 1 }
            return s.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome: Result<Void, any Error>? = state.withLock { s in
                    // Checked under the lock: a cancellation that ran its handler before this
                    // found nothing to wake, so it is seen here.
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if deadline <= s.now { return .success(()) }
                    s.sleepers[id] = Sleeper(deadline: deadline, continuation: continuation)
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let sleeper = state.withLock { $0.sleepers.removeValue(forKey: id) }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves the clock on and wakes every sleeper whose deadline it reached.
    public func advance(by duration: Duration) {
        let due = state.withLock { s -> [Sleeper] in
            s.now = s.now.advanced(by: duration)
            let now = s.now
            let ids = s.sleepers.filter { $0.value.deadline <= now }.map(\.key)
            return ids.compactMap { s.sleepers.removeValue(forKey: $0) }
        }
        for sleeper in due { sleeper.continuation.resume() }
    }

    /// How many sleepers wake within `window` of now (all of them when `window` is nil).
    public func sleeperCount(wakingWithin window: Duration?) -> Int {
        state.withLock { s in
            guard let window else { return s.sleepers.count }
            let limit = s.now.advanced(by: window)
            return s.sleepers.values.filter { $0.deadline <= limit }.count
        }
    }

    /// Waits (in real time, at most `timeout`) until at least `count` tasks sleep on the clock,
    /// counting only those that wake within `window` of now when it is given (to tell a task's
    /// own pause from the bound of a call it is making). Returns whether they did.
    public func waitForSleepers(_ count: Int, wakingWithin window: Duration? = nil, timeout: Duration = .seconds(30)) async -> Bool {
        let end = ContinuousClock.now.advanced(by: timeout)
        while sleeperCount(wakingWithin: window) < count {
            guard ContinuousClock.now < end else { return false }
            try? await Task.sleep(for: .milliseconds(1))
        }
        return true
    }
}
