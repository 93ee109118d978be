import Foundation
import LockstepCore
import LockstepCrypto
import LockstepEngine
import LockstepProviders
import LockstepTesting
import Testing

/// A provider key whose source mints and retires it (the Azure adapter's contract, on the port
/// fake ``TwoKeyProvider``): the new key is minted while the old one keeps working, rolled out and
/// verified by model health, and only after promotion is the old one killed at the provider.
/// Every step interrupted and resumed; refusals before any change; a retire that keeps failing.
@Suite("Provider key minted and retired at its source, over port fakes")
struct ProviderSourceEngineTests {
    static let actor = AuditActor(kind: .user, id: "tester")
    static let target = RotationPolicy.SecretTarget(namespace: "litellm-system", name: "litellm-env-secret", key: "AZURE_API_KEY")

    struct World {
        let store: InMemoryStore
        let cluster = InMemoryCluster()
        let provider: TwoKeyProvider
        let old: SecretBytes
        let policy: RotationPolicy

        init(kind: RotationRun.Kind = .rotate) throws {
            old = try SecretBytes(utf8: "azure-key-one-0000000000000001")
            provider = TwoKeyProvider(key1: old, key2: try SecretBytes(utf8: "azure-key-two-0000000000000002"))
            store = try InMemoryStore()
            try store.importCredential("azure-api-key", value: old, kind: "provider-key")
            try store.importCredential("litellm-master-key", value: try SecretBytes(utf8: "sk-master-0000000000000001"), kind: "litellm-master-key")
            cluster.put(ProviderSourceEngineTests.target, old)
            let account = AzureAccount(subscription: "s", resourceGroup: "g", account: "oai", tenant: "t", clientID: "c", clientSecret: try CredentialName("azure-admin"))
            policy = RotationPolicy(name: "azure-api-key", credential: try CredentialName("azure-api-key"), kind: .providerKey, source: .azure(account),
                                    schedule: nil, maxAge: nil, strategy: .rolling, gateway: .init(url: "http://gateway.test:4000", models: ["azure-gpt-4o"]),
                                    targets: [ProviderSourceEngineTests.target], rollouts: [.init(namespace: "litellm-system", name: "litellm")],
                                    checks: .init(newKeyAccepted: false, oldKeyRefused: false))
        }

        func engine(beforeStep: (@Sendable () async throws -> Void)? = nil) -> RotationEngine {
            var settings = RotationEngine.Settings()
            settings.verifyAttempts = 2
            settings.verifyDelay = .milliseconds(1)
            settings.beforeStep = beforeStep
            let provider = provider
            return RotationEngine(store: store, cluster: cluster, gateway: ProviderBackedGateway(cluster: cluster, keySecret: ProviderSourceEngineTests.target, provider: provider),
                                  settings: settings, keySources: { _ in provider })
        }

        var live: SecretBytes? { cluster.value(ProviderSourceEngineTests.target) }
        func states() throws -> [VersionState] { try store.credential("azure-api-key").versions.map(\.state) }
    }

    @Test("rotate: minted beside the old key, rolled out, healthy, promoted, then the old key refused at the provider; two regenerations")
    func rotates() async throws {
        let w = try World()
        let report = try await w.engine().start(policy: w.policy, kind: .rotate, actor: Self.actor, reason: nil, manualValue: nil)
        #expect(report.run.phase == .succeeded, "\(report.steps.map { "\($0.action): \($0.outcome)" })")
        let live = try #require(w.live)
        #expect(concealed { !live.constantTimeEquals(w.old) && w.provider.accepts(live) })
        #expect(concealed { !w.provider.accepts(w.old) }, "the old value is dead at the provider")
        #expect(w.provider.regenerations == 2)
        #expect(try w.states() == [.current, .previous])
        #expect(try w.store.credential("azure-api-key").versions.first?.source == .provider)
        #expect(report.steps.last?.action == "retire the old key at the provider" && report.steps.last?.outcome == "ok: the old value is refused at the provider (key1 regenerated)")
        #expect(report.oldKeyRefusedAfterMillis != nil)
        #expect(w.store.auditTrail.filter { $0.action == .providerKeyMinted }.count == 1, "before the mint")
        #expect(w.store.auditTrail.filter { $0.action == .providerKeyRetired }.map(\.outcome) == [.started, .success], "before the retire and its outcome")
    }

