import Foundation
import Testing
import KubeSim

@Suite("Leases and watch bookmarks")
struct LeaseAPITests {
    @Test("leader election: create a Lease, renew with a resourceVersion-guarded PUT; a stale PUT loses with 409")
    func leaseGuardedUpdate() async throws {
        let sim = try await Fixtures.httpSim()
        do {
            let http = RawHTTP(sim)
            let path = "/apis/coordination.k8s.io/v1/namespaces/lockstep/leases"
            let lease: JSONValue = [
                "apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": ["name": "lockstep-leader"],
                "spec": ["holderIdentity": "a", "leaseDurationSeconds": 15, "acquireTime": "2026-01-01T00:00:00.000000Z",
                         "renewTime": "2026-01-01T00:00:00.000000Z", "leaseTransitions": 0],
            ]
            let created = try await http.request("POST", path, body: lease.jsonString)
            #expect(created.status == 201)
            var renewed = created.json
            renewed.setValue("2026-01-01T00:00:10.000000Z", at: ["spec", "renewTime"])
            let first = try await http.request("PUT", "\(path)/lockstep-leader", body: renewed.jsonString)
            #expect(first.status == 200)
            #expect(first.json.value(at: ["spec", "renewTime"]) == "2026-01-01T00:00:10.000000Z")
            var takeover = created.json
            takeover.setValue("b", at: ["spec", "holderIdentity"])
            let stale = try await http.request("PUT", "\(path)/lockstep-leader", body: takeover.jsonString)
            #expect(stale.status == 409)
            #expect(stale.json["message"] == #"Operation cannot be fulfilled on leases.coordination.k8s.io "lockstep-leader": the object has been modified; please apply your changes to the latest version and try again"#)
            let again = try await http.request("POST", path, body: lease.jsonString)
            #expect(again.status == 409)
            #expect(again.json["reason"] == "AlreadyExists")
        } catch {
            await sim.stop()
            throw error
        }
        await sim.stop()
    }

    @Test("a watch with allowWatchBookmarks gets BOOKMARK events carrying a resourceVersion")
    func bookmarks() async throws {
        let sim = try await Fixtures.httpSim([Fixtures.secret("s1", data: ["k": "v"])]) { $0.bookmarkInterval = .milliseconds(100) }
        do {
            let rv = sim.store.resourceVersion
            let raw = try await RawHTTP(sim).exchange(
                "GET /api/v1/namespaces/ns/secrets?watch=true&allowWatchBookmarks=true&resourceVersion=\(rv) HTTP/1.1\r\nHost: x\r\n\r\n",
                timeout: .seconds(30), until: { $0.contains("BOOKMARK") && $0.hasSuffix("\r\n") })
            let body = try RawHTTP.parse(raw).body
            let event = try JSONValue.parse(String(body.split(separator: "\n").first ?? ""))
            #expect(event["type"] == "BOOKMARK")
            #expect(event.value(at: ["object", "kind"]) == "Secret")
            #expect(event.value(at: ["object", "metadata", "resourceVersion"])?.stringValue == String(rv))
        } catch {
            await sim.stop()
            throw error
        }
        await sim.stop()
    }
}
