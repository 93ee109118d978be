import Foundation

/// The stand-in's "database": virtual keys in one JSON file shared by every gateway pod (as
/// LiteLLM's pods share PostgreSQL). Writes take an exclusive `flock` and replace the file
/// atomically. Test-bench only: keys are stored as given (LiteLLM stores hashes).
public struct VirtualKeyStore: Sendable {
    public struct Key: Codable, Sendable, Equatable {
        public var key: String
        public var alias: String?
    }

    public let path: String

    public init(path: String) { self.path = path }

    public func all() -> [Key] {
        guard let data = FileManager.default.contents(atPath: path), let keys = try? JSONDecoder().decode([Key].self, from: data) else { return [] }
        return keys
    }

    public func contains(_ key: String) -> Bool { all().contains { constantTimeEqual($0.key, key) } }

    /// Runs `change` on the keys under an exclusive lock and writes the result.
    public func update<R>(_ change: (inout [Key]) -> R) throws -> R {
        let lockFD = open(path + ".lock", O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard lockFD >= 0 else { throw BenchError("cannot lock \(path)") }
        defer { close(lockFD) }
        guard flock(lockFD, LOCK_EX) == 0 else { throw BenchError("cannot lock \(path)") }
        defer { flock(lockFD, LOCK_UN) }
        var keys = all()
        let result = change(&keys)
        let tmp = path + ".tmp-\(getpid())"
        try JSONEncoder().encode(keys).write(to: URL(fileURLWithPath: tmp))
        guard rename(tmp, path) == 0 else { throw BenchError("cannot replace \(path)") }
        return result
    }
}

/// Compares without an early exit on the first differing byte.
func constantTimeEqual(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8), y = Array(b.utf8)
    guard x.count == y.count else { return false }
    var diff: UInt8 = 0
    for i in x.indices { diff |= x[i] ^ y[i] }
    return diff == 0
}