    @Test("interrupted before every step and resumed: the same end, the new key minted once, never two old keys dead")
    func everyStepInterrupted() async throws {
        let total = try await { () -> Int in
            let w = try World()
            return try await w.engine().start(policy: w.policy, kind: .rotate, actor: Self.actor, reason: nil, manualValue: nil).steps.count
        }()
        #expect(total >= 7)
        for stop in 1...total {
            let w = try World()
            let count = Counter()
            let interrupting = w.engine { if count.next() == stop { throw Interrupted() } }
            await #expect(throws: Interrupted.self) { _ = try await interrupting.start(policy: w.policy, kind: .rotate, actor: Self.actor, reason: nil, manualValue: nil) }
            let run = try #require(try w.store.unfinishedRuns().first, "journaled at step \(stop)")
            let report = try await w.engine().resume(run, policy: w.policy, actor: Self.actor)
            #expect(report.run.phase == .succeeded, "stopped before step \(stop)")
            let live = try #require(w.live)
            #expect(concealed { w.provider.accepts(live) && !w.provider.accepts(w.old) }, "stopped before step \(stop)")
            #expect(w.provider.regenerations == 2, "stopped before step \(stop): \(w.provider.regenerations) regenerations")
            #expect(try w.states() == [.current, .previous], "stopped before step \(stop)")
        }
    }

    @Test("an admin credential without rights: abandoned in preflight (exit 22), nothing minted, nothing written")
    func forbidden() async throws {
        let w = try World()
        w.provider.set(.forbidden)
        let report = try await w.engine().start(policy: w.policy, kind: .revoke, actor: Self.actor, reason: "incident", manualValue: nil)
        #expect(report.run.phase == .abandoned)
        #expect(report.run.failure?.contains("AuthorizationFailed") == true && report.run.failure?.contains("nothing was changed") == true)
        #expect(w.provider.regenerations == 0 && w.live?.constantTimeEquals(w.old) == true)
        #expect(try w.states() == [.current])
    }

    @Test("the admin credential is not in the vault: abandoned in preflight naming it, nothing changed")
    func adminCredentialMissing() async throws {
        let w = try World()
        struct Unknown: Error, CustomStringConvertible { let description = "unknown credential azure-admin" }
        var settings = RotationEngine.Settings()
        settings.verifyAttempts = 2
        settings.verifyDelay = .milliseconds(1)
        let engine = RotationEngine(store: w.store, cluster: w.cluster, gateway: ProviderBackedGateway(cluster: w.cluster, keySecret: Self.target, provider: w.provider),
                                    settings: settings, keySources: ProviderKeySources.factory(secret: { _ in throw Unknown() }))
        let report = try await engine.start(policy: w.policy, kind: .rotate, actor: Self.actor, reason: nil, manualValue: nil)
        #expect(report.run.phase == .abandoned)
        #expect(report.run.failure == "preflight: unknown credential azure-admin; nothing was changed")
        #expect(w.provider.regenerations == 0 && w.live?.constantTimeEquals(w.old) == true)
    }

    @Test("a source that takes its value from a person (anthropic): the value supplied is rolled out, nothing minted, the old key retired; without a value the run is abandoned")
    func personSuppliesTheValue() async throws {
        let w = try World()
        let anthropic = RotationPolicy(name: w.policy.name, credential: w.policy.credential, kind: .providerKey,
                                       source: .anthropic(AnthropicOrganization(adminKey: try CredentialName("anthropic-admin"))),
                                       schedule: nil, maxAge: nil, strategy: .rolling, gateway: w.policy.gateway, targets: w.policy.targets,
                                       rollouts: w.policy.rollouts, checks: w.policy.checks)
        let none = try await w.engine().start(policy: anthropic, kind: .revoke, actor: Self.actor, reason: "incident", manualValue: nil)
        #expect(none.run.phase == .abandoned && none.run.failure?.contains("--value-from-stdin") == true)
        let supplied = try SecretBytes(utf8: "azure-key-two-0000000000000002") // the key a person made at the provider
        let report = try await w.engine().start(policy: anthropic, kind: .revoke, actor: Self.actor, reason: "incident", manualValue: supplied)
        #expect(report.run.phase == .succeeded, "\(report.steps.map { "\($0.action): \($0.outcome)" })")
        #expect(concealed { w.live?.constantTimeEquals(supplied) == true && !w.provider.accepts(w.old) })
        #expect(w.provider.regenerations == 1, "only the retire touched the provider")
        #expect(try w.store.credential("azure-api-key").versions.first?.source == .manual)
        #expect(!w.store.auditTrail.contains { $0.action == .providerKeyMinted })
    }

    @Test("the mint fails: abandoned before any Secret changes; the old key still works")
    func mintFails() async throws {
        let w = try World()
        w.provider.set(.mintFails(1))
        let report = try await w.engine().start(policy: w.policy, kind: .rotate, actor: Self.actor, reason: nil, manualValue: nil)
        #expect(report.run.phase == .abandoned)
        #expect(concealed { w.provider.accepts(w.old) && w.live?.constantTimeEquals(w.old) == true && w.provider.regenerations == 0 })
    }

