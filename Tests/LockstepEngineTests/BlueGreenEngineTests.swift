import Foundation
import KubeSim
import LockstepCore
import LockstepKubernetes
import LockstepTesting
import LockstepVault
import Testing

extension EngineIntegrationTests {
    /// Blue-green through the CLI on KubeSim, with `litellm-standin` gateway pods (each reads its
    /// colour's Secret at start, as LiteLLM does) and simulated backend pods: what preflight
    /// refuses, and a rollback when the idle colour never becomes ready. The zero-failure run under
    /// load on real LiteLLM is BlueGreenScenarioTests.
    @Suite("Rotation engine: blue-green preflight and rollback", .serialized)
    struct BlueGreenEngineTests {
        struct Colours {
            let dir: URL
            let sim: RunningKubeSim
            let kubeconfig: String
            let env: [String: String]
            let blueURL: String, greenURL: String
            let oldKey = "sk-lockstep-blue-green-old-0001"

            static func start() async throws -> Colours {
                let dir = FileManager.default.temporaryDirectory.appendingPathComponent("blue-green-\(UUID().uuidString)")
                try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
                let oldKey = "sk-lockstep-blue-green-old-0001"
                var config = KubeSimConfiguration()
                config.podReadyDelay = .milliseconds(100)
                config.seedObjects = ["blue", "green"].flatMap { colour -> [JSONValue] in
                    let container = KubeObjects.gatewayContainer(litellm: nil, config: "", standInDB: dir.appendingPathComponent("\(colour).json").path,
                                                                 masterKeySecret: "litellm-\(colour)-masterkey")
                    return [KubeObjects.secret("litellm-\(colour)-masterkey", "litellm-system", ["masterkey": oldKey]),
                            KubeObjects.deployment("litellm-\(colour)", "litellm-system", replicas: colour == "blue" ? 1 : 0, container: container)]
                }
                let sim = try await KubeSim.start(config)
                do {
                    guard let blue = await sim.serviceURL(namespace: "litellm-system", name: "litellm-blue", timeout: .seconds(30)),
                          let green = await sim.serviceURL(namespace: "litellm-system", name: "litellm-green", timeout: .seconds(30)) else {
                        throw FixtureError("the colours' Services did not come up (green at 0 replicas has one too)")
                    }
                    let blueURL = "http://127.0.0.1:\(blue.port!)", greenURL = "http://127.0.0.1:\(green.port!)"
                    try sim.create(KubeObjects.secret("chat-backend-litellm", "unique", ["LITELLM_API_KEY": oldKey, "LITELLM_BASE_URL": blueURL]))
                    try sim.create(KubeObjects.deployment("backend-service-chat", "unique", replicas: 2, container: ["name": "backend", "image": "unique/backend:1"]))
                    let kubeconfig = dir.appendingPathComponent("kubeconfig").path
                    try sim.kubeconfig.write(to: URL(fileURLWithPath: kubeconfig))
                    let f = Colours(dir: dir, sim: sim, kubeconfig: kubeconfig,
                                    env: ["LOCKSTEP_VAULT": dir.appendingPathComponent("vault.db").path, "LOCKSTEP_KEY_FILE": dir.appendingPathComponent("vault.key").path],
                                    blueURL: blueURL, greenURL: greenURL)
                    try f.writePolicy("policies", blue: blueURL, green: greenURL)
                    for args in [["vault", "keygen", "--out", f.env["LOCKSTEP_KEY_FILE"]!], ["vault", "init"],
                                 ["credential", "adopt", "litellm-master-key", "--kubeconfig", kubeconfig, "--policies", f.policies("policies")]] {
                        let r = try await runLockstep(args, env: f.env)
                        guard r.code == 0 else { throw FixtureError("\(args.prefix(2)): \(r.err)") }
                    }
                    return f
                } catch {
                    await sim.stop()
                    throw error
                }
            }

            func policies(_ name: String) -> String { dir.appendingPathComponent(name).path }

            func writePolicy(_ name: String, blue: String, green: String) throws {
                try FileManager.default.createDirectory(atPath: policies(name), withIntermediateDirectories: true)
                let text = KubeObjects.blueGreenPolicy(blueURL: blue, greenURL: green)
                try text.write(toFile: policies(name) + "/m.yaml", atomically: true, encoding: .utf8)
            }

            func value(_ namespace: String, _ name: String, _ key: String) -> String? {
                sim.get(.secrets, namespace: namespace, name: name)?["data"]?[key]?.stringValue.flatMap { Data(base64Encoded: $0) }.map { String(decoding: $0, as: UTF8.self) }
            }

            func replicas(_ name: String) -> Int? { sim.get(.deployments, namespace: "litellm-system", name: name)?["spec"]?["replicas"]?.intValue }

