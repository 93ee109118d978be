import Synchronization

/// One run at a time in this process. Taken synchronously, before the first suspension point of
/// a request, so that a scheduler tick and an admin request cannot both pass the check and then
/// both start (an actor runs the second call while the first awaits). Across processes the
/// store's write lock keeps runs apart.
public final class RunClaims: Sendable {
    private let active = Mutex<String?>(nil)

    public init() {}

    /// The credential being rotated right now, if any.
    public var current: String? { active.withLock { $0 } }

    /// Claims the process for `credential`; throws `busy` (75) when another run holds it. The
    /// caller releases it (`defer { claim.release() }`) when its request ends.
    public func claim(_ credential: String) throws -> Claim {
        try active.withLock { held in
            if let held {
                throw ServiceProblem("a rotation of \(held) is in progress", hint: "wait for it (`lockstep status`), then retry", code: .busy)
            }
            held = credential
        }
        return Claim(owner: self, credential: credential)
    }

    fileprivate func release(_ credential: String) {
        active.withLock { held in if held == credential { held = nil } }
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
