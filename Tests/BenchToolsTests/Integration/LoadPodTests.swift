import Foundation
import KubeSim
import LockstepBench
import Logging
import Testing

/// lockstep-load as the chat backend's pods in KubeSim, with its key from a Secret. The upstream
/// is the fake provider (it serves the same route and checks the key), so no LiteLLM is needed.
@Suite("lockstep-load as a KubeSim pod", .serialized)
struct LoadPodTests {
    static let oldKey = "sk-backend-old-0001"
    static let newKey = "sk-backend-new-0002"

    @Test("after the Secret changes and a rollout restart, the new pod uses the new key; each pod reports at SIGTERM")
    func rolloutPicksUpTheNewKey() async throws {
        try await RunningFakeProvider.with(keys: [Self.newKey]) { provider in
            let reports = try TempDirectory("load-pods")
            var logger = Logger(label: "kubesim-bench")
            logger.logLevel = .warning
            var config = KubeSimConfiguration()
            config.useTLS = false
            config.seedObjects = [Self.secret(Self.oldKey), Self.deployment(provider: provider.url, reports: reports.path)]
            let sim = try await KubeSim.start(config, logger: logger)
            do {
                try await scenario(sim, provider, reports)
            } catch {
                await sim.stop()
                throw error
            }
        }
    }

    func scenario(_ sim: RunningKubeSim, _ provider: RunningFakeProvider, _ reports: TempDirectory) async throws {
        let api = sim.url.absoluteString
        func rolledOut(_ generation: Int) async -> Bool {
            await eventually(timeout: .seconds(60)) {
                let s = sim.get(.deployments, namespace: "chat", name: "backend")?["status"]
                return s?["observedGeneration"]?.intValue == generation && s?["updatedReplicas"] == 1 && s?["replicas"] == 1 && s?["availableReplicas"] == 1
            }
        }
        #expect(await rolledOut(1), "the load pod became ready through its /healthz probe")
        let first = try #require(await sim.pods(namespace: "chat", name: "backend").first)
        let firstPID = try #require(first.processID)
        #expect(await eventually { ((try? await provider.stats())?["unauthorized"] ?? 0) >= 3 }, "the pod sends with the old key, refused")

        let patched = try await HTTP.request(.PATCH, api + "/api/v1/namespaces/chat/secrets/backend-key?fieldManager=lockstep",
                                             body: #"{"stringData":{"apiKey":"\#(Self.newKey)"}}"#, contentType: "application/merge-patch+json")
        #expect(patched.status == 200)
        try await Task.sleep(for: .milliseconds(500))
        #expect(try await provider.stats()["ok"] == 0, "a running pod keeps the key it started with")

        let restart = try await HTTP.request(.PATCH, api + "/apis/apps/v1/namespaces/chat/deployments/backend?fieldManager=kubectl-rollout",
                                             body: #"{"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":"2026-11-29T11:00:00Z"}}}}}"#,
                                             contentType: "application/strategic-merge-patch+json")
        #expect(restart.status == 200)
        #expect(await rolledOut(2))
        let second = try #require(await sim.pods(namespace: "chat", name: "backend").first)
        let secondPID = try #require(second.processID)
        #expect(second.name != first.name)
        #expect(await eventually { kill(firstPID, 0) != 0 }, "the old pod was stopped")
        #expect(await eventually { ((try? await provider.stats())?["ok"] ?? 0) >= 5 }, "the new pod's requests are accepted")
        await sim.stop()
        #expect(kill(secondPID, 0) != 0)

        let old = try Self.report(reports, pid: firstPID)
        #expect(old.ok == 0 && old.failed == old.total && old.total >= 3, "the old pod: every request refused")
        #expect(old.failuresByStatus.keys.sorted() == ["401"] && old.failuresByType.keys.sorted() == ["invalid_request_error"])
        let new = try Self.report(reports, pid: secondPID)
        #expect(new.ok >= 5 && new.failed == 0, "the new pod: no failure (\(new.failuresByStatus))")
        for name in try FileManager.default.contentsOfDirectory(atPath: reports.path) {
            let text = try String(contentsOfFile: reports.file(name), encoding: .utf8)
            #expect(!text.contains(Self.oldKey) && !text.contains(Self.newKey))
        }
    }

    static func report(_ dir: TempDirectory, pid: Int32) throws -> LoadReport {
        try JSONDecoder().decode(LoadReport.self, from: Data(contentsOf: URL(fileURLWithPath: dir.file("lockstep-load-\(pid).json"))))
    }

    static func secret(_ key: String) -> JSONValue {
        ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "backend-key", "namespace": "chat"],
         "data": ["apiKey": .string(Data(key.utf8).base64EncodedString())]]
    }

    static func deployment(provider: String, reports: String) -> JSONValue {
        let container: JSONValue = [
            "name": "backend", "image": "lockstep/lockstep-load",
            "command": [.string(Binaries.load)],
            "args": ["--model", "gpt-4o-mini", "--rps", "10", "--timeout-ms", "1000"],
            "env": [
                ["name": "LITELLM_BASE_URL", "value": .string(provider)],
                ["name": "LOAD_REPORT_DIR", "value": .string(reports)],
                ["name": "LITELLM_API_KEY", "valueFrom": ["secretKeyRef": ["name": "backend-key", "key": "apiKey"]]],
            ],
            "readinessProbe": ["httpGet": ["path": "/healthz", "port": 8080]],
        ]
        return [
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "backend", "namespace": "chat"],
            "spec": [
                "replicas": 1,
                "selector": ["matchLabels": ["app": "backend"]],
                "template": [
                    "metadata": ["labels": ["app": "backend"]],
                    "spec": ["containers": [container], "terminationGracePeriodSeconds": 5],
                ],
            ],
        ]
    }
}
