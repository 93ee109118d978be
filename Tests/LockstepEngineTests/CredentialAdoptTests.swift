import Foundation
import KubeSim
import LockstepAudit
import LockstepCore
import LockstepCrypto
import LockstepTesting
import LockstepVault
import Testing

/// `lockstep credential adopt` through the built CLI against KubeSim (Secrets only, no pods),
/// with the repository's own `policies/` (the master key's two targets).
/// Serialized: `runLockstep` blocks its thread while the CLI runs, and KubeSim needs the pool.
@Suite("credential adopt against KubeSim", .serialized)
struct CredentialAdoptTests {
    static let key = "sk-adopt-in-use-today-0001"
    static let other = "sk-adopt-set-by-hand-0002"

    @Test("both targets hold the same key: adopted as v1 current, the audit entry names the targets, no key in the output")
    func adoptsWhenTheTargetsAgree() async throws {
        try await Self.with(backend: Self.key, gateway: Self.key) { env, dir in
            let r = try await runLockstep(["credential", "adopt", "litellm-master-key", "--kubeconfig", dir.appendingPathComponent("kubeconfig").path, "--policies", Self.policies], env: env)
            #expect(r.code == 0, "\(r.err)")
            #expect(r.out.contains("adopted litellm-master-key from 2 target(s) (unique/chat-backend-litellm#LITELLM_API_KEY, litellm-system/litellm-masterkey#masterkey) as version 1 (current), fingerprint b2k:"))
            #expect(!(r.out + r.err).contains(Self.key), "no key on the screen")
            let vault = try Vault.open(at: env["LOCKSTEP_VAULT"]!, key: .keyFile(env["LOCKSTEP_KEY_FILE"]!))
            #expect(try vault.value(of: "litellm-master-key").constantTimeEquals(secret(Self.key)))
            #expect(try vault.credential("litellm-master-key").kind == "litellm-master-key")
            let entry = try #require(try vault.auditLog.entries().last)
            #expect(entry.action.rawValue == "credential.imported")
            #expect(entry.detail == "kind litellm-master-key; adopted as current from unique/chat-backend-litellm#LITELLM_API_KEY, litellm-system/litellm-masterkey#masterkey")
            #expect(try vault.auditLog.verify().ok)
        }
    }

    @Test("the targets differ: refused with exit 65 naming them, nothing written to the vault, no key in the output")
    func refusesWhenTheTargetsDisagree() async throws {
        try await Self.with(backend: Self.key, gateway: Self.other) { env, dir in
            let r = try await runLockstep(["credential", "adopt", "litellm-master-key", "--kubeconfig", dir.appendingPathComponent("kubeconfig").path, "--policies", Self.policies], env: env)
            #expect(r.code == 65, "\(r.err)")
            #expect(r.err.hasPrefix("error: cannot adopt litellm-master-key: the targets disagree: litellm-system/litellm-masterkey#masterkey differ(s) from unique/chat-backend-litellm#LITELLM_API_KEY"), "\(r.err)")
            #expect(r.err.contains("\nhint: "))
            #expect(!(r.out + r.err).contains(Self.key) && !(r.out + r.err).contains(Self.other), "no key on the screen")
            let vault = try Vault.open(at: env["LOCKSTEP_VAULT"]!, key: .keyFile(env["LOCKSTEP_KEY_FILE"]!))
            #expect(try vault.credentials().isEmpty, "nothing was written")
            #expect(try !vault.auditLog.entries().contains { $0.credential == "litellm-master-key" }, "nothing audited for the credential")
        }
    }

    @Test("a target Secret is missing: refused with exit 66 naming it, nothing written")
    func refusesWhenATargetIsMissing() async throws {
        try await Self.with(backend: Self.key, gateway: nil) { env, dir in
            let r = try await runLockstep(["credential", "adopt", "litellm-master-key", "--kubeconfig", dir.appendingPathComponent("kubeconfig").path, "--policies", Self.policies], env: env)
            #expect(r.code == 66, "\(r.err)")
            #expect(r.err.contains("litellm-system/litellm-masterkey#masterkey: no such Secret"), "\(r.err)")
            #expect(!(r.out + r.err).contains(Self.key))
            let vault = try Vault.open(at: env["LOCKSTEP_VAULT"]!, key: .keyFile(env["LOCKSTEP_KEY_FILE"]!))
            #expect(try vault.credentials().isEmpty)
        }
    }

    /// The repository's `policies/` folder.
    static var policies: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("policies").path
    }

    /// KubeSim (HTTPS, a kubeconfig in `dir`) holding the two target Secrets (`nil`: absent) and
    /// an empty vault; `body` gets the CLI environment for that vault.
    static func with(backend: String, gateway: String?, _ body: ([String: String], URL) async throws -> Void) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("adopt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var config = KubeSimConfiguration()
        config.seedObjects = [KubeObjects.secret("chat-backend-litellm", "unique", ["LITELLM_API_KEY": backend])]
            + (gateway.map { [KubeObjects.secret("litellm-masterkey", "litellm-system", ["masterkey": $0])] } ?? [])
        let sim = try await KubeSim.start(config)
        do {
            try sim.kubeconfig.write(to: dir.appendingPathComponent("kubeconfig"))
            let keyFile = dir.appendingPathComponent("vault.key").path
            try VaultKeyFile.generate(at: keyFile)
            let vault = try Vault.create(at: dir.appendingPathComponent("vault.db").path, key: .keyFile(keyFile), actor: AuditActor(kind: .user, id: "tester"))
            try await body(["LOCKSTEP_VAULT": vault.path, "LOCKSTEP_KEY_FILE": keyFile], dir)
        } catch {
            await sim.stop()
            throw error
        }
        await sim.stop()
    }
}
