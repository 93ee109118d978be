import Foundation
import Testing
import KubeSim

@Suite("HTTP API: verbs and patch types")
struct ResourceAPITests {
    @Test("create, get, list with selectors, update, delete")
    func crud() async throws {
        let sim = try await Fixtures.httpSim()
        do {
        let http = RawHTTP(sim)
        var cm: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "c1", "labels": ["tier": "gw"]], "data": ["a": "1"]]
        let created = try await http.request("POST", "/api/v1/namespaces/ns/configmaps", body: cm.jsonString)
        #expect(created.status == 201)
        #expect(created.json.value(at: ["metadata", "namespace"]) == "ns")
        _ = try await http.request("POST", "/api/v1/namespaces/ns/configmaps", body: #"{"metadata":{"name":"c2"}}"#)
        let byLabel = try await http.get("/api/v1/namespaces/ns/configmaps?labelSelector=tier%3Dgw")
        #expect(byLabel.json["items"]?.arrayValue?.count == 1)
        #expect(byLabel.json["kind"] == "ConfigMapList")
        let byName = try await http.get("/api/v1/configmaps?fieldSelector=metadata.name%3Dc2")
        #expect(byName.json["items"]?.arrayValue?.first?.value(at: ["metadata", "name"]) == "c2")
        cm = created.json
        cm["data"] = ["a": "2"]
        let updated = try await http.request("PUT", "/api/v1/namespaces/ns/configmaps/c1", body: cm.jsonString)
        #expect(updated.status == 200)
        #expect(updated.json.value(at: ["data", "a"]) == "2")
        let stale = try await http.request("PUT", "/api/v1/namespaces/ns/configmaps/c1", body: cm.jsonString)
        #expect(stale.status == 409)
        let deleted = try await http.request("DELETE", "/api/v1/namespaces/ns/configmaps/c1")
        #expect(deleted.json["status"] == "Success")
        #expect(try await http.get("/api/v1/namespaces/ns/configmaps/c1").status == 404)
        } catch {
            await sim.stop()
            throw error
        }
        await sim.stop()
    }

    @Test("merge, strategic, JSON and apply patches; a patch carrying a stale resourceVersion gets 409")
    func patchTypes() async throws {
        let sim = try await Fixtures.httpSim([Fixtures.secret("s1", data: ["k": "v"]), Fixtures.deployment("web")])
        do {
        let http = RawHTTP(sim)
        let path = "/api/v1/namespaces/ns/secrets/s1"
        let merge = try await http.request("PATCH", path, body: #"{"stringData":{"k":"new"}}"#, contentType: "application/merge-patch+json")
        #expect(merge.json.value(at: ["data", "k"]) == "bmV3")
        let rv = merge.json.value(at: ["metadata", "resourceVersion"])!.stringValue!
        let json = try await http.request("PATCH", path, body: #"[{"op":"add","path":"/metadata/labels","value":{"a":"b"}}]"#, contentType: "application/json-patch+json")
        #expect(json.json.value(at: ["metadata", "labels", "a"]) == "b")
        let stale = try await http.request("PATCH", path, body: #"{"metadata":{"resourceVersion":"\#(rv)"},"data":{"k":"eA=="}}"#, contentType: "application/merge-patch+json")
        #expect(stale.status == 409)
        #expect(stale.json["message"] == #"Operation cannot be fulfilled on secrets "s1": the object has been modified; please apply your changes to the latest version and try again"#)
        let strategic = try await http.request(
            "PATCH", "/apis/apps/v1/namespaces/ns/deployments/web",
            body: #"{"spec":{"template":{"spec":{"containers":[{"name":"app","env":[{"name":"EXTRA","value":"1"}]}]}}}}"#,
            contentType: "application/strategic-merge-patch+json")
        #expect(strategic.json.value(at: ["spec", "template", "spec", "containers"])?.arrayValue?.first?["env"]?.arrayValue?.count == 2)
        #expect(strategic.json.value(at: ["metadata", "generation"]) == 2)
        let noManager = try await http.request("PATCH", path, body: "data: {}\n", contentType: "application/apply-patch+yaml")
        #expect(noManager.status == 422)
        let apply = try await http.request(
            "PATCH", "/api/v1/namespaces/ns/configmaps/applied?fieldManager=lockstep",
            body: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\ndata:\n  x: \"1\"\n", contentType: "application/apply-patch+yaml")
        #expect(apply.json.value(at: ["data", "x"]) == "1")
        let managers = apply.json.value(at: ["metadata", "managedFields"])?.arrayValue ?? []
        #expect(managers.first?["manager"] == "lockstep")
        #expect(managers.first?["operation"] == "Apply")
        } catch {
            await sim.stop()
            throw error
        }
        await sim.stop()
    }

    @Test("watch streams JSON lines from a resourceVersion; a too old one gets 410")
    func watchOverHTTP() async throws {
        let sim = try await Fixtures.httpSim([Fixtures.secret("s1", data: ["k": "v"])]) { $0.watchHistoryLimit = 5 }
        do {
        let http = RawHTTP(sim)
        let start = sim.store.resourceVersion
        // The watch starts at `start`, so the patch is delivered whether it lands before or after
        // the watch connects: no pause needed to order them.
        let patcher = Task {
            _ = try await http.request("PATCH", "/api/v1/namespaces/ns/secrets/s1", body: #"{"data":{"k":"dzI="}}"#, contentType: "application/merge-patch+json")
        }
        let raw = try await http.exchange(
            "GET /api/v1/namespaces/ns/secrets?watch=1&resourceVersion=\(start)&fieldSelector=metadata.name%3Ds1 HTTP/1.1\r\nHost: x\r\n\r\n",
            timeout: .seconds(30), until: { $0.contains("MODIFIED") && $0.hasSuffix("\r\n") })
        try await patcher.value
        let reply = try RawHTTP.parse(raw)
        #expect(reply.status == 200)
        let line = reply.body.split(separator: "\n").first.map(String.init) ?? ""
        let event = try JSONValue.parse(line)
        #expect(event["type"] == "MODIFIED")
        #expect(event.value(at: ["object", "data", "k"]) == "dzI=")
        for i in 0..<6 {
            _ = try await http.request("PATCH", "/api/v1/namespaces/ns/secrets/s1", body: #"{"data":{"n":"\#(Data(String(i).utf8).base64EncodedString())"}}"#, contentType: "application/merge-patch+json")
        }
        let gone = try await http.get("/api/v1/namespaces/ns/secrets?watch=1&resourceVersion=\(start)")
        #expect(gone.status == 410)
        #expect(gone.json["reason"] == "Expired")
        } catch {
            await sim.stop()
            throw error
        }
        await sim.stop()
    }
}
