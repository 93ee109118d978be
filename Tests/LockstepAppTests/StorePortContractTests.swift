import Foundation
import LockstepCore
import LockstepCrypto
import LockstepTesting
import LockstepVault
import Testing

/// The store ports' contract, run against both adapters: the SQLite vault and the in-memory
/// store the fast engine tests use, so that the fake cannot drift from the real one.
@Suite("Store ports: the same contract on the SQLite vault and the in-memory store")
struct StorePortContractTests {
    enum Kind: String, CaseIterable, CustomTestStringConvertible {
        case vault, memory
        var testDescription: String { rawValue }
    }

    static let actor = AuditActor(kind: .user, id: "contract")

    func store(_ kind: Kind, holding value: SecretBytes) throws -> (any RotationStore, URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("contract-\(UUID().uuidString)")
        switch kind {
        case .memory:
            let memory = try InMemoryStore()
            try memory.importCredential("m", value: value, kind: "litellm-master-key")
            return (memory, dir)
        case .vault:
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let keyFile = dir.appendingPathComponent("vault.key").path
            try VaultKeyFile.generate(at: keyFile)
            let vault = try Vault.create(at: dir.appendingPathComponent("vault.db").path, key: .keyFile(keyFile), actor: Self.actor)
            _ = try vault.importCredential(CredentialName("m"), value: value, kind: "litellm-master-key", actor: Self.actor)
            return (vault, dir)
        }
    }

    func policy() throws -> RotationPolicy {
        RotationPolicy(name: "m", credential: try CredentialName("m"), kind: .litellmMasterKey, source: .generate(prefix: "sk-", randomBytes: 32), schedule: nil,
                       maxAge: nil, strategy: .restartTogether, gateway: .init(url: "http://127.0.0.1:1", models: []),
                       targets: [.init(namespace: "a", name: "b", key: "c")], rollouts: [], checks: .init(newKeyAccepted: true, oldKeyRefused: true))
    }

    @Test("versions: one pending per run, the current value refused as new, promotion and revocation move the states", arguments: Kind.allCases)
    func versions(_ kind: Kind) throws {
        let v1 = try SecretBytes(utf8: "sk-contract-value-000000000001"), v2 = try SecretBytes(utf8: "sk-contract-value-000000000002"), v3 = try SecretBytes(utf8: "sk-contract-value-000000000003")
        let (store, dir) = try store(kind, holding: v1)
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(throws: (any Error).self) { try store.createPendingVersion(credential: "m", value: v1, source: .generated, runID: "r0", actor: Self.actor) }
        let pending = try store.createPendingVersion(credential: "m", value: v2, source: .generated, runID: "r1", actor: Self.actor)
        let again = try store.createPendingVersion(credential: "m", value: v3, source: .generated, runID: "r1", actor: Self.actor)
        #expect(pending.version == 2 && again.version == 2 && again.fingerprint == pending.fingerprint, "the same run gets the same version back")
        #expect(try store.value(of: "m", version: 2).constantTimeEquals(v2))
        try store.promote(credential: "m", newVersion: 2, revoked: false, actor: Self.actor, runID: "r1")
        try store.promote(credential: "m", newVersion: 2, revoked: false, actor: Self.actor, runID: "r1") // resumed: no change
        #expect(try store.value(of: "m").constantTimeEquals(v2))
        #expect(try store.credential("m").versions.map(\.state) == [.current, .previous], "newest first")
        _ = try store.createPendingVersion(credential: "m", value: v3, source: .generated, runID: "r2", actor: Self.actor)
        try store.promote(credential: "m", newVersion: 3, revoked: true, actor: Self.actor, runID: "r2")
        #expect(try store.credential("m").versions.map(\.state) == [.current, .revoked, .retired])
        #expect(try store.fingerprint(of: v3) == store.credential("m").current?.fingerprint)
    }

    @Test("a failed version is marked failed; the current one stays", arguments: Kind.allCases)
    func failed(_ kind: Kind) throws {
        let v1 = try SecretBytes(utf8: "sk-contract-value-000000000001"), v2 = try SecretBytes(utf8: "sk-contract-value-000000000002")
        let (store, dir) = try store(kind, holding: v1)
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try store.createPendingVersion(credential: "m", value: v2, source: .generated, runID: "r1", actor: Self.actor)
        try store.markFailed(credential: "m", version: 2, actor: Self.actor, runID: "r1", reason: "gateway refused")
        #expect(try store.credential("m").versions.map(\.state) == [.failed, .current])
        #expect(try store.value(of: "m").constantTimeEquals(v1))
    }

    @Test("runs: one active per credential, journaled state comes back, a finished run is no longer unfinished", arguments: Kind.allCases)
    func runs(_ kind: Kind) throws {
        let (store, dir) = try store(kind, holding: try SecretBytes(utf8: "sk-contract-value-000000000001"))
        defer { try? FileManager.default.removeItem(at: dir) }
        var run = RotationRun(id: "run-1", credential: "m", kind: .rotate, policy: try policy())
        try store.beginRun(run, actor: Self.actor, reason: "contract")
        #expect(throws: (any Error).self) { try store.beginRun(RotationRun(id: "run-2", credential: "m", kind: .rotate, policy: try policy()), actor: Self.actor, reason: nil) }
        #expect(throws: (any Error).self) { try store.beginRun(RotationRun(id: "run-3", credential: "nope", kind: .rotate, policy: try policy()), actor: Self.actor, reason: nil) }
        run.step = .deliver(segment: 0, target: 0)
        try store.saveRun(run, audit: nil)
        #expect(try store.unfinishedRuns() == [run])
        run.step = .succeeded
        try store.saveRun(run, audit: nil)
        #expect(try store.unfinishedRuns().isEmpty)
    }

    @Test("free text quoting a stored value is refused, in a request and in an audit entry", arguments: Kind.allCases)
    func storedValuesRefused(_ kind: Kind) throws {
        let (store, dir) = try store(kind, holding: try SecretBytes(utf8: "sk-contract-value-000000000001"))
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(throws: (any Error).self) { try store.refuseStoredValues(in: [("reason", "leaked sk-contract-value-000000000001 today")]) }
        try store.refuseStoredValues(in: [("reason", "nothing secret here"), ("incident", nil)])
        #expect(throws: (any Error).self) {
            try store.record(AuditDraft(actor: Self.actor, action: .driftDetected, credential: "m", outcome: .failure, detail: "value sk-contract-value-000000000001"))
        }
    }
}
