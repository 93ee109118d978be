import Synchronization

/// Tracks every live `SecretBytes` in the process, so that a guard can refuse to write text
/// (an audit entry, a log line) that contains the value of any secret the process holds.
///
/// Entries are weak: the registry never keeps a secret alive, and `SecretBytes.deinit` removes
/// its own entry.
public final class SecretRegistry: Sendable {
    public static let shared = SecretRegistry()

    private struct WeakSecret: @unchecked Sendable { weak var secret: SecretBytes? }
    private let secrets = Mutex<[ObjectIdentifier: WeakSecret]>([:])

    /// Secrets shorter than this are not guarded: short random byte strings occur in ordinary
    /// text by chance, and no credential Lockstep handles is that short.
    public static let minimumGuardedLength = 8

    func register(_ secret: SecretBytes) {
        guard secret.count >= Self.minimumGuardedLength else { return }
        secrets.withLock { $0[ObjectIdentifier(secret)] = WeakSecret(secret: secret) }
    }

    func unregister(_ id: ObjectIdentifier) {
        _ = secrets.withLock { $0.removeValue(forKey: id) }
    }

    /// Number of secrets currently guarded (for tests and diagnostics).
    public var count: Int { secrets.withLock { $0.count } }

    /// Whether any live secret occurs in `bytes`.
    public func anySecretOccurs(in bytes: [UInt8]) -> Bool {
        let live = secrets.withLock { $0.values.compactMap(\.secret) }
        return bytes.withUnsafeBytes { haystack in live.contains { $0.occurs(in: haystack) } }
    }
}
