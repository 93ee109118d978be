import CSodium
import Synchronization
#if canImport(Glibc)
import Glibc
#endif


/// Key and secret material in libsodium's guarded memory.
///
/// - Memory comes from `sodium_malloc`: guard pages around it, a canary, `mlock`ed where the
///   system allows. It is `PROT_NONE` (`sodium_mprotect_noaccess`) whenever no reader is inside
///   `withUnsafeBytes`, and `sodium_free` wipes it on release.
/// - It prints as `<redacted>` in `description`, `debugDescription` and its Mirror.
/// - It is deliberately not `Codable`, not `Hashable`, and has no conversion to `String` or
///   `Data`: reading the bytes needs an explicit `withUnsafeBytes`, which makes a leak visible in review.
public final class SecretBytes: @unchecked Sendable {
    // The pointer is owned here and never escapes except inside `withUnsafeBytes`.
    private let pointer: UnsafeMutableRawPointer
    /// Number of secret bytes.
    public let count: Int
    // Readers currently inside `withUnsafeBytes`; protection flips only at 0 <-> 1.
    private let readers = Mutex<Int>(0)

    /// Allocates `count` bytes of guarded memory and lets `initialise` fill them.
    /// The memory is writable only during `initialise`.
    public init(count: Int, initialise: (UnsafeMutableRawBufferPointer) throws -> Void) throws {
        try ensureSodium()
        // sodium_malloc(0) is valid but returns a pointer we must not touch; allocate 1 byte then.
        guard let p = sodium_malloc(max(count, 1)) else { throw CryptoError(.memory, operation: "sodium_malloc") }
        self.pointer = p
        self.count = count
        // From here on `deinit` owns the pointer: a throw below deallocates self, and deinit
        // frees (and wipes) the memory exactly once.
        do {
            try initialise(UnsafeMutableRawBufferPointer(start: p, count: count))
        } catch {
            sodium_memzero(p, max(count, 1))
            throw error
        }
        guard sodium_mprotect_noaccess(p) == 0 else {
            throw CryptoError(.memory, operation: "sodium_mprotect_noaccess")
        }
        SecretRegistry.shared.register(self)
    }

    /// Copies `bytes` into guarded memory. The caller remains responsible for its own copy.
    public convenience init(copying bytes: UnsafeRawBufferPointer) throws {
        try self.init(count: bytes.count) { dst in
            if let base = bytes.baseAddress, bytes.count > 0 { dst.baseAddress!.copyMemory(from: base, byteCount: bytes.count) }
        }
    }

    /// The UTF-8 bytes of `text`, in guarded memory. For values that are already in a `String`
    /// (a URL written beside a key, a test's fixture): the `String` itself is not wiped.
    public convenience init(utf8 text: String) throws {
        var bytes = Array(text.utf8)
        defer { Self.wipe(&bytes) }
        try self.init(count: bytes.count) { dst in
            bytes.withUnsafeBytes { src in
                if let base = src.baseAddress, !src.isEmpty { dst.baseAddress!.copyMemory(from: base, byteCount: src.count) }
            }
        }
    }

    /// No bytes (an empty ring, an absent value written back).
    public static func empty() throws -> SecretBytes { try SecretBytes(count: 0) { _ in } }

    /// Copies `bytes` into guarded memory and wipes the caller's array.
    public static func take(_ bytes: inout [UInt8]) throws -> SecretBytes {
        defer { wipe(&bytes) }
        return try bytes.withUnsafeBytes { try SecretBytes(copying: $0) }
    }

    /// Wipes a transient array that held secret bytes (`sodium_memzero`, which the compiler cannot elide).
    public static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { if let b = $0.baseAddress { sodium_memzero(b, $0.count) } }
    }

    /// `count` fresh random bytes from libsodium's CSPRNG.
    public static func random(count: Int) throws -> SecretBytes {
        try SecretBytes(count: count) { buffer in
            if count > 0 { randombytes_buf(buffer.baseAddress!, count) }
        }
    }

    deinit {
        SecretRegistry.shared.unregister(ObjectIdentifier(self))
        // sodium_free wipes the region (it may be PROT_NONE; sodium_free re-enables access first).
        sodium_free(pointer)
    }

    /// Gives read-only access to the bytes for the duration of `body`. Do not let the buffer escape.
    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        readers.withLock { n in
            if n == 0 { _ = sodium_mprotect_readonly(pointer) }
            n += 1
        }
        defer {
            readers.withLock { n in
                n -= 1
                if n == 0 { _ = sodium_mprotect_noaccess(pointer) }
            }
        }
        return try body(UnsafeRawBufferPointer(start: pointer, count: count))
    }

    /// Keeps the bytes readable for the duration of `body`, so that the many uses inside it
    /// (e.g. every seal of a vault transaction under the vault key) do not each pay two
    /// `mprotect` calls. Outside it the memory is `PROT_NONE` again.
    public func unlocked<R, E: Error>(_ body: () throws(E) -> R) throws(E) -> R {
        try withUnsafeBytes { (_: UnsafeRawBufferPointer) throws(E) -> R in try body() }
    }

    /// `unlocked` for several secrets at once.
    public static func unlocked<R>(_ secrets: [SecretBytes], _ body: () throws -> R) throws -> R {
        guard let first = secrets.first else { return try body() }
        return try first.unlocked { try unlocked(Array(secrets.dropFirst()), body) }
    }

    /// Constant-time comparison of two secrets of equal length (`sodium_memcmp`).
    public func constantTimeEquals(_ other: SecretBytes) -> Bool {
        guard count == other.count else { return false }
        return withUnsafeBytes { a in
            other.withUnsafeBytes { b in
                count == 0 || sodium_memcmp(a.baseAddress!, b.baseAddress!, count) == 0
            }
        }
    }

    /// Constant-time comparison with public bytes of equal length.
    public func constantTimeEquals(_ other: [UInt8]) -> Bool {
        guard count == other.count else { return false }
        return withUnsafeBytes { a in
            other.withUnsafeBytes { b in
                count == 0 || sodium_memcmp(a.baseAddress!, b.baseAddress!, count) == 0
            }
        }
    }

    /// Whether the secret occurs anywhere inside `haystack` (used by the audit guard).
    public func occurs(in haystack: UnsafeRawBufferPointer) -> Bool {
        withUnsafeBytes { needle in
            guard needle.count > 0, haystack.count >= needle.count else { return false }
            let first = needle[0]
            var i = 0
            let last = haystack.count - needle.count
            while i <= last {
                if haystack[i] == first, memcmp(haystack.baseAddress! + i, needle.baseAddress!, needle.count) == 0 { return true }
                i += 1
            }
            return false
        }
    }
}

extension SecretBytes: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
    public var customMirror: Mirror { Mirror(self, children: ["value": "<redacted>"], displayStyle: .struct) }
}
