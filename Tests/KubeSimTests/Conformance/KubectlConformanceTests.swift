import Foundation
import Testing
import KubeSim

/// The real kubectl drives KubeSim over HTTPS with a bearer token, so KubeSim cannot drift into a
/// private dialect. Each test uses a fresh `--cache-dir` and kubeconfig.
@Suite("kubectl conformance", .serialized, .enabled(if: Kubectl.available || Fixtures.inCI, "kubectl is not installed (CI=true makes this a failure)"))
struct KubectlConformanceTests {
    static let versions = ["1.31", "1.33"]

    @Test("get secret -o json", arguments: versions)
    func getSecretJSON(version: String) async throws {
        let bench = try await KubectlBench.start()
        do {
        let result = try await bench.kubectl(version).run(["get", "secret", "s1", "-n", "ns", "-o", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let secret = try JSONValue.parse(result.stdout)
        #expect(secret["kind"] == "Secret")
        #expect(secret.value(at: ["data", "masterkey"])?.stringValue == Data("sk-old-0123456789".utf8).base64EncodedString())
        #expect(secret.value(at: ["metadata", "resourceVersion"])?.stringValue?.isEmpty == false)
        } catch {
            await bench.stop()
            throw error
        }
        await bench.stop()
    }

    @Test("patch secret --type merge", arguments: versions)
    func patchSecretMerge(version: String) async throws {
        let bench = try await KubectlBench.start()
        do {
        let before = bench.sim.get(.secrets, namespace: "ns", name: "s1")
        let result = try await bench.kubectl(version, token: KubectlBench.lockstepToken)
            .run(["patch", "secret", "s1", "-n", "ns", "--type", "merge", "-p", #"{"stringData":{"masterkey":"sk-new-0123456789"}}"#])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "secret/s1 patched\n")
        let after = bench.sim.get(.secrets, namespace: "ns", name: "s1")
        #expect(after?.value(at: ["data", "masterkey"])?.stringValue == Data("sk-new-0123456789".utf8).base64EncodedString())
        #expect(after?.value(at: ["metadata", "resourceVersion"]) != before?.value(at: ["metadata", "resourceVersion"]))
        #expect(after?.value(at: ["metadata", "managedFields"])?.arrayValue?.contains { $0["manager"] == "kubectl-patch" } == true)
        } catch {
            await bench.stop()
            throw error
        }
        await bench.stop()
    }

    @Test("strategic patch of a Deployment merges containers and env by name", arguments: versions)
    func strategicPatchDeployment(version: String) async throws {
        let bench = try await KubectlBench.start()
        do {
        let patch = #"{"spec":{"template":{"spec":{"containers":[{"name":"app","env":[{"name":"EXTRA","value":"1"}]}]}}}}"#
        let result = try await bench.kubectl(version).run(["patch", "deployment", "web", "-n", "ns", "-p", patch])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "deployment.apps/web patched\n")
        let deployment = bench.sim.get(.deployments, namespace: "ns", name: "web")
        let env = deployment?.value(at: ["spec", "template", "spec", "containers"])?.arrayValue?.first?["env"]
        #expect(env == [["name": "MODE", "value": "a"], ["name": "EXTRA", "value": "1"]])
        #expect(deployment?.value(at: ["metadata", "generation"]) == 2)
        } catch {
            await bench.stop()
            throw error
        }
        await bench.stop()
    }

    @Test("rollout restart, then rollout status prints the real progress messages", arguments: versions)
    func rolloutRestartAndStatus(version: String) async throws {
        let bench = try await KubectlBench.start(podReadyDelay: .seconds(1))
        do {
        #expect(await bench.waitRolledOut("web"))
        let kubectl = try bench.kubectl(version)
        let restart = try await kubectl.run(["rollout", "restart", "deployment/web", "-n", "ns"])
        #expect(restart.status == 0, "\(restart.stderr)")
        #expect(restart.stdout == "deployment.apps/web restarted\n")
        let deployment = bench.sim.get(.deployments, namespace: "ns", name: "web")
        #expect(deployment?.value(at: ["spec", "template", "metadata", "annotations", "kubectl.kubernetes.io/restartedAt"]) != nil)
        #expect(deployment?.value(at: ["metadata", "managedFields"])?.arrayValue?.contains { $0["manager"] == "kubectl-rollout" } == true)

        let started = ContinuousClock.now
        let status = try await kubectl.run(["rollout", "status", "deployment/web", "-n", "ns", "--timeout", "30s"])
        #expect(status.status == 0, "\(status.stderr)")
        let lines = status.stdout.split(separator: "\n").map(String.init)
        let known: Set<String> = [
            "Waiting for deployment spec update to be observed...",
            #"Waiting for deployment "web" rollout to finish: 1 out of 2 new replicas have been updated..."#,
            #"Waiting for deployment "web" rollout to finish: 1 old replicas are pending termination..."#,
            #"Waiting for deployment "web" rollout to finish: 1 of 2 updated replicas are available..."#,
        ]
        #expect(lines.last == #"deployment "web" successfully rolled out"#)
        #expect(lines.dropLast().allSatisfy(known.contains), "unexpected line in: \(lines)")
        #expect(lines.contains(#"Waiting for deployment "web" rollout to finish: 1 out of 2 new replicas have been updated..."#))
        #expect(ContinuousClock.now - started > .milliseconds(900), "two pods each take 1 s to become ready")
        } catch {
            await bench.stop()
            throw error
        }
        await bench.stop()
    }

    @Test("rollout status fails when the rollout exceeds its progress deadline", arguments: versions)
    func rolloutStatusDeadlineExceeded(version: String) async throws {
        let bench = try await KubectlBench.start(seed: [Fixtures.deployment("stuck", replicas: 1, progressDeadlineSeconds: 2)])
        do {
        #expect(await bench.waitRolledOut("stuck"))
        bench.sim.faults.setStuckRollout(namespace: "ns", name: "stuck")
        let kubectl = try bench.kubectl(version)
        let restart = try await kubectl.run(["rollout", "restart", "deployment/stuck", "-n", "ns"])
        #expect(restart.status == 0, "\(restart.stderr)")
        let status = try await kubectl.run(["rollout", "status", "deployment/stuck", "-n", "ns", "--timeout", "30s"])
        #expect(status.status == 1)
        #expect(status.stdout.contains(#"Waiting for deployment "stuck" rollout to finish: 1 old replicas are pending termination..."#))
        #expect(status.stderr == "error: deployment \"stuck\" exceeded its progress deadline\n")
        let progressing = bench.sim.get(.deployments, namespace: "ns", name: "stuck")?.value(at: ["status", "conditions"])?.arrayValue?
            .first { $0["type"] == "Progressing" }
        #expect(progressing?["reason"] == "ProgressDeadlineExceeded")
        } catch {
            await bench.stop()
            throw error
        }
        await bench.stop()
    }

    @Test("a forbidden request prints kubectl's real message", arguments: versions)
    func forbidden(version: String) async throws {
        let bench = try await KubectlBench.start()
        do {
        let kubectl = try bench.kubectl(version, token: KubectlBench.lockstepToken)
        let result = try await kubectl.run(["patch", "secret", "readonly", "-n", "ns", "--type", "merge", "-p", #"{"data":{}}"#])
        #expect(result.status == 1)
        #expect(result.stderr == #"Error from server (Forbidden): secrets "readonly" is forbidden: User "lockstep" cannot patch resource "secrets" in API group "" in the namespace "ns""# + "\n")
        let list = try await kubectl.run(["get", "deployments", "-n", "ns"])
        #expect(list.stderr.contains(#"deployments.apps is forbidden: User "lockstep" cannot list resource "deployments" in API group "apps" in the namespace "ns""#))
        let unknown = try await bench.kubectl(version, token: "not-a-token").run(["get", "secret", "s1", "-n", "ns"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("error: You must be logged in to the server"))
        } catch {
            await bench.stop()
            throw error
        }
        await bench.stop()
    }

    @Test("auth can-i answers from the RBAC rules", arguments: versions)
    func authCanI(version: String) async throws {
        let bench = try await KubectlBench.start()
        do {
        let kubectl = try bench.kubectl(version, token: KubectlBench.lockstepToken)
        let yes = try await kubectl.run(["auth", "can-i", "patch", "secrets/s1", "-n", "ns"])
        #expect(yes.status == 0, "\(yes.stderr)")
        #expect(yes.stdout == "yes\n")
        let no = try await kubectl.run(["auth", "can-i", "delete", "secrets/s1", "-n", "ns"])
        #expect(no.status == 1)
        #expect(no.stdout == "no\n")
        let elsewhere = try await kubectl.run(["auth", "can-i", "get", "secrets/s1", "-n", "other"])
        #expect(elsewhere.stdout == "no\n")
        } catch {
            await bench.stop()
            throw error
        }
        await bench.stop()
    }

    @Test("get prints the server-side table; create secret works (kubectl 1.33 sends it as protobuf)", arguments: versions)
    func tableAndCreate(version: String) async throws {
        let bench = try await KubectlBench.start()
        do {
        #expect(await bench.waitRolledOut("web"))
        let kubectl = try bench.kubectl(version)
        let table = try await kubectl.run(["get", "deployments", "-n", "ns"])
        #expect(table.status == 0, "\(table.stderr)")
        let lines = table.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
        #expect(lines.first == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"])
        #expect(lines.dropFirst().first?.prefix(4) == ["web", "2/2", "2", "2"])
        let created = try await kubectl.run(["create", "secret", "generic", "made", "-n", "ns", "--from-literal=key=value"])
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stdout == "secret/made created\n")
        #expect(bench.sim.get(.secrets, namespace: "ns", name: "made")?.value(at: ["data", "key"]) == "dmFsdWU=")
        let secrets = try await kubectl.run(["get", "secrets", "-n", "ns"])
        #expect(secrets.stdout.split(separator: "\n").first?.split(separator: " ", omittingEmptySubsequences: true) == ["NAME", "TYPE", "DATA", "AGE"])
        } catch {
            await bench.stop()
            throw error
        }
        await bench.stop()
    }

    @Test("the written kubeconfig authenticates with the admin client certificate when there is no tokens file", arguments: versions)
    func clientCertificateKubeconfig(version: String) async throws {
        let directory = try Fixtures.tempDirectory()
        var config = KubeSimConfiguration()
        config.kubeconfigOut = directory.appendingPathComponent("kubeconfig")
        config.seedObjects = [Fixtures.secret("s1", data: ["k": "v"])]
        let sim = try await KubeSim.start(config)
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
        let written = try String(contentsOf: directory.appendingPathComponent("kubeconfig"), encoding: .utf8)
        #expect(written.contains("client-certificate-data"))
        let kubectl = try Kubectl(version: version, kubeconfig: sim.kubeconfig, directory: directory)
        let result = try await kubectl.run(["get", "secret", "s1", "-n", "ns", "-o", "jsonpath={.metadata.name}"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "s1")
        let whoami = try await kubectl.run(["auth", "can-i", "delete", "secrets"])
        #expect(whoami.stdout == "yes\n")
        } catch {
            await sim.stop()
            throw error
        }
        await sim.stop()
    }
}
