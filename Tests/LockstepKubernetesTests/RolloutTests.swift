import Foundation
import KubeSim
import Testing
@testable import LockstepKubernetes

@Suite("Deployment restarts and rollout waits against KubeSim")
struct RolloutTests {
    /// Collects progress callbacks.
    final class ProgressLog: Sendable {
        private let items = TestLock<[RolloutProgress]>([])
        var all: [RolloutProgress] { items.withLock { $0 } }
        var callback: @Sendable (RolloutProgress) -> Void { { [items] p in items.withLock { $0.append(p) } } }
    }

    @Test("restart by annotation: the same value twice rolls once; the wait reports progress and completes")
    func restartAndWait() async throws {
        let dir = try makeTempDirectory()
        defer { removeDirectory(dir) }
        // Pods take 3 s to be ready, so that the rollout is still in progress when the wait
        // starts even on a machine whose cores the rest of the quick round keeps busy.
        try await withKubeSim(seed: [K8sFixtures.deployment("litellm", replicas: 2)], configure: { $0.podReadyDelay = .seconds(3) }) { sim in
            let configuration = try K8sFixtures.configuration(for: sim, in: dir)
            try await KubernetesClient.withClient(configuration) { client in
                try await client.waitForRollout(namespace: "gateway", name: "litellm", options: .init(timeout: .seconds(30)))
                let before = try await client.getDeployment(namespace: "gateway", name: "litellm")
                let first = try await client.restartDeployment(namespace: "gateway", name: "litellm", value: "litellm-master-key.v3")
                #expect(first.metadata.generation == (before.metadata.generation ?? 0) + 1)
                #expect(first.templateAnnotations["lockstep.dev/credential-version"] == "litellm-master-key.v3")
                let second = try await client.restartDeployment(namespace: "gateway", name: "litellm", value: "litellm-master-key.v3")
                #expect(second.metadata.generation == first.metadata.generation, "same patch twice: no second rollout")

                let log = ProgressLog()
                let outcome = try await client.waitForRollout(namespace: "gateway", name: "litellm",
                                                              options: .init(timeout: .seconds(40)), progress: log.callback)
                #expect(outcome.progress.state == .complete)
                #expect(outcome.progress.updated == 2 && outcome.progress.available == 2 && outcome.progress.desired == 2)
                #expect(outcome.lists == 1)
                #expect(log.all.last?.message == "deployment \"litellm\" successfully rolled out")
                #expect(log.all.contains { $0.state == .waiting }, "\(log.all.map(\.message))")
                #expect(log.all.count >= 2)
                let third = try await client.restartDeployment(namespace: "gateway", name: "litellm", value: "litellm-master-key.v3")
                #expect(third.metadata.generation == first.metadata.generation, "a resumed run re-sending the restart rolls nothing")
                let after = try await client.waitForRollout(namespace: "gateway", name: "litellm", options: .init(timeout: .seconds(5)))
                #expect(after.watches == 0, "already rolled out: decided from the LIST alone")
            }
        }
    }

