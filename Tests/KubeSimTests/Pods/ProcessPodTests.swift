import Foundation
import Testing
import KubeSim

/// Pods as real local processes behind a Service listener (python3's http.server as the container).
@Suite("Process pods and the Service", .serialized)
struct ProcessPodTests {
    static let server = """
        import http.server, os
        print("serving", os.environ["HOSTNAME"], flush=True)
        print("second line", flush=True)
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = (os.environ["HOSTNAME"] + " " + os.environ.get("SECRET_VALUE", "") + " " + os.environ.get("FROM_ENVFROM", "")).encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            def log_message(self, *args):
                pass
        http.server.HTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler).serve_forever()
        """

    static func python() -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let path = "\(dir)/python3"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    func body(_ url: URL) async throws -> String {
        try await RawHTTP(port: url.port!).get("/").body
    }

    @Test("env comes from Secrets at pod start; the Service spreads over ready pods; a restart picks up the new value; stop ends every process")
    func secretEnvAndService() async throws {
        let python = try #require(Self.python(), "python3 is needed for process pods")
        let directory = try Fixtures.tempDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let script = directory.appendingPathComponent("server.py")
        try Self.server.write(to: script, atomically: true, encoding: .utf8)
        let container: JSONValue = [
            "name": "web", "image": "python",
            "command": [.string(python), .string(script.path)],
            "env": [["name": "SECRET_VALUE", "valueFrom": ["secretKeyRef": ["name": "app-secret", "key": "value"]]]],
            "envFrom": [["secretRef": ["name": "app-env"]]],
            "readinessProbe": ["httpGet": ["path": "/", "port": 8080], "periodSeconds": 1],
        ]
        var deployment = Fixtures.deployment("web", replicas: 2, container: container)
        deployment.setValue(2, at: ["spec", "template", "spec", "terminationGracePeriodSeconds"])
        let sim = try await Fixtures.httpSim([
            Fixtures.secret("app-secret", data: ["value": "v1"]),
            Fixtures.secret("app-env", data: ["FROM_ENVFROM": "e1"]),
            deployment,
        ])
        do {
        let http = RawHTTP(sim)
        func rolledOut(_ generation: Int) async -> Bool {
            await Fixtures.eventually(timeout: .seconds(30)) {
                let s = sim.get(.deployments, namespace: "ns", name: "web")?["status"]
                return s?["observedGeneration"]?.intValue == generation && s?["updatedReplicas"] == 2 && s?["replicas"] == 2 && s?["availableReplicas"] == 2
            }
        }
        #expect(await rolledOut(1))
        let service = try #require(await sim.serviceURL(namespace: "ns", name: "web"))
        let annotated = await Fixtures.eventually {
            sim.get(.deployments, namespace: "ns", name: "web")?.value(at: ["metadata", "annotations", "kubesim.lockstep.dev/service-port"])?.stringValue == String(service.port!)
        }
        #expect(annotated, "the allocated Service port is reported in the Deployment's annotation")
        let firstPods = await sim.pods(namespace: "ns", name: "web")
        #expect(firstPods.count == 2)
        #expect(firstPods.allSatisfy { $0.processID != nil && $0.ready })

        let firstName = firstPods[0].name
        let log = try await http.get("/api/v1/namespaces/ns/pods/\(firstName)/log")
        #expect(log.body.hasPrefix("serving \(firstName)\n"), "the pod's stdout is served as its log")
        #expect(try await http.get("/api/v1/namespaces/ns/pods/\(firstName)/log?tailLines=1").body == "second line\n")

        var seen: Set<String> = []
        for _ in 0..<4 {
            let answer = try await body(service)
            #expect(answer.hasSuffix(" v1 e1"), "\(answer)")
            seen.insert(String(answer.split(separator: " ").first ?? ""))
        }
        #expect(seen == Set(firstPods.map(\.name)), "round-robin reaches both pods")

        _ = try await http.request("PATCH", "/api/v1/namespaces/ns/secrets/app-secret", body: #"{"stringData":{"value":"v2"}}"#, contentType: "application/merge-patch+json")
        #expect(try await body(service).hasSuffix(" v1 e1"), "a running pod keeps the value it started with")

        _ = try await http.request(
            "PATCH", "/apis/apps/v1/namespaces/ns/deployments/web",
            body: #"{"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":"2026-01-01T00:00:00Z"}}}}}"#,
            contentType: "application/strategic-merge-patch+json")
        #expect(await rolledOut(2))
        for _ in 0..<4 { #expect(try await body(service).hasSuffix(" v2 e1")) }
        let oldGone = await Fixtures.eventually(timeout: .seconds(10)) {
            firstPods.allSatisfy { kill($0.processID!, 0) != 0 }
        }
        #expect(oldGone, "replaced pods' processes were stopped")

        let lastPods = await sim.pods(namespace: "ns", name: "web")
        await sim.stop()
        #expect(lastPods.allSatisfy { kill($0.processID!, 0) != 0 }, "stop() ends every pod process")
        // The port may already belong to someone else (tests run in parallel); what matters is that
        // none of this Deployment's pods answers through it any more.
        let afterStop = try? await RawHTTP(port: service.port!).request("GET", "/", timeout: .seconds(2)).body
        let podNames = Set((firstPods + lastPods).map(\.name))
        #expect(afterStop.map { !podNames.contains(String($0.split(separator: " ").first ?? "")) } ?? true, "the Service is gone after stop()")
        } catch {
            await sim.stop()
            throw error
        }
    }

    @Test("a container that exits is restarted after a back-off (CrashLoopBackOff) and sees the current Secret on restart")
    func crashLoopPicksUpFixedSecret() async throws {
        let python = try #require(Self.python(), "python3 is needed for process pods")
        let directory = try Fixtures.tempDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let script = directory.appendingPathComponent("server.py")
        // Exits with 3 unless the Secret holds a good key, as LiteLLM does with an empty master key.
        try ("import os, sys\nif os.environ.get(\"MODE\") != \"good\":\n    sys.exit(3)\n" + Self.server).write(to: script, atomically: true, encoding: .utf8)
        let container: JSONValue = [
            "name": "web", "image": "python", "command": [.string(python), .string(script.path)],
            "env": [["name": "MODE", "valueFrom": ["secretKeyRef": ["name": "mode", "key": "value"]]]],
            "readinessProbe": ["httpGet": ["path": "/", "port": 8080]],
        ]
        let sim = try await Fixtures.httpSim([Fixtures.secret("mode", data: ["value": "bad"]), Fixtures.deployment("web", replicas: 1, container: container)]) {
            $0.crashLoopBackoff = .milliseconds(200)
        }
        do {
            let http = RawHTTP(sim)
            let crashing = await Fixtures.eventually(timeout: .seconds(15)) {
                let pods = (try? await http.get("/api/v1/namespaces/ns/pods").json["items"]?.arrayValue) ?? []
                let status = pods.first?.value(at: ["status", "containerStatuses"])?.arrayValue?.first
                return (status?["restartCount"]?.intValue ?? 0) >= 2 && status?.value(at: ["state", "waiting", "reason"]) == "CrashLoopBackOff"
            }
            #expect(crashing, "the exiting container is restarted and shown in CrashLoopBackOff")
            #expect(sim.get(.deployments, namespace: "ns", name: "web")?.value(at: ["status", "availableReplicas"]) == 0)
            let podName = await sim.pods(namespace: "ns", name: "web").first?.name

            _ = try await http.request("PATCH", "/api/v1/namespaces/ns/secrets/mode", body: #"{"stringData":{"value":"good"}}"#, contentType: "application/merge-patch+json")
            let recovered = await Fixtures.eventually(timeout: .seconds(30)) {
                sim.get(.deployments, namespace: "ns", name: "web")?.value(at: ["status", "availableReplicas"]) == 1
            }
            #expect(recovered, "a restart resolves the environment again")
            let pods = await sim.pods(namespace: "ns", name: "web")
            #expect(pods.map(\.name) == [podName].compactMap { $0 }, "the same pod recovered, no rollout happened")
            #expect((pods.first?.restarts ?? 0) >= 2)
        } catch {
            await sim.stop()
            throw error
        }
        await sim.stop()
    }

    @Test("a deleted pod stays listed, not ready, with deletionTimestamp and deletionGracePeriodSeconds, until its process has exited")
    func terminatingPodIsListedUntilItExits() async throws {
        let python = try #require(Self.python(), "python3 is needed for process pods")
        let directory = try Fixtures.tempDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let script = directory.appendingPathComponent("server.py")
        // Shuts down slowly, as a server finishing its requests does: 1.5 s after SIGTERM.
        try ("import signal, sys, time\nsignal.signal(signal.SIGTERM, lambda *a: (time.sleep(1.5), sys.exit(0)))\n" + Self.server).write(to: script, atomically: true, encoding: .utf8)
        let container: JSONValue = ["name": "web", "image": "python", "command": [.string(python), .string(script.path)],
                                    "readinessProbe": ["httpGet": ["path": "/", "port": 8080]]]
        let sim = try await Fixtures.httpSim([Fixtures.deployment("web", replicas: 1, container: container)])
        do {
            let http = RawHTTP(sim)
            let ready = await Fixtures.eventually(timeout: .seconds(15)) { await sim.pods(namespace: "ns", name: "web").first?.ready == true }
            #expect(ready)
            _ = try await http.request("PATCH", "/apis/apps/v1/namespaces/ns/deployments/web", body: #"{"spec":{"replicas":0}}"#, contentType: "application/merge-patch+json")
            let deleted = ContinuousClock.now
            var leaving: JSONValue?
            _ = await Fixtures.eventually(timeout: .seconds(5)) {
                leaving = ((try? await http.get("/api/v1/namespaces/ns/pods").json["items"]?.arrayValue) ?? []).first { $0.value(at: ["metadata", "deletionTimestamp"]) != nil }
                return leaving != nil
            }
            let pod = try #require(leaving, "the terminating pod is listed")
            #expect(pod.value(at: ["metadata", "deletionGracePeriodSeconds"])?.intValue == 30)
            #expect(pod.value(at: ["status", "conditions"])?.arrayValue?.first?["status"] == "False", "not ready once deleted")
            let gone = await Fixtures.eventually(timeout: .seconds(20)) {
                ((try? await http.get("/api/v1/namespaces/ns/pods").json["items"]?.arrayValue) ?? [.null]).isEmpty
            }
            #expect(gone, "listed no more once its process exited")
            #expect(ContinuousClock.now - deleted >= .seconds(1.5), "not before its process finished shutting down")
        } catch {
            await sim.stop()
            throw error
        }
        await sim.stop()
    }

    @Test("a pod whose Secret does not exist yet waits in CreateContainerConfigError and starts once it does")
    func waitsForMissingSecret() async throws {
        let python = try #require(Self.python(), "python3 is needed for process pods")
        let directory = try Fixtures.tempDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let script = directory.appendingPathComponent("server.py")
        try Self.server.write(to: script, atomically: true, encoding: .utf8)
        let container: JSONValue = [
            "name": "web", "image": "python", "command": [.string(python), .string(script.path)],
            "env": [["name": "SECRET_VALUE", "valueFrom": ["secretKeyRef": ["name": "later", "key": "value"]]]],
            "envFrom": [["secretRef": ["name": "app-env", "optional": true]]],
            "readinessProbe": ["httpGet": ["path": "/", "port": 8080]],
        ]
        let sim = try await Fixtures.httpSim([Fixtures.deployment("web", replicas: 1, container: container)]) {
            $0.crashLoopBackoff = .milliseconds(200)
        }
        do {
            let http = RawHTTP(sim)
            let waiting = await Fixtures.eventually(timeout: .seconds(30)) {
                let pod: JSONValue? = try? await http.get("/api/v1/namespaces/ns/pods").json["items"]?.arrayValue?.first
                return pod?.value(at: ["status", "containerStatuses"])?.arrayValue?.first?.value(at: ["state", "waiting", "reason"]) == "CreateContainerConfigError"
            }
            #expect(waiting)
            #expect(await sim.pods(namespace: "ns", name: "web").first?.processID == 0, "nothing was started")
            try sim.create(Fixtures.secret("later", data: ["value": "v9"]))
            let started = await Fixtures.eventually(timeout: .seconds(15)) {
                sim.get(.deployments, namespace: "ns", name: "web")?.value(at: ["status", "availableReplicas"]) == 1
            }
            #expect(started)
            let service = try #require(await sim.serviceURL(namespace: "ns", name: "web"))
            #expect(try await RawHTTP(port: service.port!).get("/").body.hasSuffix(" v9 "))
            #expect(await sim.pods(namespace: "ns", name: "web").first?.restarts == 0)
        } catch {
            await sim.stop()
            throw error
        }
        await sim.stop()
    }
}
