import Foundation
import LockstepCrypto

/// Where the vault key comes from.
public enum VaultKeySource: Sendable {
    /// A key file: 32 random bytes, raw or Base64 (with or without a trailing newline).
    case keyFile(String)
    /// A passphrase, stretched with Argon2id under the parameters stored in the vault.
    case passphrase(SecretBytes)
}

/// Reading and writing key files.
public enum VaultKeyFile {
    public static let keyLength = AEAD.keyLength

    /// Writes a new random key (Base64 and a newline) to `path`, mode 0600, refusing to overwrite.
    public static func generate(at path: String) throws {
        try VaultFile.createPrivate(path, what: "key file")
        let key = try SecretBytes.random(count: keyLength)
        let text = try SecretBase64.encode(key)
        guard let handle = FileHandle(forWritingAtPath: path) else { throw VaultError(.io, "cannot write key file \(path)") }
        defer { try? handle.close() }
        do {
            try text.withUnsafeBytes { try handle.write(contentsOf: Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: $0.baseAddress!), count: $0.count, deallocator: .none)) }
            try handle.write(contentsOf: Data("\n".utf8))
            try handle.synchronize()
        } catch {
            throw VaultError(.io, "cannot write key file \(path): \(error.localizedDescription)")
        }
    }

    /// Reads a key file. Refuses one that group or others can read.
    public static func read(_ path: String) throws -> SecretBytes {
        try VaultFile.requirePrivate(path, what: "key file")
        guard var raw = FileManager.default.contents(atPath: path).map(Array.init) else {
            throw VaultError(.io, "cannot read key file \(path)")
        }
        defer { SecretBytes.wipe(&raw) }
        if raw.count == keyLength {
            return try SecretBytes.take(&raw)
        }
        do {
            return try raw.withUnsafeBytes { try SecretBase64.decode($0, expectedLength: keyLength) }
        } catch {
            throw VaultError(.badKeyFile, "key file \(path) does not hold a 32-byte key (raw, or Base64)",
                             hint: "create one with `lockstep vault keygen --out FILE`")
        }
    }
}

/// Reads a passphrase or a secret value from standard input into guarded memory, removing one
/// trailing newline (`\n` or `\r\n`) as typed or piped by `echo`.
public enum SecretInput {
    public static func readAll(from handle: FileHandle = .standardInput, firstLineOnly: Bool = false) throws -> SecretBytes {
        var data = Array((try? handle.readToEnd()) ?? Data())
        defer { SecretBytes.wipe(&data) }
        var end = data.count
        if firstLineOnly, let nl = data.firstIndex(of: 10) { end = nl + 1 }
        if end > 0, data[end - 1] == 10 { end -= 1 }
        if end > 0, data[end - 1] == 13 { end -= 1 }
        return try data.withUnsafeBytes { try SecretBytes(copying: UnsafeRawBufferPointer(rebasing: $0[0..<end])) }
    }
}

extension SecretInput {
    /// Reads exactly `count` lines from standard input into separate guarded buffers.
    public static func readLines(_ count: Int, from handle: FileHandle = .standardInput) throws -> [SecretBytes] {
        var data = Array((try? handle.readToEnd()) ?? Data())
        defer { SecretBytes.wipe(&data) }
        var result: [SecretBytes] = []
        var start = 0
        for _ in 0..<count {
            guard start <= data.count else { break }
            var end = data[start...].firstIndex(of: 10) ?? data.count
            let next = end + 1
            if end > start, data[end - 1] == 13 { end -= 1 }
            result.append(try data.withUnsafeBytes { try SecretBytes(copying: UnsafeRawBufferPointer(rebasing: $0[start..<end])) })
            start = next
        }
        guard result.count == count else {
            throw VaultError(.invalidInput, "expected \(count) lines on standard input", hint: "put the old passphrase on the first line and the new one on the second")
        }
        return result
    }
}