    @Test("a rollout that never finishes times out with the last status in the error")
    func timeout() async throws {
        let dir = try makeTempDirectory()
        defer { removeDirectory(dir) }
        try await withKubeSim(seed: [K8sFixtures.deployment("litellm", replicas: 2)]) { sim in
            let configuration = try K8sFixtures.configuration(for: sim, in: dir)
            try await KubernetesClient.withClient(configuration) { client in
                try await client.waitForRollout(namespace: "gateway", name: "litellm", options: .init(timeout: .seconds(20)))
                sim.faults.setStuckRollout(namespace: "gateway", name: "litellm")
                try await client.restartDeployment(namespace: "gateway", name: "litellm", value: "v2")
                let started = ContinuousClock.now
                let error = await #expect(throws: KubernetesError.self) {
                    try await client.waitForRollout(namespace: "gateway", name: "litellm", options: .init(timeout: .milliseconds(1500)))
                }
                let elapsed = ContinuousClock.now - started
                #expect(error?.code == .timeout)
                #expect(error?.message.contains("Waiting for deployment") == true, "\(String(describing: error))")
                #expect(elapsed >= .milliseconds(1400) && elapsed < .seconds(6))
            }
        }
    }

    @Test("ProgressDeadlineExceeded fails the wait")
    func progressDeadlineExceeded() async throws {
        let dir = try makeTempDirectory()
        defer { removeDirectory(dir) }
        try await withKubeSim(seed: [K8sFixtures.deployment("litellm", replicas: 2, progressDeadlineSeconds: 1)]) { sim in
            let configuration = try K8sFixtures.configuration(for: sim, in: dir)
            try await KubernetesClient.withClient(configuration) { client in
                try await client.waitForRollout(namespace: "gateway", name: "litellm", options: .init(timeout: .seconds(20)))
                sim.faults.setStuckRollout(namespace: "gateway", name: "litellm")
                try await client.restartDeployment(namespace: "gateway", name: "litellm", value: "v2")
                let error = await #expect(throws: KubernetesError.self) {
                    try await client.waitForRollout(namespace: "gateway", name: "litellm", options: .init(timeout: .seconds(15)))
                }
                #expect(error?.code == .rollout)
                #expect(error?.reason == "ProgressDeadlineExceeded")
                #expect(error?.description == "deployment gateway/litellm: rollout: deployment \"litellm\" exceeded its progress deadline")
            }
        }
    }

    @Test("watches the server closes mid-rollout are resumed and the wait still completes")
    func watchCut() async throws {
        let dir = try makeTempDirectory()
        defer { removeDirectory(dir) }
        try await withKubeSim(seed: [K8sFixtures.deployment("litellm", replicas: 3)], configure: { $0.podReadyDelay = .seconds(2) }) { sim in
            let configuration = try K8sFixtures.configuration(for: sim, in: dir)
            try await KubernetesClient.withClient(configuration) { client in
                try await client.waitForRollout(namespace: "gateway", name: "litellm", options: .init(timeout: .seconds(20)))
                try await client.restartDeployment(namespace: "gateway", name: "litellm", value: "v2")
                let log = ProgressLog()
                // timeoutSeconds=1: the server ends each watch after a second; the rollout takes longer.
                let outcome = try await client.waitForRollout(namespace: "gateway", name: "litellm",
                                                              options: .init(timeout: .seconds(30), watchTimeoutSeconds: 1), progress: log.callback)
                #expect(outcome.progress.state == .complete)
                #expect(outcome.watches >= 2, "resumed at least once: \(outcome)")
                #expect(outcome.lists == 1, "a clean close resumes the watch without listing again")
                #expect(log.all.last?.state == .complete)
            }
        }
    }

    @Test("410 Gone on a resumed watch re-lists and the wait still completes")
    func goneRelists() async throws {
        let dir = try makeTempDirectory()
        defer { removeDirectory(dir) }
        try await withKubeSim(seed: [K8sFixtures.deployment("litellm", replicas: 2)], configure: {
            $0.podReadyDelay = .milliseconds(1500)
            $0.watchHistoryLimit = 5
        }) { sim in
            let configuration = try K8sFixtures.configuration(for: sim, in: dir)
            try await KubernetesClient.withClient(configuration) { client in
                try await client.waitForRollout(namespace: "gateway", name: "litellm", options: .init(timeout: .seconds(20)))
                try await client.restartDeployment(namespace: "gateway", name: "litellm", value: "v2")
                // Unrelated writes push the watch history past the resourceVersion the wait resumes from.
                let noise = Task {
                    var n = 0
                    while !Task.isCancelled && n < 2000 {
                        n += 1
                        _ = try? sim.create(K8sFixtures.configMap("noise-\(n)"))
                        try? await Task.sleep(for: .milliseconds(20))
                    }
                }
                defer { noise.cancel() }
                let outcome = try await client.waitForRollout(namespace: "gateway", name: "litellm",
                                                              options: .init(timeout: .seconds(30), watchTimeoutSeconds: 1))
                noise.cancel()
                #expect(outcome.progress.state == .complete)
                #expect(outcome.lists >= 2, "re-listed after 410: \(outcome)")
            }
        }
    }

    @Test("waiting for a Deployment that does not exist is .notFound")
    func missing() async throws {
        let dir = try makeTempDirectory()
        defer { removeDirectory(dir) }
        try await withKubeSim { sim in
            let configuration = try K8sFixtures.configuration(for: sim, in: dir)
            let error = await #expect(throws: KubernetesError.self) {
                try await KubernetesClient.withClient(configuration) { try await $0.waitForRollout(namespace: "gateway", name: "nope") }
            }
            #expect(error?.code == .notFound)
            #expect(error?.object == "deployment gateway/nope")
        }
    }
}
