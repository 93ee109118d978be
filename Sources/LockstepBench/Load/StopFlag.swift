import Synchronization

/// Set once to stop a run: the scheduler sees it within one tick and starts no more requests.
public final class StopFlag: Sendable {
    private let stopped = Atomic(false)

    public init() {}

    /// Asks the run to stop.
    public func stop() { stopped.store(true, ordering: .sequentiallyConsistent) }

    /// Whether ``stop()`` was called.
    public var isStopped: Bool { stopped.load(ordering: .sequentiallyConsistent) }
}
