import LockstepCore

/// Bounds one call to a server: it is cancelled after `timeout`, and the error names what was awaited.
enum ServerDeadline {
    static func run<T: Sendable>(_ timeout: Duration, _ what: String, at server: String, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else {
                throw ProviderError(.unavailable, status: nil, "\(server): no answer within \(timeout) to \(what)")
            }
            return value
        }
    }
}