            /// Nothing in the cluster moved: both colours' Secrets and the backend's hold the old key, blue serves.
            var unchanged: Bool {
                value("litellm-system", "litellm-blue-masterkey", "masterkey") == oldKey && value("litellm-system", "litellm-green-masterkey", "masterkey") == oldKey
                    && value("unique", "chat-backend-litellm", "LITELLM_API_KEY") == oldKey && value("unique", "chat-backend-litellm", "LITELLM_BASE_URL") == blueURL
            }

            func rotate(_ extra: [String] = [], policies name: String = "policies") async throws -> (code: Int32, out: String, err: String) {
                try await runLockstep(["rotate", "litellm-master-key", "--kubeconfig", kubeconfig, "--policies", policies(name)] + extra, env: env)
            }

            func scale(_ name: String, to replicas: Int) async throws {
                try await KubernetesClient.withClient(try .kubeconfig(paths: [kubeconfig])) { client in
                    try await client.scaleDeployment(namespace: "litellm-system", name: name, replicas: replicas)
                }
            }

            func stop() async {
                await sim.stop()
                try? FileManager.default.removeItem(at: dir)
            }
        }

        @Test("preflight refuses, with exit 22 and nothing changed: the idle colour running, and a backend URL that names neither colour")
        func preflightRefusals() async throws {
            let f = try await Colours.start()
            do {
                let plan = try await runLockstep(["plan", "litellm-master-key", "--policies", f.policies("policies")], env: f.env)
                #expect(plan.code == 0 && plan.out.contains("scale the idle colour") && plan.out.contains("the colour that served v1 to 0"), "\(plan.out)\(plan.err)")

                try await f.scale("litellm-green", to: 1)
                let running = try await f.rotate()
                #expect(running.code == 22, "\(running.out)\(running.err)")
                #expect((running.out + running.err).contains("kubectl scale deployment litellm-green -n litellm-system --replicas=0"), "\(running.out)\(running.err)")
                #expect(f.unchanged && f.replicas("litellm-blue") == 1 && f.replicas("litellm-green") == 1)
                try await f.scale("litellm-green", to: 0)

                try f.writePolicy("elsewhere", blue: "http://127.0.0.1:9", green: "http://127.0.0.1:10")
                let elsewhere = try await f.rotate(policies: "elsewhere")
                #expect(elsewhere.code == 22, "\(elsewhere.out)\(elsewhere.err)")
                #expect((elsewhere.out + elsewhere.err).contains("which is not exactly one colour"), "\(elsewhere.out)\(elsewhere.err)")
                #expect(f.unchanged)

                let immediate = try await runLockstep(["revoke", "litellm-master-key", "--immediate", "--reason", "t", "--yes",
                                                       "--kubeconfig", f.kubeconfig, "--policies", f.policies("policies")], env: f.env)
                #expect(immediate.code == 64 && (immediate.out + immediate.err).contains("revoke --immediate is for a gateway that restarts in place"), "\(immediate.out)\(immediate.err)")
                #expect(f.unchanged)
            } catch {
                await f.stop()
                throw error
            }
            await f.stop()
        }

        @Test("the idle colour never becomes ready: exit 20, it is scaled to 0 again with the old key back, the backend never moved")
        func stuckIdleColourRollsBack() async throws {
            let f = try await Colours.start()
            do {
                f.sim.faults.setStuckRollout(namespace: "litellm-system", name: "litellm-green")
                let r = try await f.rotate(["--rollout-timeout", "3"])
                #expect(r.code == 20, "\(r.out)\(r.err)")
                #expect(r.out.contains("scale the idle colour to 0") && r.out.contains("write the old key to the idle colour's Secret"), "\(r.out)")
                #expect(f.unchanged && f.replicas("litellm-green") == 0 && f.replicas("litellm-blue") == 1)
                let show = try await runLockstep(["credential", "show", "litellm-master-key"], env: f.env)
                #expect(show.out.contains("failed"), "\(show.out)")
                let verify = try await runLockstep(["audit", "verify", "--vault", f.env["LOCKSTEP_VAULT"]!], env: f.env)
                #expect(verify.code == 0, "\(verify.out)\(verify.err)")
                let log = try await runLockstep(["audit", "export"], env: f.env)
                #expect(log.out.contains("workload.scaled"), "the colour's scale-up and scale-down are audited")

                // Ready again: the next rotation moves the backend to green.
                f.sim.faults.setStuckRollout(namespace: "litellm-system", name: "litellm-green", false)
                let again = try await f.rotate()
                #expect(again.code == 0, "\(again.out)\(again.err)")
                #expect(f.value("unique", "chat-backend-litellm", "LITELLM_BASE_URL") == f.greenURL && f.replicas("litellm-blue") == 0 && f.replicas("litellm-green") == 1)
                let current = f.value("unique", "chat-backend-litellm", "LITELLM_API_KEY")
                #expect(current != f.oldKey && f.value("litellm-system", "litellm-blue-masterkey", "masterkey") == current
                        && f.value("litellm-system", "litellm-green-masterkey", "masterkey") == current, "both colours' Secrets hold the new key")
            } catch {
                await f.stop()
                throw error
            }
            await f.stop()
        }
    }
}
