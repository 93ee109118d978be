import Foundation
import Testing
import KubeSim

@Suite("Deployment controller with simulated pods")
struct DeploymentControllerTests {
    @Test("a template change rolls a new ReplicaSet out and the status ends complete", arguments: [1, 3])
    func rollout(replicas: Int) async throws {
        let sim = try await Fixtures.httpSim([Fixtures.deployment("web", replicas: replicas)])
        do {
        func status() -> JSONValue? { sim.get(.deployments, namespace: "ns", name: "web")?["status"] }
        func complete(generation: Int) -> Bool {
            guard let s = status() else { return false }
            return s["observedGeneration"]?.intValue == generation && s["updatedReplicas"]?.intValue == replicas
                && s["replicas"]?.intValue == replicas && s["availableReplicas"]?.intValue == replicas
                && s["conditions"]?.arrayValue?.contains { $0["reason"] == "NewReplicaSetAvailable" } == true
        }
        #expect(await Fixtures.eventually { complete(generation: 1) })
        let http = RawHTTP(sim)
        let patched = try await http.request(
            "PATCH", "/apis/apps/v1/namespaces/ns/deployments/web?fieldManager=kubectl-rollout",
            body: #"{"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":"2026-01-01T00:00:00Z"}}}}}"#,
            contentType: "application/strategic-merge-patch+json")
        #expect(patched.json.value(at: ["metadata", "generation"]) == 2)
        var maxTotal = 0
        let done = await Fixtures.eventually {
            maxTotal = max(maxTotal, status()?["replicas"]?.intValue ?? 0)
            return complete(generation: 2)
        }
        #expect(done)
        let surge = RolloutMath.surgeAndUnavailable(replicas: replicas, maxSurge: nil, maxUnavailable: nil).surge
        #expect(maxTotal <= replicas + surge)
        let pods = try await http.get("/api/v1/namespaces/ns/pods").json
        #expect(pods["kind"] == "PodList")
        let items = pods["items"]?.arrayValue ?? []
        #expect(items.count == replicas)
        let hash = items.first?.value(at: ["metadata", "labels", "pod-template-hash"])?.stringValue
        #expect(hash != nil && items.allSatisfy { $0.value(at: ["metadata", "labels", "pod-template-hash"])?.stringValue == hash })
        #expect(items.allSatisfy { $0.value(at: ["status", "conditions"])?.arrayValue?.first?["status"] == "True" })
        #expect(try await http.request("DELETE", "/api/v1/namespaces/ns/pods/\(items.first?.value(at: ["metadata", "name"])?.stringValue ?? "")").status == 405)
        } catch {
            await sim.stop()
            throw error
        }
        await sim.stop()
    }
}
