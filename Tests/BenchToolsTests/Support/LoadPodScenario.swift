import Foundation
import LockstepTesting
import KubeSim
import LockstepBench
import Logging
import Testing

/// lockstep-load as the chat backend's pod in KubeSim, its key from a Secret (`secretKeyRef`):
/// with the old key every request is refused; patching the Secret changes nothing for the running
/// pod; after a rollout restart the new pod's requests succeed. Progress is read from each pod's
/// own `GET /report` (on the `PORT` KubeSim gave it); the final reports are the files the pods
/// write into `LOAD_REPORT_DIR` when `sim.stop()` sends them SIGTERM.
struct LoadPodScenario {
    /// The gateway (or the fake provider) the pods send to.
    let target: String
    let model: String
    let oldKey: String
    let newKey: String
    /// What every request with the old key must get.
    let refusedStatus: String
    let refusedType: String

    func run() async throws {
        let reports = try TempDirectory("load-pods")
        var logger = Logger(label: "kubesim-bench")
        logger.logLevel = .warning
        var config = KubeSimConfiguration()
        config.useTLS = false
        config.seedObjects = [secret(oldKey), deployment(reports: reports.path)]
        let sim = try await KubeSim.start(config, logger: logger)
        do {
            try await scenario(sim, reports)
        } catch {
            await sim.stop()
            throw error
        }
    }

    private func scenario(_ sim: RunningKubeSim, _ reports: TempDirectory) async throws {
        let api = sim.url.absoluteString
        func rolledOut(_ generation: Int) async -> Bool {
            await eventually(timeout: .seconds(60)) {
                let s = sim.get(.deployments, namespace: "chat", name: "backend")?["status"]
                return s?["observedGeneration"]?.intValue == generation && s?["updatedReplicas"] == 1 && s?["replicas"] == 1 && s?["availableReplicas"] == 1
            }
        }
        func live(_ pod: PodInfo) async -> LoadReport? {
            guard let port = pod.port, let answer = try? await HTTP.request(.GET, "http://127.0.0.1:\(port)/report", timeout: .seconds(2)) else { return nil }
            return try? JSONDecoder().decode(LoadReport.self, from: Data(answer.body.utf8))
        }

        #expect(await rolledOut(1), "the load pod became ready through its /healthz probe")
        let first = try #require(await sim.pods(namespace: "chat", name: "backend").first)
        let firstPID = try #require(first.processID)
        #expect(await eventually { (await live(first)?.failed ?? 0) >= 3 }, "the pod sends with the old key, refused")

        let patched = try await HTTP.request(.PATCH, api + "/api/v1/namespaces/chat/secrets/backend-key?fieldManager=lockstep",
                                             body: #"{"stringData":{"apiKey":"\#(newKey)"}}"#, contentType: "application/merge-patch+json")
        #expect(patched.status == 200)
        // Waits until the pod has sent three more requests since the patch: all still refused.
        let before = await live(first)?.failed ?? 0
        #expect(await eventually { (await live(first)?.failed ?? 0) >= before + 3 }, "the pod goes on sending after the patch")
        #expect(await live(first)?.ok == 0, "a running pod keeps the key it started with")

        let restart = try await HTTP.request(.PATCH, api + "/apis/apps/v1/namespaces/chat/deployments/backend?fieldManager=kubectl-rollout",
                                             body: #"{"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":"2026-11-29T11:00:00Z"}}}}}"#,
                                             contentType: "application/strategic-merge-patch+json")
        #expect(restart.status == 200)
        #expect(await rolledOut(2))
        let second = try #require(await sim.pods(namespace: "chat", name: "backend").first)
        let secondPID = try #require(second.processID)
        #expect(second.name != first.name)
        #expect(await eventually { kill(firstPID, 0) != 0 }, "the old pod was stopped")
        #expect(await eventually { (await live(second)?.ok ?? 0) >= 5 }, "the new pod's requests succeed")
        await sim.stop()
        #expect(kill(secondPID, 0) != 0)

        let old = try report(reports, pid: firstPID)
        #expect(old.ok == 0 && old.failed == old.total && old.total >= 3, "the old pod: every request refused")
        #expect(old.failuresByStatus.keys.sorted() == [refusedStatus] && old.failuresByType.keys.sorted() == [refusedType], "\(old.failuresByStatus) \(old.failuresByType)")
        let new = try report(reports, pid: secondPID)
        #expect(new.ok >= 5 && new.failed == 0, "the new pod: no failure (\(new.failuresByStatus))")
        for name in try FileManager.default.contentsOfDirectory(atPath: reports.path) {
            let text = try String(contentsOfFile: reports.file(name), encoding: .utf8)
            #expect(!text.contains(oldKey) && !text.contains(newKey), "no key in a report")
        }
    }

    private func report(_ dir: TempDirectory, pid: Int32) throws -> LoadReport {
        try JSONDecoder().decode(LoadReport.self, from: Data(contentsOf: URL(fileURLWithPath: dir.file("lockstep-load-\(pid).json"))))
    }

    private func secret(_ key: String) -> JSONValue {
        ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "backend-key", "namespace": "chat"],
         "data": ["apiKey": .string(Data(key.utf8).base64EncodedString())]]
    }

    private func deployment(reports: String) -> JSONValue {
        let container: JSONValue = [
            "name": "backend", "image": "lockstep/lockstep-load",
            "command": [.string(Binaries.load)],
            "args": ["--model", .string(model), "--rps", "10", "--timeout-ms", "2000"],
            "env": [
                ["name": "LITELLM_BASE_URL", "value": .string(target)],
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
