import Foundation
import GRDB
import LockstepAudit
import LockstepCore
import LockstepCrypto
import LockstepVault

/// A fresh temporary folder per test, removed at the end.
final class TempDir: @unchecked Sendable {
    let path: String
    init() throws {
        path = NSTemporaryDirectory() + "lockstep-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func file(_ name: String) -> String { path + "/" + name }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

let testActor = AuditActor(kind: .user, id: "tester")

func secret(_ text: String) throws -> SecretBytes {
    try Array(text.utf8).withUnsafeBytes { try SecretBytes(copying: $0) }
}

/// A vault with a key file in a temp dir.
struct Fixture {
    let dir: TempDir
    let vaultPath: String
    let keyPath: String
    let vault: Vault

    init() throws {
        dir = try TempDir()
        keyPath = dir.file("vault.key")
        vaultPath = dir.file("vault.db")
        try VaultKeyFile.generate(at: keyPath)
        vault = try Vault.create(at: vaultPath, key: .keyFile(keyPath), actor: testActor)
    }

    func reopen() throws -> Vault { try Vault.open(at: vaultPath, key: .keyFile(keyPath)) }
}

/// Direct SQL access, to play the attacker or the disk that flips bits.
func withRawDatabase<T>(_ path: String, _ body: (Database) throws -> T) throws -> T {
    let queue = try DatabaseQueue(path: path)
    return try queue.write(body)
}

/// Every byte of the vault and its WAL/SHM files.
func allVaultBytes(_ path: String) -> Data {
    var all = Data()
    for suffix in ["", "-wal", "-shm"] {
        if let d = FileManager.default.contents(atPath: path + suffix) { all.append(d) }
    }
    return all
}

func expectVaultError(_ code: VaultError.Code, _ body: () throws -> Void) -> VaultError? {
    do {
        try body()
        return nil
    } catch let e as VaultError {
        return e.code == code ? e : nil
    } catch {
        return nil
    }
}
