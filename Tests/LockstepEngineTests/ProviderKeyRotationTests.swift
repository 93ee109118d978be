import Foundation
import KubeSim
import LockstepAudit
import LockstepCore
import LockstepCrypto
import LockstepEngine
import LockstepLiteLLM
import LockstepVault
import Testing

/// Provider keys: only the provider can mint them, so the value comes from a person; Lockstep
/// rolls the gateway onto it while the old key still works at the provider, and proves it with
/// `/health?model=` through the gateway (the fake provider checks the key it is called with).
extension EngineIntegrationTests {
    @Suite("Provider-key rotation on KubeSim with real LiteLLM and a fake provider", .serialized,
           .enabled(if: LiteLLMBinary.path != nil || LiteLLMBinary.inCI, "LiteLLM not installed (scripts/setup); CI=true makes this a failure"))
    struct ProviderKeyRotationTests {
        static let oldProviderKey = "azure-old-provider-key-0001"
        static let newProviderKey = "azure-new-provider-key-0002"

        func policy(gatewayURL: String) throws -> RotationPolicy {
            RotationPolicy(name: "azure-api-key", credential: try CredentialName("azure-api-key"), kind: .providerKey, source: .manual,
                           schedule: RotationSchedule(trigger: .every(PolicyDuration("90d")!)), maxAge: PolicyDuration("90d"), strategy: .rolling,
                           gateway: .init(url: gatewayURL, models: ["azure-gpt-4o"]),
                           targets: [.init(namespace: "litellm-system", name: "litellm-env-secret", key: "AZURE_API_KEY")],
                           rollouts: [.init(namespace: "litellm-system", name: "litellm")],
                           checks: .init(newKeyAccepted: false, oldKeyRefused: false))
        }

        @Test("a manual value is rolled out and verified by model health; a key the provider refuses is rolled back")
        func manualProviderKey() async throws {
            let litellm = try #require(LiteLLMBinary.path, "LiteLLM not found (scripts/setup or LITELLM_BIN)")
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("provider-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            let provider = try await FakeProviderProcess.start(keys: [Self.oldProviderKey], directory: scratch)
            defer { provider.stop(); try? FileManager.default.removeItem(at: scratch) }
            let f = try await EngineFixture.start(litellm: litellm, providerURL: provider.url, providerKey: Self.oldProviderKey)
            do {
                try f.vault.importCredential(CredentialName("azure-api-key"), value: secret(Self.oldProviderKey), kind: "provider-key", actor: AuditActor(kind: .user, id: "tester"))
                let policy = try policy(gatewayURL: f.gatewayURL)
                var settings = EngineFixture.fastSettings
                settings.verifyAttempts = 12

                // The provider console issued a key the provider does not accept yet (a typo, the wrong
                // account): health fails after the rollout, and Lockstep puts the old key back.
                let refused = try await f.run(settings: settings) { try await $0.start(policy: policy, kind: .rotate, actor: AuditActor(kind: .user, id: "tester"), reason: nil, manualValue: secret("azure-typo-key-0000000009")) }
                #expect(refused.run.phase == .rolledBack, "\(refused.steps.map { "\($0.action): \($0.outcome)" })")
                #expect(f.holds("litellm-system", "litellm-env-secret", "AZURE_API_KEY", Self.oldProviderKey))

                // Now the real new key, accepted by the provider alongside the old one.
                try provider.setKeys([Self.oldProviderKey, Self.newProviderKey])
                let report = try await f.run(settings: settings) { try await $0.start(policy: policy, kind: .rotate, actor: AuditActor(kind: .user, id: "tester"), reason: "quarterly", manualValue: secret(Self.newProviderKey)) }
                #expect(report.run.phase == .succeeded, "\(report.steps.map { "\($0.action): \($0.outcome)" })")
                #expect(report.steps.contains { $0.outcome.contains("healthy: azure-gpt-4o") })
                #expect(f.holds("litellm-system", "litellm-env-secret", "AZURE_API_KEY", Self.newProviderKey))
                // Only now may the old key be retired at the provider: the gateway stays healthy without it.
                try provider.setKeys([Self.newProviderKey])
                let health = try await LiteLLMClient(baseURL: f.gatewayURL).health(model: "azure-gpt-4o", masterKey: secret(EngineFixture.oldKey))
                #expect(health.isHealthy)
                #expect(try f.vault.credential("azure-api-key").versions.map(\.state) == [.current, .failed, .previous])
                #expect(try f.vault.auditLog.verify().ok)
            } catch {
                await f.stop()
                throw error
            }
            await f.stop()
        }
    }
}
