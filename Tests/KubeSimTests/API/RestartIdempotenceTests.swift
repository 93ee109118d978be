import Foundation
import Testing
import KubeSim

@Suite("Restart patches")
struct RestartIdempotenceTests {
    @Test("sending the same restart annotation twice changes nothing the second time (no new resourceVersion, generation or ReplicaSet)")
    func samePatchTwice() async throws {
        let sim = try await Fixtures.httpSim([Fixtures.deployment("web", replicas: 1)])
        do {
            let http = RawHTTP(sim)
            let patch = #"{"spec":{"template":{"metadata":{"annotations":{"lockstep.dev/credential-version":"v7"}}}}}"#
            let path = "/apis/apps/v1/namespaces/ns/deployments/web?fieldManager=lockstep"
            let first = try await http.request("PATCH", path, body: patch, contentType: "application/strategic-merge-patch+json")
            #expect(first.json.value(at: ["metadata", "generation"]) == 2)
            #expect(await Fixtures.eventually {
                sim.get(.deployments, namespace: "ns", name: "web")?.value(at: ["status", "conditions"])?.arrayValue?
                    .contains { $0["reason"] == "NewReplicaSetAvailable" } == true
                    && sim.get(.deployments, namespace: "ns", name: "web")?.value(at: ["status", "observedGeneration"]) == 2
            })
            let settled = sim.get(.deployments, namespace: "ns", name: "web")
            let pods = await sim.pods(namespace: "ns", name: "web")
            let second = try await http.request("PATCH", path, body: patch, contentType: "application/strategic-merge-patch+json")
            #expect(second.status == 200)
            #expect(second.json.value(at: ["metadata", "resourceVersion"]) == settled?.value(at: ["metadata", "resourceVersion"]))
            #expect(second.json.value(at: ["metadata", "generation"]) == 2)
            try await Task.sleep(for: .milliseconds(300))
            #expect(await sim.pods(namespace: "ns", name: "web") == pods, "no pod was replaced")
        } catch {
            await sim.stop()
            throw error
        }
        await sim.stop()
    }
}
