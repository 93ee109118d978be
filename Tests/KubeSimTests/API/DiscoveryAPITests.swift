import Foundation
import Testing
import KubeSim

@Suite("HTTP API: discovery and errors")
struct DiscoveryAPITests {
    @Test("discovery documents list the resources with verbs, kinds and shortNames")
    func discovery() async throws {
        let sim = try await Fixtures.httpSim { $0.serverVersion = "1.31" }
        do {
        let http = RawHTTP(sim)
        let version = try await http.get("/version")
        #expect(version.json["gitVersion"] == "v1.31.0")
        #expect(version.json["minor"] == "31")
        let core = try await http.get("/api/v1")
        let resources = core.json["resources"]?.arrayValue ?? []
        let secrets = resources.first { $0["name"] == "secrets" }
        #expect(secrets?["kind"] == "Secret")
        #expect(secrets?["namespaced"] == true)
        #expect(secrets?["verbs"]?.arrayValue?.contains("patch") == true)
        #expect(resources.first { $0["name"] == "configmaps" }?["shortNames"] == ["cm"])
        let apps = try await http.get("/apis/apps/v1")
        #expect(apps.json["resources"]?.arrayValue?.first { $0["name"] == "deployments" }?["shortNames"] == ["deploy"])
        #expect(apps.json["resources"]?.arrayValue?.contains { $0["name"] == "deployments/status" } == true)
        let groups = try await http.get("/apis")
        #expect(groups.json["groups"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["apps", "coordination.k8s.io", "authorization.k8s.io"])
        #expect(try await http.get("/apis/coordination.k8s.io/v1").json["resources"]?.arrayValue?.first?["kind"] == "Lease")
        let openapi = try await http.get("/openapi/v3")
        #expect(openapi.status == 404)
        #expect(openapi.json["kind"] == "Status")
        #expect(openapi.headers["content-type"] == "application/json")
        } catch {
            await sim.stop()
            throw error
        }
        await sim.stop()
    }

    @Test("404 for a missing object, 415 for an unknown patch type, Status bodies throughout")
    func errors() async throws {
        let sim = try await Fixtures.httpSim([Fixtures.secret("s1", data: ["k": "v"])])
        do {
        let http = RawHTTP(sim)
        let missing = try await http.get("/api/v1/namespaces/ns/secrets/x")
        #expect(missing.status == 404)
        #expect(missing.json["message"] == #"secrets "x" not found"#)
        #expect(missing.json["reason"] == "NotFound")
        let unsupported = try await http.request("PATCH", "/api/v1/namespaces/ns/secrets/s1", body: "{}", contentType: "application/xml")
        #expect(unsupported.status == 415)
        #expect(unsupported.json["reason"] == "UnsupportedMediaType")
        let protobuf = try await http.request("POST", "/api/v1/namespaces/ns/secrets", body: "k8s\0", contentType: "application/vnd.kubernetes.protobuf")
        #expect(protobuf.json["reason"] == "UnsupportedMediaType", "an empty envelope names no kind KubeSim decodes")
        #expect(protobuf.status == 415)
        let started = ContinuousClock.now
        let watch = try await http.get("/api/v1/namespaces/ns/secrets?watch=1&resourceVersion=1&timeoutSeconds=1")
        #expect(watch.status == 200, "resourceVersion 1 is still in the history")
        #expect(ContinuousClock.now - started < .seconds(10), "timeoutSeconds (1 s) ends the watch; the bound leaves room for a starved 2-core runner")
        #expect(watch.body.contains(#""type":"ADDED""#))
        } catch {
            await sim.stop()
            throw error
        }
        await sim.stop()
    }
}
