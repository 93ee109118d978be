import Foundation
import KubeSim
import LockstepAudit
import LockstepCore
import LockstepCrypto
import LockstepEngine
import LockstepBench
import LockstepLiteLLM
import LockstepProviders
import LockstepVault
import LockstepTesting
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
                #expect(concealed { f.holds("litellm-system", "litellm-env-secret", "AZURE_API_KEY", Self.oldProviderKey) })

                // Now the real new key, accepted by the provider alongside the old one.
                try provider.setKeys([Self.oldProviderKey, Self.newProviderKey])
                let report = try await f.run(settings: settings) { try await $0.start(policy: policy, kind: .rotate, actor: AuditActor(kind: .user, id: "tester"), reason: "quarterly", manualValue: secret(Self.newProviderKey)) }
                #expect(report.run.phase == .succeeded, "\(report.steps.map { "\($0.action): \($0.outcome)" })")
                #expect(report.steps.contains { $0.outcome.contains("healthy: azure-gpt-4o") })
                #expect(concealed { f.holds("litellm-system", "litellm-env-secret", "AZURE_API_KEY", Self.newProviderKey) })
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

        /// Runs `body` while 10 chat requests/s go through the gateway to `model`; the load stops
        /// (and its requests in flight end, each bounded by its 5 s timeout) when `body` returns or throws.
        static func underLoad(gateway: String, model: String, _ body: () async throws -> RunReport) async throws -> (RunReport, LoadReport) {
            var load = LoadConfiguration(baseURL: gateway, apiKey: APIKey(EngineFixture.oldKey))
            load.model = model
            load.requestsPerSecond = 10
            load.timeout = .seconds(5)
            // As the demo's backend and the OpenAI SDKs: a request that got no HTTP answer at all (a
            // keep-alive connection closed by a gateway pod shutting down) is sent again, twice at
            // most; a refusal (401, 429) is never retried and counts as failed.
            load.connectionRetries = 2
            let recorder = LoadRecorder()
            let stop = StopFlag()
            let runner = Task { try await LoadRunner(configuration: load, recorder: recorder).run(stop: stop) }
            let report: RunReport
            do { report = try await body() } catch {
                stop.stop()
                _ = try? await runner.value
                throw error
            }
            stop.stop()
            _ = try await runner.value
            return (report, recorder.report(configuration: load))
        }

        static let azureAccountPath = "/subscriptions/sub-1/resourceGroups/rg-ai/providers/Microsoft.CognitiveServices/accounts/oai-prod"
        static let azureKey1 = "0123456789abcdef0123456789abcdef"
        static let azureKey2 = "fedcba9876543210fedcba9876543210"
        static let adminSecret = "azure-admin-client-secret-000001"

        func azurePolicy(gatewayURL: String, providerURL: String) throws -> RotationPolicy {
            let account = AzureAccount(subscription: "sub-1", resourceGroup: "rg-ai", account: "oai-prod", tenant: "tenant-1", clientID: "app-admin",
                                       clientSecret: try CredentialName("azure-admin"), managementURL: providerURL, loginURL: providerURL)
            return RotationPolicy(name: "azure-api-key", credential: try CredentialName("azure-api-key"), kind: .providerKey, source: .azure(account),
                                  schedule: RotationSchedule(trigger: .every(PolicyDuration("90d")!)), maxAge: PolicyDuration("90d"), strategy: .rolling,
                                  gateway: .init(url: gatewayURL, models: ["azure-gpt-4o"]),
                                  targets: [.init(namespace: "litellm-system", name: "litellm-env-secret", key: "AZURE_API_KEY")],
                                  rollouts: [.init(namespace: "litellm-system", name: "litellm")],
                                  checks: .init(newKeyAccepted: false, oldKeyRefused: false))
        }

        @Test("Azure source under load: the idle key minted at Azure, the gateway rolled onto it, the old key regenerated and refused at the provider; 0 failed requests; a principal without rights is refused before anything changes")
        func azureAlternating() async throws {
            let litellm = try #require(LiteLLMBinary.path, "LiteLLM not found (scripts/setup or LITELLM_BIN)")
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("azure-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            let provider = try await FakeProviderProcess.startAzure(resourcePath: Self.azureAccountPath, key1: Self.azureKey1, key2: Self.azureKey2,
                                                                    clients: ["app-admin \(Self.adminSecret) keys", "app-reader reader-secret-0000000001 read"], directory: scratch)
            defer { provider.stop(); try? FileManager.default.removeItem(at: scratch) }
            let f = try await EngineFixture.start(litellm: litellm, providerURL: provider.url, providerKey: Self.azureKey1, provider: .azure)
            do {
                let tester = AuditActor(kind: .user, id: "tester")
                try f.vault.importCredential(CredentialName("azure-api-key"), value: secret(Self.azureKey1), kind: "provider-key", actor: tester)
                try f.vault.importCredential(CredentialName("azure-admin"), value: secret(Self.adminSecret), kind: "generic", actor: tester)
                let policy = try azurePolicy(gatewayURL: f.gatewayURL, providerURL: provider.url)
                let sources = ProviderKeySources.factory(secret: { [vault = f.vault] in try vault.value(of: $0.rawValue) },
                                                         retry: RetryPolicy(attempts: 3, initialDelay: .milliseconds(200), maxDelay: .seconds(2)))
                var settings = EngineFixture.fastSettings
                settings.verifyAttempts = 12

                // LiteLLM reaches the fake as Azure OpenAI (api-key header on /openai/deployments/…).
                let health = try await LiteLLMClient(baseURL: f.gatewayURL).health(model: "azure-gpt-4o", masterKey: secret(EngineFixture.oldKey))
                #expect(health.isHealthy, "the gateway's Azure model is healthy before the run")

                // A principal with only Reader rights: refused in preflight, nothing regenerated, nothing written.
                var reader = policy
                if case .azure(let a) = policy.source {
                    reader = RotationPolicy(name: policy.name, credential: policy.credential, kind: policy.kind,
                                            source: .azure(AzureAccount(subscription: a.subscription, resourceGroup: a.resourceGroup, account: a.account, tenant: a.tenant,
                                                                        clientID: "app-reader", clientSecret: a.clientSecret, managementURL: a.managementURL, loginURL: a.loginURL)),
                                            schedule: policy.schedule, maxAge: policy.maxAge, strategy: policy.strategy, gateway: policy.gateway,
                                            targets: policy.targets, rollouts: policy.rollouts, checks: policy.checks)
                }
                let readerSources = ProviderKeySources.factory(secret: { _ in try secret("reader-secret-0000000001") })
                let refused = try await f.run(settings: settings, keySources: readerSources) {
                    try await $0.start(policy: reader, kind: .revoke, actor: tester, reason: "incident drill", manualValue: nil)
                }
                #expect(refused.run.phase == .abandoned && refused.run.failure?.contains("AuthorizationFailed") == true, "\(refused.run.failure ?? "")")
                #expect(try concealed { try provider.acceptedKeys() == [Self.azureKey1, Self.azureKey2] }, "nothing regenerated")

                // The rotation under steady load through the gateway.
                let started = ContinuousClock.now
                let (report, outcome) = try await Self.underLoad(gateway: f.gatewayURL, model: "azure-gpt-4o") {
                    try await f.run(settings: settings, keySources: sources) {
                        try await $0.start(policy: policy, kind: .revoke, actor: tester, reason: "litellm supply-chain incident", manualValue: nil)
                    }
                }
                let took = ContinuousClock.now - started
                #expect(report.run.phase == .succeeded, "\(report.steps.map { "\($0.action): \($0.outcome)" })")
                let keys = try provider.acceptedKeys()
                #expect(concealed { keys.count == 2 && !keys.contains(Self.azureKey1) && keys.contains { f.holds("litellm-system", "litellm-env-secret", "AZURE_API_KEY", $0) } },
                        "the gateway holds one of the account's keys, and the old value is no key of the account")
                #expect(concealed { !keys.contains(Self.azureKey2) }, "the idle key was regenerated too: both values the account had before are dead")
                #expect(outcome.total >= 20 && outcome.failed == 0, "\(outcome.failed) of \(outcome.total) requests failed: \(outcome.failures.prefix(3).map(\.line))")
                #expect(try f.vault.credential("azure-api-key").versions.map(\.state) == [.current, .revoked])
                #expect(try f.vault.auditLog.verify().ok)
                // No key, old or new, and not the client secret, in the audit log or the vault file.
                let audit = String(decoding: try f.vault.auditLog.entries().flatMap { AuditJSONLines.line($0) + [10] }, as: UTF8.self)
                #expect(try f.vault.auditLog.entries().contains { $0.action == .providerKeyRetired })
                let database = ["", "-wal"].compactMap { try? Data(contentsOf: URL(fileURLWithPath: f.vault.path + $0)) }.reduce(Data(), +)
                #expect(database.count > 0)
                for value in [Self.azureKey1, Self.azureKey2, Self.adminSecret] + keys {
                    #expect(concealed { !audit.contains(value) }, "a key in the audit log")
                    #expect(concealed { database.range(of: Data(value.utf8)) == nil }, "a key in the vault file in plaintext")
                }
                let refusedAfter = try #require(report.oldKeyRefusedAfterMillis)
                print("azure revoke: \(took) in all, old key refused at the provider after \(refusedAfter) ms; \(outcome.total) requests, \(outcome.failed) failed")
            } catch {
                await f.stop()
                throw error
            }
            await f.stop()
        }

        static let anthropicOld = "sk-ant-api03-gatewayoldAAAAAAAAAAAAAAAAAAAAAAold1"
        static let anthropicNew = "sk-ant-api03-gatewaynewBBBBBBBBBBBBBBBBBBBBBBnew2"
        static let anthropicAdmin = "sk-ant-admin01-fakeadmin00000000000000000001"

        @Test("Anthropic source under load: the new key from a person, the gateway rolled onto it, then the old key set inactive at Anthropic and refused; 0 failed requests")
        func anthropicDeactivates() async throws {
            let litellm = try #require(LiteLLMBinary.path, "LiteLLM not found (scripts/setup or LITELLM_BIN)")
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("anthropic-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            let provider = try await FakeProviderProcess.startAnthropic(keys: ["apikey_gateway_old active \(Self.anthropicOld)"], admin: Self.anthropicAdmin, directory: scratch)
            defer { provider.stop(); try? FileManager.default.removeItem(at: scratch) }
            let f = try await EngineFixture.start(litellm: litellm, providerURL: provider.url, providerKey: Self.anthropicOld, provider: .anthropic)
            do {
                let tester = AuditActor(kind: .user, id: "tester")
                try f.vault.importCredential(CredentialName("anthropic-api-key"), value: secret(Self.anthropicOld), kind: "provider-key", actor: tester)
                try f.vault.importCredential(CredentialName("anthropic-admin"), value: secret(Self.anthropicAdmin), kind: "generic", actor: tester)
                let policy = RotationPolicy(name: "anthropic-api-key", credential: try CredentialName("anthropic-api-key"), kind: .providerKey,
                                            source: .anthropic(AnthropicOrganization(adminKey: try CredentialName("anthropic-admin"), baseURL: provider.url)),
                                            schedule: nil, maxAge: PolicyDuration("90d"), strategy: .rolling, gateway: .init(url: f.gatewayURL, models: ["claude-haiku"]),
                                            targets: [.init(namespace: "litellm-system", name: "litellm-env-secret", key: "ANTHROPIC_API_KEY")],
                                            rollouts: [.init(namespace: "litellm-system", name: "litellm")], checks: .init(newKeyAccepted: false, oldKeyRefused: false))
                let sources = ProviderKeySources.factory(secret: { [vault = f.vault] in try vault.value(of: $0.rawValue) },
                                                         retry: RetryPolicy(attempts: 3, initialDelay: .milliseconds(200), maxDelay: .seconds(2)))
                var settings = EngineFixture.fastSettings
                settings.verifyAttempts = 12
                let health = try await LiteLLMClient(baseURL: f.gatewayURL).health(model: "claude-haiku", masterKey: secret(EngineFixture.oldKey))
                #expect(health.isHealthy, "the gateway's Anthropic model is healthy before the run")

                // A person creates the new key in the Console.
                try (String(contentsOfFile: provider.keysFile, encoding: .utf8) + "apikey_gateway_new active \(Self.anthropicNew)\n")
                    .write(toFile: provider.keysFile, atomically: true, encoding: .utf8)
                let (report, outcome) = try await Self.underLoad(gateway: f.gatewayURL, model: "claude-haiku") {
                    try await f.run(settings: settings, keySources: sources) {
                        try await $0.start(policy: policy, kind: .revoke, actor: tester, reason: "litellm supply-chain incident", manualValue: try secret(Self.anthropicNew))
                    }
                }
                #expect(report.run.phase == .succeeded, "\(report.steps.map { "\($0.action): \($0.outcome)" })")
                let state = try String(contentsOfFile: provider.keysFile, encoding: .utf8)
                #expect(concealed { state.contains("apikey_gateway_old inactive") && state.contains("apikey_gateway_new active") })
                #expect(report.steps.last?.outcome == "ok: the old value is refused at the provider (key apikey_gateway_old (apikey_gateway_old) set inactive; Anthropic refuses it)")
                #expect(concealed { f.holds("litellm-system", "litellm-env-secret", "ANTHROPIC_API_KEY", Self.anthropicNew) })
                #expect(outcome.total >= 20 && outcome.failed == 0, "\(outcome.failed) of \(outcome.total) requests failed: \(outcome.failures.prefix(3).map(\.line))")
                #expect(try f.vault.credential("anthropic-api-key").versions.map(\.state) == [.current, .revoked])
                let audit = String(decoding: try f.vault.auditLog.entries().flatMap { AuditJSONLines.line($0) + [10] }, as: UTF8.self)
                for value in [Self.anthropicOld, Self.anthropicNew, Self.anthropicAdmin] { #expect(concealed { !audit.contains(value) }, "a key in the audit log") }
                print("anthropic revoke: old key refused at the provider after \(report.oldKeyRefusedAfterMillis ?? -1) ms; \(outcome.total) requests, \(outcome.failed) failed")
            } catch {
                await f.stop()
                throw error
            }
            await f.stop()
        }

        static let openaiOld = "sk-svcacct-gatewayoldAAAAAAAAAAAAAAAAAAAAAAold1"
        static let openaiPerson = "sk-proj-personalCCCCCCCCCCCCCCCCCCCCCCCCCCCCper3"
        static let openaiAdmin = "sk-admin-fakeadmin000000000000000000000000001"

        @Test("OpenAI source under load: a service account minted with its key, the gateway rolled onto it, the old service account deleted and its key refused (401) at the provider; 0 failed requests; a project key as the admin key is refused before anything changes")
        func openaiServiceAccount() async throws {
            let litellm = try #require(LiteLLMBinary.path, "LiteLLM not found (scripts/setup or LITELLM_BIN)")
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("openai-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            let provider = try await FakeProviderProcess.startOpenAI(project: "proj_gateway", keys: ["key_gw svc_acct_gw \(Self.openaiOld) gateway-2025",
                                                                                               "key_person user_ana \(Self.openaiPerson) Ana's laptop"],
                                                                     admin: Self.openaiAdmin, directory: scratch)
            defer { provider.stop(); try? FileManager.default.removeItem(at: scratch) }
            let f = try await EngineFixture.start(litellm: litellm, providerURL: provider.url, providerKey: Self.openaiOld, provider: .openAIProject)
            do {
                let tester = AuditActor(kind: .user, id: "tester")
                try f.vault.importCredential(CredentialName("openai-api-key"), value: secret(Self.openaiOld), kind: "provider-key", actor: tester)
                try f.vault.importCredential(CredentialName("openai-admin"), value: secret(Self.openaiAdmin), kind: "generic", actor: tester)
                let policy = RotationPolicy(name: "openai-api-key", credential: try CredentialName("openai-api-key"), kind: .providerKey,
                                            source: .openai(OpenAIProject(project: "proj_gateway", adminKey: try CredentialName("openai-admin"), baseURL: provider.url)),
                                            schedule: nil, maxAge: PolicyDuration("90d"), strategy: .rolling, gateway: .init(url: f.gatewayURL, models: ["gpt-4o"]),
                                            targets: [.init(namespace: "litellm-system", name: "litellm-env-secret", key: "OPENAI_API_KEY")],
                                            rollouts: [.init(namespace: "litellm-system", name: "litellm")], checks: .init(newKeyAccepted: false, oldKeyRefused: false))
                let retry = RetryPolicy(attempts: 3, initialDelay: .milliseconds(200), maxDelay: .seconds(2))
                var settings = EngineFixture.fastSettings
                settings.verifyAttempts = 12
                let health = try await LiteLLMClient(baseURL: f.gatewayURL).health(model: "gpt-4o", masterKey: secret(EngineFixture.oldKey))
                #expect(health.isHealthy, "the gateway's OpenAI model is healthy before the run")
                let before = try String(contentsOfFile: provider.keysFile, encoding: .utf8)

                // A project API key in place of the Admin API key: 403 in preflight, nothing created, nothing written.
                let projectKey = ProviderKeySources.factory(secret: { _ in try secret(Self.openaiOld) }, retry: retry)
                let refused = try await f.run(settings: settings, keySources: projectKey) {
                    try await $0.start(policy: policy, kind: .revoke, actor: tester, reason: "incident drill", manualValue: nil)
                }
                #expect(refused.run.phase == .abandoned && refused.run.failure?.contains("Admin API key (sk-admin-") == true, "\(refused.run.failure ?? "")")
                #expect(try String(contentsOfFile: provider.keysFile, encoding: .utf8) == before, "nothing created or deleted")

                let sources = ProviderKeySources.factory(secret: { [vault = f.vault] in try vault.value(of: $0.rawValue) }, retry: retry)
                let started = ContinuousClock.now
                let (report, outcome) = try await Self.underLoad(gateway: f.gatewayURL, model: "gpt-4o") {
                    try await f.run(settings: settings, keySources: sources) {
                        try await $0.start(policy: policy, kind: .revoke, actor: tester, reason: "litellm supply-chain incident", manualValue: nil)
                    }
                }
                let took = ContinuousClock.now - started
                #expect(report.run.phase == .succeeded, "\(report.steps.map { "\($0.action): \($0.outcome)" })")
                let lines = KeyRing.parseFile(try String(contentsOfFile: provider.keysFile, encoding: .utf8)).map { $0.split(separator: " ", maxSplits: 3).map(String.init) }
                #expect(concealed { lines.count == 2 && lines[0][2] == Self.openaiPerson && lines[1][3].hasPrefix("lockstep-") && lines[1][1] != "svc_acct_gw" },
                        "the old service account is gone, the person's key kept, one service account minted")
                #expect(concealed { lines.count == 2 && f.holds("litellm-system", "litellm-env-secret", "OPENAI_API_KEY", lines[1][2]) }, "the gateway holds the minted key")
                #expect(report.steps.last?.outcome == "ok: the old value is refused at the provider (service account svc_acct_gw (owner of key key_gw) deleted; OpenAI refuses it)")
                // Asked again directly at the data plane (GET /v1/models with the key): 401.
                let plane = OpenAIAdminClient(project: OpenAIProject(project: "proj_gateway", adminKey: try CredentialName("openai-admin"), baseURL: provider.url),
                                              adminKey: try secret(Self.openaiAdmin), retry: retry)
                let (oldRefused, newRefused) = (try await plane.refuses(try secret(Self.openaiOld)), try await plane.refuses(try secret(lines.last?[2] ?? "")))
                #expect(oldRefused && !newRefused, "the old key is refused by the data plane, the minted one accepted")
                #expect(outcome.total >= 20 && outcome.failed == 0, "\(outcome.failed) of \(outcome.total) requests failed: \(outcome.failures.prefix(3).map(\.line))")
                #expect(try f.vault.credential("openai-api-key").versions.map(\.state) == [.current, .revoked])
                #expect(try f.vault.credential("openai-api-key").versions.first?.source == .provider)
                let audit = String(decoding: try f.vault.auditLog.entries().flatMap { AuditJSONLines.line($0) + [10] }, as: UTF8.self)
                for value in [Self.openaiOld, Self.openaiAdmin] + lines.map({ $0[2] }) { #expect(concealed { !audit.contains(value) }, "a key in the audit log") }
                print("openai revoke: \(took) in all, old key refused at the provider after \(report.oldKeyRefusedAfterMillis ?? -1) ms; \(outcome.total) requests, \(outcome.failed) failed")
            } catch {
                await f.stop()
                throw error
            }
            await f.stop()
        }

        static let geminiOld = "AIzaSyGATEWAYoldKEY00000000000000000old1"
        static let geminiMaps = "AIzaSyMAPSfrontendKEY0000000000000000map"

        @Test("Google source under load: a key minted with the old key's restriction, the gateway rolled onto it, the old key deleted and refused (400 API_KEY_INVALID) by the Gemini API; 0 failed requests; a viewer service account is refused before anything changes; a rotation that rolls back deletes the key it minted")
        func googleAPIKey() async throws {
            let litellm = try #require(LiteLLMBinary.path, "LiteLLM not found (scripts/setup or LITELLM_BIN)")
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("google-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            let admin = try FakeGoogle.ServiceAccount(email: "lockstep@gw-project.iam.gserviceaccount.com", role: "admin")
            let viewer = try FakeGoogle.ServiceAccount(email: "auditor@gw-project.iam.gserviceaccount.com", role: "viewer")
            let provider = try await FakeProviderProcess.startGoogle(project: "gw-project", keys: ["gw-2025 active \(Self.geminiOld) generativelanguage.googleapis.com Gateway 2025",
                                                                                             "maps active \(Self.geminiMaps) maps-backend.googleapis.com Maps"],
                                                                     accounts: [admin.line, viewer.line], directory: scratch)
            defer { provider.stop(); try? FileManager.default.removeItem(at: scratch) }
            let f = try await EngineFixture.start(litellm: litellm, providerURL: provider.url, providerKey: Self.geminiOld, provider: .gemini)
            do {
                let tester = AuditActor(kind: .user, id: "tester")
                let adminJSON = try admin.json(baseURL: provider.url)
                try f.vault.importCredential(CredentialName("gemini-api-key"), value: secret(Self.geminiOld), kind: "provider-key", actor: tester)
                try f.vault.importCredential(CredentialName("google-admin"), value: secret(adminJSON), kind: "generic", actor: tester)
                let project = GoogleProject(project: "gw-project", serviceAccountKey: try CredentialName("google-admin"), baseURL: provider.url)
                let policy = RotationPolicy(name: "gemini-api-key", credential: try CredentialName("gemini-api-key"), kind: .providerKey, source: .google(project),
                                            schedule: nil, maxAge: PolicyDuration("90d"), strategy: .rolling, gateway: .init(url: f.gatewayURL, models: ["gemini-pro"]),
                                            targets: [.init(namespace: "litellm-system", name: "litellm-env-secret", key: "GEMINI_API_KEY")],
                                            rollouts: [.init(namespace: "litellm-system", name: "litellm")], checks: .init(newKeyAccepted: false, oldKeyRefused: false))
                let retry = RetryPolicy(attempts: 3, initialDelay: .milliseconds(200), maxDelay: .seconds(2))
                var settings = EngineFixture.fastSettings
                settings.verifyAttempts = 12
                let health = try await LiteLLMClient(baseURL: f.gatewayURL).health(model: "gemini-pro", masterKey: secret(EngineFixture.oldKey))
                #expect(health.isHealthy, "the gateway's Gemini model is healthy before the run")
                let before = try String(contentsOfFile: provider.keysFile, encoding: .utf8)

                // A service account with the viewer role: testIamPermissions names what it lacks (exit 22's error), nothing created.
                let viewerKey = ProviderKeySources.factory(secret: { _ in try secret(try viewer.json(baseURL: provider.url)) }, retry: retry)
                let refused = try await f.run(settings: settings, keySources: viewerKey) {
                    try await $0.start(policy: policy, kind: .revoke, actor: tester, reason: "incident drill", manualValue: nil)
                }
                #expect(refused.run.phase == .abandoned && refused.run.failure?.contains("lacks apikeys.keys.getKeyString") == true, "\(refused.run.failure ?? "")")
                #expect(try String(contentsOfFile: provider.keysFile, encoding: .utf8) == before, "nothing created or deleted")

                let sources = ProviderKeySources.factory(secret: { [vault = f.vault] in try vault.value(of: $0.rawValue) }, retry: retry)
                let started = ContinuousClock.now
                let (report, outcome) = try await Self.underLoad(gateway: f.gatewayURL, model: "gemini-pro") {
                    try await f.run(settings: settings, keySources: sources) {
                        try await $0.start(policy: policy, kind: .revoke, actor: tester, reason: "litellm supply-chain incident", manualValue: nil)
                    }
                }
                let took = ContinuousClock.now - started
                #expect(report.run.phase == .succeeded, "\(report.steps.map { "\($0.action): \($0.outcome)" })")
                let lines = KeyRing.parseFile(try String(contentsOfFile: provider.keysFile, encoding: .utf8)).map { $0.split(separator: " ", maxSplits: 4).map(String.init) }
                #expect(concealed { lines.count == 3 && lines[0][1] == "deleted" && lines[1][2] == Self.geminiMaps && lines[1][1] == "active" },
                        "the old key deleted, the other key untouched")
                #expect(concealed { lines.count == 3 && lines[2][0].hasPrefix("lockstep-") && lines[2][1] == "active" && lines[2][3] == "generativelanguage.googleapis.com" },
                        "one key minted, with the old key's restriction")
                #expect(concealed { lines.count == 3 && f.holds("litellm-system", "litellm-env-secret", "GEMINI_API_KEY", lines[2][2]) }, "the gateway holds the minted key")
                #expect(report.steps.last?.outcome == "ok: the old value is refused at the provider (key gw-2025 (Gateway 2025) deleted (it can be undeleted for 30 days); the Gemini API refuses it)")
                let plane = try GoogleKeysClient(project: project, serviceAccountKey: try secret(adminJSON), retry: retry)
                let (oldRefused, newRefused) = (try await plane.refuses(try secret(Self.geminiOld)), try await plane.refuses(try secret(lines.last?[2] ?? "")))
                #expect(oldRefused && !newRefused, "the old key is refused by the Gemini API, the minted one accepted")
                #expect(outcome.total >= 20 && outcome.failed == 0, "\(outcome.failed) of \(outcome.total) requests failed: \(outcome.failures.prefix(3).map(\.line))")
                #expect(try f.vault.credential("gemini-api-key").versions.map(\.state) == [.current, .revoked])
                let audit = String(decoding: try f.vault.auditLog.entries().flatMap { AuditJSONLines.line($0) + [10] }, as: UTF8.self)
                for value in [Self.geminiOld, adminJSON, "PRIVATE KEY"] + lines.map({ $0[2] }) { #expect(concealed { !audit.contains(value) }, "a key in the audit log") }
                print("google revoke: \(took) in all, old key refused at the provider after \(report.oldKeyRefusedAfterMillis ?? -1) ms; \(outcome.total) requests, \(outcome.failed) failed")

                // A rotation whose new key Google blocks for the Gemini API (its restriction changed
                // at the provider right after the mint, before any step that reads it): the gateway
                // is unhealthy on it, the run rolls back, and the key it minted is deleted at Google.
                let state = provider.keysFile, serving = lines[2][2]
                var blocking = settings
                blocking.verifyAttempts = 3
                blocking.beforeStep = {
                    let text = try String(contentsOfFile: state, encoding: .utf8)
                    let edited = text.split(separator: "\n").map { line -> String in
                        let f = line.split(separator: " ", maxSplits: 4).map(String.init)
                        guard f.count == 5, f[0].hasPrefix("lockstep-"), f[1] == "active", f[2] != serving else { return String(line) }
                        return [f[0], f[1], f[2], "maps-backend.googleapis.com", f[4]].joined(separator: " ")
                    }.joined(separator: "\n") + "\n"
                    if edited != text { try edited.write(toFile: state, atomically: true, encoding: .utf8) }
                }
                let failed = try await f.run(settings: blocking, keySources: sources) {
                    try await $0.start(policy: policy, kind: .rotate, actor: tester, reason: "scheduled", manualValue: nil)
                }
                #expect(failed.run.phase == .rolledBack, "\(failed.steps.map { "\($0.action): \($0.outcome)" })")
                let after = KeyRing.parseFile(try String(contentsOfFile: provider.keysFile, encoding: .utf8)).map { $0.split(separator: " ", maxSplits: 4).map(String.init) }
                #expect(concealed { after.count == 4 && after[2][2] == lines[2][2] && after[2][1] == "active" && after[3][1] == "deleted" },
                        "the current key kept, the key minted for the failed run deleted")
                #expect(failed.steps.last?.outcome.contains("v3 discarded at the provider") == true, "\(failed.steps.last?.outcome ?? "")")
                #expect(try f.vault.credential("gemini-api-key").versions.map(\.state) == [.failed, .current, .revoked])
            } catch {
                await f.stop()
                throw error
            }
            await f.stop()
        }
    }
}
