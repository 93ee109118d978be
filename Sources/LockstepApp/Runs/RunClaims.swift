import Foundation
import Synchronization

/// One run at a time in this process, or one incident whose independent lanes run side by side.
/// Taken synchronously, before the first suspension point of a request, so that a scheduler tick
/// and an admin request cannot both pass the check and then both start (an actor runs the second
/// call while the first awaits). Across processes the store's write lock keeps runs apart.
public final class RunClaims: Sendable {
    private struct State {
        /// The credentials being rotated, in the order they were claimed.
        var active: [String] = []
        /// An incident holds the process (``hold()``): only its own claims are taken meanwhile.
        var held = false
        /// Those waiting in ``released(within:clock:)``, resumed when the claim goes.
        var waiters: [UUID: CheckedContinuation<Void, Never>] = [:]
        /// A run or an incident holds the process.
        var busy: Bool { !active.isEmpty || held }
    }

    private let state = Mutex(State())

    public init() {}

    /// The credential being rotated right now, if any (the first claimed, when an incident's
    /// lanes run several).
    public var current: String? { state.withLock { $0.active.first } }

    /// Whether a run of `credential` holds its claim now.
    public func holds(_ credential: String) -> Bool { state.withLock { $0.active.contains(credential) } }

    /// Waits until no run holds the process, at most `timeout` on `clock`. True when it was
    /// released (or free already), false when the bound passed first.
    public func released(within timeout: Duration, clock: any Clock<Duration> = ContinuousClock()) async -> Bool {
        if !state.withLock({ $0.busy }) { return true }
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
                    guard s.busy, !Task.isCancelled else { return true }
                    s.waiters[id] = waiter
                    return false
                }
                if now { waiter.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }

    /// Claims the process for `credential`; throws `busy` (75) when another run or an incident
    /// holds it. The caller releases it (`defer { claim.release() }`) when its request ends.
    public func claim(_ credential: String) throws -> Claim {
        try state.withLock { s in
            try Self.refuseBusy(s)
            s.active = [credential]
        }
        return Claim(owner: self, credential: credential)
    }

    /// Holds the process for one incident: no other run starts until the hold is released, and
    /// the incident's lanes claim their credentials through it, several at a time.
    public func hold() throws -> Hold {
        try state.withLock { s in
            try Self.refuseBusy(s)
            s.held = true
        }
        return Hold(owner: self)
    }

    private static func refuseBusy(_ s: State) throws {
        if let running = s.active.first {
            throw ServiceProblem("a rotation of \(running) is in progress", hint: "wait for it (`lockstep status`), then retry", code: .busy)
        }
        if s.held { throw ServiceProblem("an incident (revoke --all) is in progress", hint: "wait for it (`lockstep status`), then retry", code: .busy) }
    }

    fileprivate func claimHeld(_ credential: String) throws -> Claim {
        try state.withLock { s in
            guard s.held else { throw ServiceProblem("the incident's hold on the process was released", hint: nil, code: .failure) }
            guard !s.active.contains(credential) else { throw ServiceProblem("a rotation of \(credential) is in progress", hint: nil, code: .busy) }
            s.active.append(credential)
        }
        return Claim(owner: self, credential: credential)
    }

    fileprivate func release(_ credential: String) {
        state.withLock { $0.active.removeAll { $0 == credential } }
        wakeIfFree()
    }

    fileprivate func releaseHold() {
        state.withLock { $0.held = false }
        wakeIfFree()
    }

    private func wakeIfFree() {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            guard !s.busy else { return [] }
            defer { s.waiters = [:] }
            return Array(s.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// An incident's hold on the process (``hold()``); released once.
    public final class Hold: Sendable {
        fileprivate let owner: RunClaims
        private let once = Once()

        fileprivate init(owner: RunClaims) { self.owner = owner }

        /// Claims one of the incident's credentials; lanes claim theirs side by side.
        public func claim(_ credential: String) throws -> Claim { try owner.claimHeld(credential) }

        /// Gives the process back; a second call does nothing.
        public func release() {
            if once.first() { owner.releaseHold() }
        }

        deinit { release() }
    }

    /// The evidence ``RotationService/run(_:policy:on:claim:)`` asks for; released once.
    public final class Claim: Sendable {
        fileprivate let owner: RunClaims
        public let credential: String
        private let once = Once()

        fileprivate init(owner: RunClaims, credential: String) {
            self.owner = owner
            self.credential = credential
        }

        /// Gives the process back; a second call does nothing.
        public func release() {
            if once.first() { owner.release(credential) }
        }

        deinit { release() }
    }

    /// True for the first call only: what makes a release happen once.
    private final class Once: Sendable {
        private let done = Mutex(false)
        func first() -> Bool { done.withLock { d in defer { d = true }; return !d } }
    }
}
