import Foundation
import LockstepCore
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
        let key = try SecretBytes.random(count: keyLength)
        let text = try SecretBase64.encode(key)
        // Whole or not at all: a full disk must not leave an empty key file that blocks the retry.
        try PrivateFile.write(path, what: "key file", publish: .createNew) { emit in
            try text.withUnsafeBytes { try emit($0) }
            try Array("\n".utf8).withUnsafeBytes { try emit($0) }
        }
    }

    /// The largest key file read: a key is 32 bytes raw or 45 as Base64 and a newline; anything
    /// much larger is the wrong file and is refused from its size, before a byte is read.
    public static let maxFileSize = 1024

    /// Reads a key file. Refuses one that group or others can read, or one too large to be a key.
    public static func read(_ path: String) throws -> SecretBytes {
        let st = try VaultFile.requirePrivate(path, what: "key file")
        guard st.st_size <= maxFileSize else {
            throw VaultError(.badKeyFile, "key file \(path) is \(st.st_size) bytes: a key file holds 32 bytes (raw, or Base64), never more than \(maxFileSize)",
                             hint: "check that --key-file names the key, not another file; create one with `lockstep vault keygen --out FILE`")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw VaultError(.io, "cannot read key file \(path)")
        }
        defer { try? handle.close() }
        // Bounded also when the file grew since the stat, or is a FIFO.
        let data: Data
        do { data = try handle.read(upToCount: maxFileSize + 1) ?? Data() } catch { throw VaultError(.io, "cannot read key file \(path)") }
        guard data.count <= maxFileSize else {
            throw VaultError(.badKeyFile, "key file \(path) holds more than \(maxFileSize) bytes: it is not a key file",
                             hint: "create one with `lockstep vault keygen --out FILE`")
        }
        var raw = Array(data)
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
    public static func readAll(from handle: FileHandle = .standardInput, firstLineOnly: Bool = false, prompt: String = "secret") throws -> SecretBytes {
        if handle.fileDescriptor == STDIN_FILENO, isatty(STDIN_FILENO) == 1 {
            return try readFromTerminal(prompt: prompt)
        }
        var data = try readBounded(handle)
        defer { SecretBytes.wipe(&data) }
        var end = data.count
        if firstLineOnly, let nl = data.firstIndex(of: 10) { end = nl + 1 }
        // One newline, LF or CR LF, and nothing else: a lone trailing CR stays and the value
        // rules refuse it (a value is never changed silently).
        if end > 0, data[end - 1] == 10 {
            end -= 1
            if end > 0, data[end - 1] == 13 { end -= 1 }
        }
        return try data.withUnsafeBytes { try SecretBytes(copying: UnsafeRawBufferPointer(rebasing: $0[0..<end])) }
    }
}

extension SecretInput {
    /// Reads the whole input, but never more than a Kubernetes Secret can hold (and a newline):
    /// a larger value is refused before anything is stored or changed.
    static func readBounded(_ handle: FileHandle) throws -> [UInt8] {
        let limit = ValueRules.maxLength + 2
        var data: [UInt8] = []
        while data.count <= limit, let chunk = try? handle.read(upToCount: 64 * 1024), !chunk.isEmpty {
            data += chunk
        }
        guard data.count <= limit else {
            SecretBytes.wipe(&data)
            throw VaultError(.invalidInput, "the value is larger than \(ValueRules.maxLength) bytes (1 MiB), the most a Kubernetes Secret holds; nothing was changed",
                             hint: "check that the input is the key itself")
        }
        return data
    }

    /// Reads one line from the terminal with echo off (as `ssh` or `sudo` ask for passwords).
    static func readFromTerminal(prompt: String) throws -> SecretBytes {
        try? StandardStream.error.write("\(prompt) (input hidden, end with Enter): ")
        var saved = termios()
        let haveTermios = tcgetattr(STDIN_FILENO, &saved) == 0
        if haveTermios {
            var quiet = saved
            quiet.c_lflag &= ~tcflag_t(ECHO)
            _ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet)
        }
        defer {
            if haveTermios { _ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved) }
            try? StandardStream.error.write("\n")
        }
        var line = [UInt8]()
        defer { SecretBytes.wipe(&line) }
        var byte: UInt8 = 0
        while line.count < 65_536, read(STDIN_FILENO, &byte, 1) == 1, byte != 10 { line.append(byte) }
        if line.last == 13 { line.removeLast() }
        return try line.withUnsafeBytes { try SecretBytes(copying: $0) }
    }

    /// Reads exactly `count` lines from standard input into separate guarded buffers.
    public static func readLines(_ count: Int, from handle: FileHandle = .standardInput) throws -> [SecretBytes] {
        if handle.fileDescriptor == STDIN_FILENO, isatty(STDIN_FILENO) == 1 {
            return try (0..<count).map { try readFromTerminal(prompt: $0 == 0 ? "current vault passphrase" : "new vault passphrase") }
        }
        var data = try readBounded(handle)
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
