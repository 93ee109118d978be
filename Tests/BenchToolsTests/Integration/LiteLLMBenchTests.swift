import Foundation
import LockstepBench
import Testing

/// Both tools against one real LiteLLM proxy (started once for the suite's single test, stopped
/// by PID at the end): the fake provider as LiteLLM's upstream, and lockstep-load as its client.
@Suite("Bench tools through a real LiteLLM", .serialized,
       .enabled(if: Binaries.litellm != nil || Binaries.inCI, "LiteLLM not installed (scripts/setup or LITELLM_BIN); CI=true makes this a failure"))
struct LiteLLMBenchTests {
    static let providerKey = "sk-provider-current-0001"
    static let masterKey = "sk-lockstep-master-0123456789"

    @Test("fake-provider as upstream: chat and /health with the right key, unhealthy with a refused one; lockstep-load: 0 failures, 400 no_db_connection, 401 auth_error, and as a KubeSim pod across a Secret change and restart")
    func gatewayEndToEnd() async throws {
        let binary = try #require(Binaries.litellm, "LiteLLM not found: run scripts/setup or set LITELLM_BIN")
        try await RunningFakeProvider.with(keys: [Self.providerKey]) { provider in
            let gateway = try await LiteLLMGateway.started(binary: binary, providerURL: provider.url, providerKey: Self.providerKey, masterKey: Self.masterKey)
            do {
                let started = ContinuousClock.now
                print("LiteLLM ready after \(ContinuousClock.now - started)")
                try await upstream(gateway, provider)
                try await loadClient(gateway)
                // The backend's pod in KubeSim: a wrong key (400 no_db_connection), then the right one after a restart.
                try await LoadPodScenario(target: gateway.url, model: "mock-gpt", oldKey: "sk-backend-not-a-key-0001", newKey: Self.masterKey,
                                          refusedStatus: "400", refusedType: "no_db_connection").run()
                await gateway.process.stop(grace: .seconds(10))
                #expect(!gateway.process.process.isRunning)
            } catch {
                await gateway.process.stop(grace: .seconds(10))
                throw error
            }
        }
    }

    /// LiteLLM calls the fake provider with its configured key; when the provider stops accepting
    /// that key, /health reports the model unhealthy.
    func upstream(_ gateway: LiteLLMGateway, _ provider: RunningFakeProvider) async throws {
        let before = try await provider.stats()
        let chat = try await HTTP.chat(gateway.url + "/v1", key: Self.masterKey, model: "fake-gpt")
        #expect(chat.status == 200, "\(chat.body.prefix(300))")
        let message = ((chat.json?["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any])?["content"] as? String
        #expect(message == "Hello from fake-provider.")
        let afterChat = try await provider.stats()
        #expect(afterChat["ok"] == (before["ok"] ?? 0) + 1, "the provider answered LiteLLM once")
        #expect(afterChat["unauthorized"] == 0 && afterChat["missingKey"] == 0, "with the right key")

        let healthy = try await gateway.health(model: "fake-gpt")
        #expect(healthy.status == 200 && healthy.healthy == 1 && healthy.unhealthy == 0)

        // Rotate the provider key away from under LiteLLM: its key is now refused.
        try provider.setKeys(["sk-provider-next-0002"])
        let unhealthy = try await gateway.health(model: "fake-gpt")
        #expect(unhealthy.healthy == 0 && unhealthy.unhealthy == 1)
        #expect(unhealthy.status == 503, "litellm 1.108.7 answers 503 (same body) when no endpoint of the model is healthy")
        let refused = try await provider.stats()
        #expect((refused["unauthorized"] ?? 0) >= 1, "LiteLLM's health check reached the provider with the old key")
        let failing = try await HTTP.chat(gateway.url + "/v1", key: Self.masterKey, model: "fake-gpt")
        #expect(failing.status == 401, "LiteLLM passes the provider's refusal on: \(failing.status)")
        #expect(!failing.body.contains(Self.providerKey))
    }

    /// lockstep-load against the gateway's mock model with the master key, a wrong key and no key.
    func loadClient(_ gateway: LiteLLMGateway) async throws {
        let dir = try TempDirectory("load-litellm")
        func run(_ name: String, key: String?) async throws -> LoadReport {
            var env = ["LITELLM_BASE_URL": gateway.url]
            if let key { env["LITELLM_API_KEY"] = key }
            let load = try BenchProcess(Binaries.load, ["--rps", "10", "--max-requests", "10", "--timeout-ms", "5000", "--report", dir.file(name)], environment: env)
            #expect(await load.waitForExit(timeout: .seconds(60)) == 0)
            let text = try String(contentsOfFile: dir.file(name), encoding: .utf8)
            #expect(!text.contains(Self.masterKey) && !load.stderr.contains(Self.masterKey))
            return try JSONDecoder().decode(LoadReport.self, from: Data(text.utf8))
        }
        let good = try await run("good.json", key: Self.masterKey)
        #expect(good.total == 10 && good.ok == 10 && good.failed == 0, "\(good.failuresByStatus)")

        let wrong = try await run("wrong.json", key: "sk-not-the-master-key-000")
        #expect(wrong.total == 10 && wrong.failed == 10)
        #expect(wrong.failuresByStatus == ["400": 10] && wrong.failuresByType == ["no_db_connection": 10], "without a database a wrong key is 400 no_db_connection")
        #expect(wrong.failures.allSatisfy { $0.at.hasSuffix("Z") && $0.at.contains(".") })

        let none = try await run("none.json", key: nil)
        #expect(none.failuresByStatus == ["401": 10] && none.failuresByType == ["auth_error": 10])
    }
}
