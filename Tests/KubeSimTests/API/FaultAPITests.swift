import Foundation
import Testing
import KubeSim

@Suite("Fault injection")
struct FaultAPITests {
    @Test("POST /kubesim/faults: the next N writes to an object conflict")
    func injectedConflicts() async throws {
        let sim = try await Fixtures.httpSim([Fixtures.secret("s1", data: ["k": "v"])])
        do {
        let http = RawHTTP(sim)
        let armed = try await http.request("POST", "/kubesim/faults", body: #"{"conflicts":[{"resource":"secrets","namespace":"ns","name":"s1","count":2}]}"#)
        #expect(armed.status == 200)
        #expect(armed.json["conflicts"]?.arrayValue?.first?["count"] == 2)
        var codes: [Int] = []
        for value in ["YQ==", "Yg==", "Yw=="] {
            codes.append(try await http.request("PATCH", "/api/v1/namespaces/ns/secrets/s1", body: #"{"data":{"k":"\#(value)"}}"#, contentType: "application/merge-patch+json").status)
        }
        #expect(codes == [409, 409, 200])
        } catch {
            await sim.stop()
            throw error
        }
        await sim.stop()
    }

    @Test("server errors for matching requests, then normal answers; latency is added")
    func serverErrorsAndLatency() async throws {
        let sim = try await Fixtures.httpSim([Fixtures.secret("s1", data: ["k": "v"])])
        do {
        let http = RawHTTP(sim)
        sim.faults.injectServerErrors(.init(count: 2, code: 503, verbs: ["get"], resources: ["secrets"]))
        #expect(try await http.get("/api/v1/namespaces/ns/secrets/s1").status == 503)
        #expect(try await http.get("/api/v1/namespaces/ns/secrets").status == 200, "list is not a matching verb")
        #expect(try await http.get("/api/v1/namespaces/ns/secrets/s1").status == 503)
        #expect(try await http.get("/api/v1/namespaces/ns/secrets/s1").status == 200)
        _ = try await http.request("POST", "/kubesim/faults", body: #"{"latencyMilliseconds":300}"#)
        let started = ContinuousClock.now
        #expect(try await http.get("/api/v1/namespaces/ns/secrets/s1").status == 200)
        #expect(ContinuousClock.now - started >= .milliseconds(300))
        _ = try await http.request("DELETE", "/kubesim/faults")
        #expect(try await http.get("/kubesim/faults").json["latencyMilliseconds"] == 0)
        } catch {
            await sim.stop()
            throw error
        }
        await sim.stop()
    }

    @Test("crashing pods never become available")
    func crashingPods() async throws {
        let sim = try await Fixtures.httpSim { $0.faults = ["crashingPods": [["namespace": "ns", "name": "web"]]] }
        do {
        try sim.create(Fixtures.deployment("web", replicas: 2))
        let settled = await Fixtures.eventually(timeout: .seconds(30)) {
            sim.get(.deployments, namespace: "ns", name: "web")?.value(at: ["status", "updatedReplicas"]) == 2
        }
        #expect(settled)
        // Waits until both pods have crashed at least once (the kubelet's back-off shows it), not for a while.
        let crashed = await Fixtures.eventually(timeout: .seconds(30)) {
            let pods = (try? await RawHTTP(sim).get("/api/v1/namespaces/ns/pods?labelSelector=app%3Dweb").json["items"]?.arrayValue) ?? []
            return pods.count == 2 && pods.allSatisfy { $0.value(at: ["status", "containerStatuses"])?.arrayValue?.first?.value(at: ["state", "waiting", "reason"]) == "CrashLoopBackOff" }
        }
        #expect(crashed)
        let status = sim.get(.deployments, namespace: "ns", name: "web")?["status"]
        #expect(status?["availableReplicas"] == 0)
        #expect(status?["conditions"]?.arrayValue?.first { $0["type"] == "Available" }?["status"] == "False")
        let pods = try await RawHTTP(sim).get("/api/v1/namespaces/ns/pods?labelSelector=app%3Dweb").json["items"]?.arrayValue ?? []
        #expect(pods.count == 2)
        #expect(pods.allSatisfy { $0.value(at: ["status", "containerStatuses"])?.arrayValue?.first?.value(at: ["state", "waiting", "reason"]) == "CrashLoopBackOff" })
        } catch {
            await sim.stop()
            throw error
        }
        await sim.stop()
    }
}
