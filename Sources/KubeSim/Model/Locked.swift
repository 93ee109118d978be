import Synchronization

/// A value shared between tasks behind a lock (a copyable handle on a `Mutex`).
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) {
        mutex = Mutex(value)
    }

    func withLock<R>(_ body: (inout sending Value) throws -> sending R) rethrows -> sending R {
        try mutex.withLock(body)
    }

    var value: Value { mutex.withLock { $0 } }
}
