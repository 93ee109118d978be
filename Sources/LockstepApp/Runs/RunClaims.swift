import Foundation
import Synchronization

/// One run at a time in this process. Taken synchronously, before the first suspension point of
/// a request, so that a scheduler tick and an admin request cannot both pass the check and then
/// both start (an actor runs the second call while the first awaits). Across processes the
/// store's write lock keeps runs apart.
public final class RunClaims: Sendable {
    private struct State {
        var active: String?
        /// Those waiting in ``released(within:clock:)``, resumed when the claim goes.
        var waiters: [UUID: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    /// The credential being rotated right now, if any.
    public var current: String? { state.withLock { $0.active } }

    /// Waits until no run holds the process, at most `timeout` on `clock`. True when it was
    /// released (or free already), false when the bound passed first.
    public func released(within timeout: Duration, clock: any Clock<Duration> = ContinuousClock()) async -> Bool {
        if current == nil { return true }
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask { await self.untilReleased(); return true }
            group.addTask {
                do { try await clock.sleep(for: timeout) } catch { return false }
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }

    private func untilReleased() async {
        let id = UUID()
        await withTaskCancellationHandler {
            await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
                let now = state.withLock { s -> Bool in
                    guard s.active != nil, !Task.isCancelled else { return true }
                    s.waiters[id] = waiter
                    return false
                }
                if now { waiter.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }

    /// Claims the process for `credential`; throws `busy` (75) when another run holds it. The
    /// caller releases it (`defer { claim.release() }`) when its request ends.
    public func claim(_ credential: String) throws -> Claim {
        try state.withLock { s in
            if let held = s.active {
                throw ServiceProblem("a rotation of \(held) is in progress", hint: "wait for it (`lockstep status`), then retry", code: .busy)
            }
            s.active = credential
        }
        return Claim(owner: self, credential: credential)
    }

    fileprivate func release(_ credential: String) {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            guard s.active == credential else { return [] }
            s.active = nil
            defer { s.waiters = [:] }
            return Array(s.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// The evidence ``RotationService/run(_:policy:on:claim:)`` asks for; released once.
    public final class Claim: Sendable {
        fileprivate let owner: RunClaims
        public let credential: String
        private let released = Mutex(false)

        fileprivate init(owner: RunClaims, credential: String) {
            self.owner = owner
            self.credential = credential
        }

        /// Gives the process back; a second call does nothing.
        public func release() {
            let first = released.withLock { done in defer { done = true }; return !done }
            if first { owner.release(credential) }
        }

        deinit { release() }
    }
}
