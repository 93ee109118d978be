import Foundation
import LockstepAudit
import LockstepCore
import LockstepCrypto
import LockstepVault

/// Time to open, list and fully check a vault holding 10,000 versions.
func vaultBench(versions: Int) throws -> String {
    let dir = NSTemporaryDirectory() + "lockstep-bench-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let keyPath = dir + "/k", path = dir + "/v.db"
    try VaultKeyFile.generate(at: keyPath)
    let actor = AuditActor(kind: .system, id: "bench")
    let setup = try timeOnce {
        let v = try Vault.create(at: path, key: .keyFile(keyPath), actor: actor)
        for i in 0..<versions {
            let value = try Array("sk-bench-value-\(i)-\(String(repeating: "x", count: 40))".utf8).withUnsafeBytes { try SecretBytes(copying: $0) }
            try v.importCredential(CredentialName("credential-\(i)"), value: value, actor: actor)
        }
    }
    let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    let open = try medianMillis(7) { _ = try Vault.open(at: path, key: .keyFile(keyPath)) }
    let v = try Vault.open(at: path, key: .keyFile(keyPath))
    let list = try medianMillis(5) { _ = try v.credentials() }
    let value = try medianMillis(7) { _ = try v.value(of: "credential-\(versions / 2)") }
    let check = try medianMillis(3) { _ = try v.check() }
    return """
    | vault with \(versions) versions (\(size / 1024) KiB file) | median ms |
    |---|---:|
    | `Vault.open` (permissions, header, key check, unseal fingerprint and audit keys, migrations) | \(fmt(open, 2)) |
    | list all credentials and versions (no decryption) | \(fmt(list, 1)) |
    | decrypt one value | \(fmt(value, 3)) |
    | `vault check`: decrypt all \(versions) values and verify \(versions + 1) audit entries | \(fmt(check, 0)) |

    Set-up (one transaction, audit entry and fsync per import, as `credential import` does): \(fmt(setup / 1000, 1)) s.

    """
}
