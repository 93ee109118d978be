import Synchronization

/// A process that has died, for port fakes: once tripped, every call of a fake that shares it
/// (cluster, gateway, store) throws ``Crashed``, so nothing of the "dead" run reaches the journal
/// or the cluster any more. `reset()` is the restart: a new engine then resumes from the journal.
public final class CrashSwitch: Sendable {
    private let tripped = Mutex(false)

    public init() {}

    public var isTripped: Bool { tripped.withLock { $0 } }
    public func trip() { tripped.withLock { $0 = true } }
    public func reset() { tripped.withLock { $0 = false } }

    /// Throws ``Crashed`` when tripped.
    public func check() throws {
        if isTripped { throw Crashed() }
    }
}

/// What a call into a crashed process gets.
public struct Crashed: Error, CustomStringConvertible {
    public init() {}
    public var description: String { "the process crashed (test)" }
}
