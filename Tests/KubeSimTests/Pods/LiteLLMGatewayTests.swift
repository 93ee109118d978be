import Foundation
import LockstepTesting
import Testing
import KubeSim

/// The gateway's pods are real LiteLLM proxy processes (DESIGN.md §7) that read the master key
/// from a Secret at start. Rotating = patch the Secret, restart the Deployment; once the rollout is
/// done the new key works through the Service and the old one is refused.
@Suite("LiteLLM gateway pods", .serialized, .enabled(if: LiteLLM.binary != nil || Fixtures.inCI, "LiteLLM is not installed in .venv (set LITELLM_BIN); CI=true makes this a failure"))
struct LiteLLMGatewayTests {
    static let oldKey = "sk-lockstep-old-0123456789"
    static let newKey = "sk-lockstep-new-9876543210"

    static let config = """
        model_list:
          - model_name: fake-gpt
            litellm_params:
              model: openai/fake-gpt
              api_key: fake-provider-key
              mock_response: "hello from the mock"
        general_settings:
          master_key: os.environ/PROXY_MASTER_KEY
        """

    func models(_ service: URL, key: String) async throws -> Int {
        try await RawHTTP(port: service.port!).request("GET", "/v1/models", headers: ["Authorization": "Bearer \(key)"], timeout: .seconds(15)).status
    }

    @Test("rotate the master key: patch the Secret, restart, the new key works and the old is refused")
    func rotateMasterKey() async throws {
        let litellm = try #require(LiteLLM.binary, "LiteLLM binary not found (set LITELLM_BIN)")
        let directory = try Fixtures.tempDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let configPath = directory.appendingPathComponent("config.yaml")
        try Self.config.write(to: configPath, atomically: true, encoding: .utf8)
        let container: JSONValue = [
            "name": "litellm", "image": "ghcr.io/berriai/litellm:main-v1.108.7",
            "command": [.string(litellm)],
            "args": ["--config", .string(configPath.path), "--host", "127.0.0.1", "--port", "$(PORT)"],
            "env": [
                ["name": "LITELLM_LOCAL_MODEL_COST_MAP", "value": "True"],
                ["name": "PROXY_MASTER_KEY", "valueFrom": ["secretKeyRef": ["name": "litellm-masterkey", "key": "masterkey"]]],
            ],
            "readinessProbe": ["httpGet": ["path": "/health/readiness", "port": 4000]],
        ]
        var gateway = Fixtures.deployment("litellm", namespace: "gateway", replicas: 1, container: container)
        gateway.setValue(10, at: ["spec", "template", "spec", "terminationGracePeriodSeconds"])
        let sim = try await Fixtures.httpSim([
            Fixtures.secret("litellm-masterkey", namespace: "gateway", data: ["masterkey": Self.oldKey]), gateway,
        ])
        do {
        func rolledOut(_ generation: Int, timeout: Duration = .seconds(120)) async -> Bool {
            await Fixtures.eventually(timeout: timeout) {
                let s = sim.get(.deployments, namespace: "gateway", name: "litellm")?["status"]
                return s?["observedGeneration"]?.intValue == generation && s?["updatedReplicas"] == 1
                    && s?["replicas"] == 1 && s?["availableReplicas"] == 1
            }
        }

        let started = ContinuousClock.now
        #expect(await rolledOut(1), "the first LiteLLM pod became ready")
        print("LiteLLM gateway ready after \(ContinuousClock.now - started)")
        let service = try #require(await sim.serviceURL(namespace: "gateway", name: "litellm"))
        #expect(try await models(service, key: Self.oldKey) == 200)
        #expect(try await models(service, key: Self.newKey) == 400, "without a database a wrong key is 400 no_db_connection")

        let http = RawHTTP(sim)
        let patched = try await http.request(
            "PATCH", "/api/v1/namespaces/gateway/secrets/litellm-masterkey?fieldManager=lockstep",
            body: #"{"stringData":{"masterkey":"\#(Self.newKey)"}}"#, contentType: "application/merge-patch+json")
        #expect(patched.status == 200)
        #expect(try await models(service, key: Self.oldKey) == 200, "the running pod keeps the key it started with")

        let restartedAt = ObjectRulesClock.now
        let restart = try await http.request(
            "PATCH", "/apis/apps/v1/namespaces/gateway/deployments/litellm?fieldManager=kubectl-rollout",
            body: #"{"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":"\#(restartedAt)"}}}}}"#,
            contentType: "application/strategic-merge-patch+json")
        #expect(restart.status == 200)

        // Clients keep getting HTTP answers through the rolling update (maxSurge 1, maxUnavailable 0).
        let rolling = ContinuousClock.now
        var refusedConnections = 0
        var answers = 0
        while true {
            let done = await rolledOut(2, timeout: .zero)
            let podCount = await sim.pods(namespace: "gateway", name: "litellm").count
            if done && podCount == 1 { break }
            if ContinuousClock.now - rolling > .seconds(120) { break }
            do {
                _ = try await models(service, key: Self.oldKey)
                answers += 1
            } catch {
                refusedConnections += 1
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        print("LiteLLM rollout took \(ContinuousClock.now - rolling); \(answers) answers, \(refusedConnections) failed connections")
        #expect(await rolledOut(2))
        #expect(refusedConnections == 0)
        #expect(answers > 0)

        #expect(try await models(service, key: Self.newKey) == 200, "the new key works once the rollout is done")
        let old = try await models(service, key: Self.oldKey)
        #expect(old == 400 || old == 401, "the old key is refused (got \(old))")
        } catch {
            await sim.stop()
            throw error
        }
        await sim.stop()
    }
}

/// An RFC 3339 timestamp, as `kubectl rollout restart` writes it.
enum ObjectRulesClock {
    static var now: String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date())
    }
}

/// Where the LiteLLM proxy is (`TestEnvironment`: `LITELLM_BIN`, else the repository's `.venv/bin/litellm`).
enum LiteLLM {
    static var binary: String? { TestEnvironment.liteLLM }
}
