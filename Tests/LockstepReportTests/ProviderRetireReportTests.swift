import Foundation
import LockstepCore
import LockstepCrypto
import LockstepEngine
import LockstepReport
import LockstepTesting
import LockstepVault
import Testing

/// A provider key revoked at its source: the auditor's report counts the time to refusal up to
/// the `provider-key.retired` entry that retired the old value at the provider, as it counts
/// it up to the gateway's refusal for a master key.
@Suite struct ProviderRetireReportTests {
    @Test func aRevokeRetiredAtTheProviderHasItsTimeToRefusal() async throws {
        let dir = try ReportFiles.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let keyFile = dir.appendingPathComponent("vault.key").path
        let vaultPath = dir.appendingPathComponent("vault.db").path
        try VaultKeyFile.generate(at: keyFile)
        let actor = AuditActor(kind: .incident, id: "INC-7")
        let vault = try Vault.create(at: vaultPath, key: .keyFile(keyFile), actor: actor)
        let old = try SecretBytes(utf8: "azure-report-key-one-000000001")
        let provider = TwoKeyProvider(key1: old, key2: try SecretBytes(utf8: "azure-report-key-two-000000002"))
        let target = RotationPolicy.SecretTarget(namespace: "litellm-system", name: "litellm-env-secret", key: "AZURE_API_KEY")
        let policy = RotationPolicy(name: "azure-api-key", credential: try CredentialName("azure-api-key"), kind: .providerKey,
                                    source: .azure(AzureAccount(subscription: "s", resourceGroup: "g", account: "oai", tenant: "t", clientID: "c", clientSecret: try CredentialName("azure-admin"))),
                                    schedule: nil, maxAge: PolicyDuration("90d"), strategy: .rolling, gateway: .init(url: "http://gateway.test:4000", models: ["azure-gpt-4o"]),
                                    targets: [target], rollouts: [.init(namespace: "litellm-system", name: "litellm")], checks: .init(newKeyAccepted: false, oldKeyRefused: false))
        _ = try vault.importCredential(policy.credential, value: old, kind: "provider-key", actor: actor)
        _ = try vault.importCredential(CredentialName("litellm-master-key"), value: try SecretBytes(utf8: "sk-report-master-00000000001"), kind: "litellm-master-key", actor: actor)
        let cluster = InMemoryCluster()
        cluster.put(target, old)
        var settings = RotationEngine.Settings()
        settings.verifyAttempts = 2
        settings.verifyDelay = .milliseconds(1)
        let engine = RotationEngine(store: vault, cluster: cluster, gateway: ProviderBackedGateway(cluster: cluster, keySecret: target, provider: provider),
                                    settings: settings, keySources: { _ in provider })
        let run = try await engine.start(policy: policy, kind: .revoke, actor: actor, reason: "stolen by a supply-chain attack", manualValue: nil)
        #expect(concealed { run.run.phase == .succeeded && !provider.accepts(old) })

        let report = try ReportGenerator.build(from: .vault(path: vaultPath), policies: [policy])
        let credential = try #require(report.credentials.first { $0.name == "azure-api-key" })
        let revoke = try #require(credential.runs.first)
        #expect(revoke.kind == "revoke" && revoke.outcome == .succeeded)
        #expect(revoke.timeToRefusalMillis != nil, "the retire at the provider is the refusal")
    }
}
