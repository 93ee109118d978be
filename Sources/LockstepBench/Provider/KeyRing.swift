import Foundation
import Synchronization

/// The API keys the fake provider accepts: fixed ones (from `FAKE_PROVIDER_KEYS`) plus the lines
/// of a keys file, which is read again whenever it changes (inode, size or modification time), so
/// a test can rotate the provider key by adding the new line and later removing the old one.
///
/// Keys are compared in constant time and never printed; `description` shows only counts.
public final class KeyRing: Sendable, CustomStringConvertible {
    private let fixed: [[UInt8]]
    private let path: String?
    private let cache = Mutex<(stamp: FileStamp?, keys: [[UInt8]])>((nil, []))

    /// `fixed` keys are always accepted; `file` (optional) holds one key per line (blank lines
    /// and lines starting with `#` are skipped). A missing file accepts no key from it.
    public init(fixed: [String] = [], file: String? = nil) {
        self.fixed = fixed.map { Array($0.utf8) }.filter { !$0.isEmpty }
        self.path = file
    }

    /// The keys of `FAKE_PROVIDER_KEYS`: comma-separated, surrounding spaces dropped.
    public static func parseList(_ value: String?) -> [String] {
        (value ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// The keys of a keys file's text: one per line; blank lines and `#` comments skipped.
    public static func parseFile(_ text: String) -> [String] {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("#") }
    }

    /// Whether `presented` is one of the accepted keys now.
    public func accepts(_ presented: String) -> Bool {
        let candidate = Array(presented.utf8)
        guard !candidate.isEmpty else { return false }
        // Check every key, without an early exit, so timing does not tell which one matched.
        var found = false
        for key in fixed + fileKeys() where Self.constantTimeEqual(key, candidate) { found = true }
        return found
    }

    /// How many keys are accepted now.
    public var count: Int { fixed.count + fileKeys().count }

    public var description: String { "KeyRing(\(count) keys)" }

    private func fileKeys() -> [[UInt8]] {
        guard let path else { return [] }
        let stamp = FileStamp(path: path)
        return cache.withLock { cached in
            if let stamp, stamp == cached.stamp { return cached.keys }
            guard let stamp, let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                cached = (nil, [])
                return []
            }
            cached = (stamp, Self.parseFile(text).map { Array($0.utf8) })
            return cached.keys
        }
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in a.indices { difference |= a[i] ^ b[i] }
        return difference == 0
    }
}

/// What identifies one version of a file: a rename (atomic write), a size or a time change shows.
struct FileStamp: Equatable {
    let inode: UInt64
    let size: Int64
    let seconds: Int
    let nanoseconds: Int

    init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        #if canImport(Darwin)
        seconds = Int(info.st_mtimespec.tv_sec)
        nanoseconds = Int(info.st_mtimespec.tv_nsec)
        #else
        seconds = Int(info.st_mtim.tv_sec)
        nanoseconds = Int(info.st_mtim.tv_nsec)
        #endif
    }
}
