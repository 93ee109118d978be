import Foundation
import LockstepApp
import LockstepCore
import LockstepCrypto
import LockstepPolicy
import LockstepTesting
import LockstepVault
import Testing

/// Admin credentials (a provider's Admin API key, a service account's JSON key) have policies of
/// their own: no targets, no gateway, only the vault holds them. Their runs store the new value
/// and promote it, touch no cluster and ask no gateway; `revoke --all` leaves them out (no
/// gateway held them).
@Suite("Credentials only the vault holds: their policies and runs")
struct VaultOnlyCredentialTests {
    static let actor = AuditActor(kind: .user, id: "tester")
    static let policyText = KubeObjects.vaultOnlyPolicy(name: "google-admin")

    func parse(_ text: String) -> (RotationPolicy?, [String]) {
        let parsed = PolicyLoader.parse(text, file: "p.yaml")
        return (parsed.policies.first?.0, parsed.problems.map(\.message))
    }

    @Test("a generic credential without targets, rollouts or gateway parses as held only by the vault; a strategy, or a provider key or master key without targets, is refused")
    func policies() throws {
        let (policy, problems) = parse(Self.policyText)
        #expect(problems.isEmpty, "\(problems)")
        let p = try #require(policy)
        #expect(p.vaultOnly && p.targets.isEmpty && p.rollouts.isEmpty && p.gateway == nil && p.maxAge == PolicyDuration("100d"))
        #expect(RotationPlan.steps(for: p, kind: .rotate, newVersion: 2) == [.preflight, .createVersion, .promote])
        #expect(parse(Self.policyText + "\n  strategy: rolling").1.contains { $0.contains("not rolled out: spec.strategy has nothing to do") })
        for kind in ["provider-key", "litellm-master-key"] {
            let (refused, said) = parse(Self.policyText.replacingOccurrences(of: "kind: generic", with: "kind: \(kind)"))
            #expect(refused == nil && said.contains { $0.contains("targets") || $0.contains("gateway") }, "\(kind): \(said)")
        }
        let withGateway = parse(Self.policyText + "\n  gateway: {url: \"http://litellm:4000\"}")
        #expect(withGateway.0 == nil && withGateway.1.contains { $0.contains("targets") }, "a gateway without targets is not vault-only: \(withGateway.1)")
    }

    @Test("rotate and revoke with a person's value: stored and promoted, audited, no Secret written and no gateway asked (there is none); interrupted before every step and resumed: the same end")
    func runs() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vault-only-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let policy = try #require(parse(Self.policyText).0)
        func fresh(_ name: String) throws -> Vault {
            let keyFile = dir.appendingPathComponent("\(name).key").path
            try VaultKeyFile.generate(at: keyFile)
            let vault = try Vault.create(at: dir.appendingPathComponent("\(name).db").path, key: .keyFile(keyFile), actor: Self.actor)
            _ = try vault.importCredential(CredentialName("google-admin"), value: try SecretBytes(utf8: #"{"type":"service_account","n":1}"#), kind: "generic", actor: Self.actor)
            return vault
        }
        func request(_ kind: RotationRun.Kind, _ value: String) throws -> RunRequest {
            RunRequest(credential: "google-admin", kind: kind, actor: Self.actor, reason: kind == .revoke ? "the key file was on a stolen laptop" : "scheduled",
                       manualValue: try SecretBytes(utf8: value))
        }
        let vault = try fresh("vault")
        let cluster = InMemoryCluster()
        let service = RotationService(store: vault, gateway: { url in Issue.record("a gateway was made for \(url)"); return InMemoryGateway(cluster: cluster, keySecret: .init(namespace: "x", name: "y", key: "z")) })
        let rotated = try await service.run(try request(.rotate, #"{"type":"service_account","n":2}"#), policy: policy, on: cluster, claim: try service.claim("google-admin"))
        #expect(rotated.run.phase == .succeeded, "\(rotated.steps.map { "\($0.action): \($0.outcome)" })")
        #expect(rotated.steps.first?.outcome == "ok: held only by the vault: nothing to check in the cluster or at a gateway")
        let revoked = try await service.run(try request(.revoke, #"{"type":"service_account","n":3}"#), policy: policy, on: cluster, claim: try service.claim("google-admin"))
        #expect(revoked.run.phase == .succeeded)
        let states = try vault.credential("google-admin").versions.map(\.state)
        #expect(states == [.current, .revoked, .retired], "the revoked v2 is kept revoked, v1 retired: \(states)")
        #expect(concealed { (try? vault.value(of: "google-admin")).map { $0.withUnsafeBytes { String(decoding: $0, as: UTF8.self) } } == #"{"type":"service_account","n":3}"# })
        #expect(cluster.written.isEmpty, "no Secret written")
        #expect(try vault.auditLog.verify().ok)

        for stop in 1...rotated.steps.count {
            let v = try fresh("stop-\(stop)")
            var settings = RotationService.Settings()
            let count = StepCounter()
            settings.engine.beforeStep = { if count.next() == stop { throw Interrupted() } }
            let interrupting = RotationService(store: v, gateway: { _ in InMemoryGateway(cluster: cluster, keySecret: .init(namespace: "x", name: "y", key: "z")) }, settings: settings)
            await #expect(throws: Interrupted.self) { _ = try await interrupting.run(try request(.rotate, #"{"n":9}"#), policy: policy, on: cluster, claim: try interrupting.claim("google-admin")) }
            let again = RotationService(store: v, gateway: { _ in InMemoryGateway(cluster: cluster, keySecret: .init(namespace: "x", name: "y", key: "z")) })
            let resumed = try await again.run(try request(.rotate, #"{"n":9}"#), policy: policy, on: cluster, claim: try again.claim("google-admin"))
            #expect(resumed.run.phase == .succeeded, "stopped before step \(stop)")
            #expect(try v.credential("google-admin").versions.map(\.state) == [.current, .previous], "stopped before step \(stop)")
        }
    }

    @Test("revoke --all leaves credentials only the vault holds out: no gateway held them")
    func incidentsLeaveThemOut() throws {
        let admin = try #require(parse(Self.policyText).0)
        let master = try #require(parse(KubeObjects.masterKeyPolicy(gatewayURL: "http://litellm:4000")).0)
        #expect(IncidentPlan.policies([admin, master], ofGateway: nil).map(\.credential.rawValue) == ["litellm-master-key"])
        #expect(IncidentPlan.policies([admin, master], ofGateway: "http://litellm:4000").map(\.credential.rawValue) == ["litellm-master-key"])
    }

    struct Interrupted: Error {}

    final class StepCounter: @unchecked Sendable {
        private let lock = NSLock()
        private var n = 0
        func next() -> Int { lock.withLock { n += 1; return n } }
    }
}