    @Test("the retire fails twice: tried again, and the old key ends refused; fails on every attempt: rotated, with a warning that the old key still works at the provider")
    func retireFails() async throws {
        let w = try World()
        w.provider.set(.retireFails(2))
        let report = try await w.engine().start(policy: w.policy, kind: .revoke, actor: Self.actor, reason: "incident", manualValue: nil)
        #expect(report.run.phase == .succeeded && report.warnings.isEmpty)
        #expect(concealed { !w.provider.accepts(w.old) })
        #expect(try w.states() == [.current, .revoked])

        let v = try World()
        v.provider.set(.retireFails(100))
        let stuck = try await v.engine().start(policy: v.policy, kind: .revoke, actor: Self.actor, reason: "incident", manualValue: nil)
        #expect(stuck.run.phase == .succeeded)
        #expect(stuck.run.failure?.hasPrefix("the old key is still valid at the provider") == true)
        #expect(stuck.warnings.first?.contains("retire it there") == true)
        #expect(concealed { v.provider.accepts(v.old) }, "the warning is true: the old key still works")
    }

    @Test("rolled back after the mint: the minted key, never promoted, is discarded at the provider once no pod may hold it (audited), the old key kept; interrupted before every step and resumed: the same end")
    func rollbackDiscardsTheMintedKey() async throws {
        let w = try World()
        w.provider.set(.mintedUnhealthy)
        let report = try await w.engine().start(policy: w.policy, kind: .rotate, actor: Self.actor, reason: nil, manualValue: nil)
        #expect(report.run.phase == .rolledBack, "\(report.steps.map { "\($0.action): \($0.outcome)" })")
        #expect(concealed { w.live?.constantTimeEquals(w.old) == true && w.provider.accepts(w.old) })
        let minted = try w.store.value(of: "azure-api-key", version: 2)
        #expect(concealed { !w.provider.accepts(minted) }, "the minted key is dead at the provider")
        #expect(w.provider.regenerations == 2, "minted, then discarded")
        #expect(try w.states() == [.failed, .current])
        #expect(report.steps.last?.outcome.contains("v2 discarded at the provider (key2 regenerated)") == true, "\(report.steps.last?.outcome ?? "")")
        #expect(w.store.auditTrail.filter { $0.action == .providerKeyRetired }.map(\.outcome) == [.started, .success])

        let total = report.steps.count
        for stop in 1...total {
            let v = try World()
            v.provider.set(.mintedUnhealthy)
            let count = Counter()
            let interrupting = v.engine { if count.next() == stop { throw Interrupted() } }
            await #expect(throws: Interrupted.self) { _ = try await interrupting.start(policy: v.policy, kind: .rotate, actor: Self.actor, reason: nil, manualValue: nil) }
            guard let run = try v.store.unfinishedRuns().first else { continue } // stopped before the journal's first entry
            let resumed = try await v.engine().resume(run, policy: v.policy, actor: Self.actor)
            #expect(resumed.run.phase == .rolledBack, "stopped before step \(stop)")
            #expect(concealed { v.live?.constantTimeEquals(v.old) == true && v.provider.accepts(v.old) }, "stopped before step \(stop)")
            #expect(v.provider.regenerations == 2, "stopped before step \(stop): \(v.provider.regenerations) regenerations")
        }
    }

    @Test("rolled back, and the provider refuses the discard: the rollback still ends, and the report and the audit say the minted key is still valid and must be deleted by hand")
    func discardRefused() async throws {
        let w = try World()
        w.provider.set(.mintedUnhealthyRetireFails)
        let report = try await w.engine().start(policy: w.policy, kind: .rotate, actor: Self.actor, reason: nil, manualValue: nil)
        #expect(report.run.phase == .rolledBack)
        let minted = try w.store.value(of: "azure-api-key", version: 2)
        #expect(concealed { w.provider.accepts(minted) && w.live?.constantTimeEquals(w.old) == true })
        #expect(report.steps.last?.outcome.contains("v2 was minted at Azure (account oai) and is still valid there (403 AuthorizationFailed): delete it there by hand") == true,
                "\(report.steps.last?.outcome ?? "")")
        #expect(w.store.auditTrail.filter { $0.action == .providerKeyRetired }.map(\.outcome) == [.started, .failure])
        #expect(try w.states() == [.failed, .current])
    }

    struct Interrupted: Error {}

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var n = 0
        func next() -> Int { lock.withLock { n += 1; return n } }
    }
}
