import Foundation
import LockstepTesting
import KubeSim
import LockstepCrypto
import LockstepLiteLLM
import Logging

/// How to set up the deployment.
public struct ScenarioOptions: Sendable {
    public enum Gateway: String, Sendable {
        /// Real LiteLLM 1.108.7 (no database).
        case litellm
        /// `litellm-standin`: LiteLLM's database mode (virtual keys), which cannot run here.
        case standIn = "litellm-standin"
    }
    public var gateway: Gateway
    /// Real LiteLLM only: install Lockstep's key-ring module (deploy/components/litellm-keyring)
    /// on the gateway, as the shipped key-ring policy needs.
    public var keyRing = true
    public var gatewayReplicas = 2
    public var backendReplicas = 2
    /// Requests per second of each backend pod.
    public var requestsPerSecond = 5.0
    /// LiteLLM start-up is CPU-bound (5–40 s on 2 busy cores): a generous bound, but a bound.
    public var readinessTimeout: Duration = .seconds(240)
    /// How long a Secret change takes to reach the pods' volumes (KubeSim's `--volume-sync-ms`).
    public var volumeSyncDelay: Duration = .seconds(1)
    /// Real LiteLLM only: the blue-green layout instead of one gateway Deployment. Two gateway
    /// Deployments `litellm-blue` (running) and `litellm-green` (0 replicas), each with its own
    /// Service and master-key Secret; the backend's Secret holds its key and the gateway URL.
    /// Nothing is installed in LiteLLM (no key-ring module).
    public var blueGreen = false
    /// Real LiteLLM only: the incident layout: the gateway's models are Azure OpenAI and
    /// Anthropic on the fake provider playing their admin APIs (``ProviderLayout``), and the
    /// backend asks for both in turn.
    public var providers = false

    public init(gateway: Gateway) { self.gateway = gateway }
}

/// KubeSim serving the gateway and backend Deployments (pods are processes), the fake provider
/// behind the gateway, a kubeconfig for `lockstep` and `kubectl`, and the folder the load pods
/// write their reports into. Call ``stop()``: it stops every process it started, by PID.
public final class RunningScenario: Sendable {
    public let sim: RunningKubeSim
    public let directory: URL
    public let kubeconfig: String
    /// The gateway Deployment's Service (`http://127.0.0.1:PORT`); blue-green: the blue colour's.
    public let gatewayURL: String
    /// Blue-green: the green colour's Service (idle at the start).
    public let greenURL: String?
    public let reports: LoadReports
    public let options: ScenarioOptions
    /// The master key both Secrets hold at the start: for checks only, never printed.
    public let initialMasterKey: SecretBytes
    /// The incident layout's provider state (nil without ``ScenarioOptions/providers``).
    public let providerLayout: ProviderLayout?
    /// The fake provider's base URL (the admin APIs' too, in the incident layout).
    public let providerURL: String
    private let provider: ChildProcess?

    private init(sim: RunningKubeSim, directory: URL, kubeconfig: String, gatewayURL: String, greenURL: String?, reports: LoadReports, options: ScenarioOptions,
                 initialMasterKey: SecretBytes, providerLayout: ProviderLayout?, providerURL: String, provider: ChildProcess?) {
        self.sim = sim
        self.directory = directory
        self.kubeconfig = kubeconfig
        self.gatewayURL = gatewayURL
        self.greenURL = greenURL
        self.reports = reports
        self.options = options
        self.initialMasterKey = initialMasterKey
        self.providerLayout = providerLayout
        self.providerURL = providerURL
        self.provider = provider
    }

    /// Starts everything in `directory` and waits (bounded) until every gateway pod accepts the
    /// master key and every backend pod is ready.
    public static func start(_ options: ScenarioOptions, tools: ScenarioTools, directory: URL, log: @Sendable (String) -> Void = { _ in }) async throws -> RunningScenario {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let masterKey = randomKey(), providerKey = randomKey()
        var provider: ChildProcess?
        var providerURL = "http://127.0.0.1:9"
        let layout = options.providers && options.gateway == .litellm ? try ProviderLayout(directory: directory) : nil
        if let layout {
            let started = try ChildProcess(tools.fakeProvider, ["--port", "0"] + layout.fakeProviderArguments, directory: directory)
            provider = started
            providerURL = try await started.waitForLine(prefix: "fake-provider ready ", timeout: .seconds(30))
            log("fake provider (Azure OpenAI and Anthropic, with their admin APIs) at \(providerURL)")
        } else if options.gateway == .litellm {
            let keys = directory.appendingPathComponent("provider-keys").path
            guard FileManager.default.createFile(atPath: keys, contents: Data((providerKey + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
                throw ScenarioError("cannot write \(keys)")
            }
            let started = try ChildProcess(tools.fakeProvider, ["--port", "0", "--keys-file", keys], directory: directory)
            provider = started
            providerURL = try await started.waitForLine(prefix: "fake-provider ready ", timeout: .seconds(30))
            log("fake provider (the upstream LiteLLM calls) at \(providerURL)")
        }
        do {
            let config = directory.appendingPathComponent("litellm.yaml")
            let blueGreen = options.blueGreen && options.gateway == .litellm
            let keyRing = options.keyRing && options.gateway == .litellm && !blueGreen
            try ScenarioObjects.litellmConfig(providerURL: providerURL, keyRing: keyRing, models: layout.map { _ in ProviderLayout.modelList(providerURL: providerURL) }).write(to: config, atomically: true, encoding: .utf8)
            let reportsDir = directory.appendingPathComponent("load-reports")
            try FileManager.default.createDirectory(at: reportsDir, withIntermediateDirectories: true)
            var kc = KubeSimConfiguration()
            kc.podLogDirectory = directory.appendingPathComponent("pods")
            func gateway(_ deployment: String) throws -> JSONValue {
                let c = try ScenarioObjects.gatewayContainer(options.gateway, tools: tools, config: config.path, standInDB: directory.appendingPathComponent("standin-db.json").path,
                                                             masterKeySecret: ScenarioObjects.masterKeySecret(of: deployment))
                return keyRing ? KeyRingObjects.install(into: c) : c
            }
            kc.seedObjects = (keyRing ? try KeyRingObjects.objects(namespace: ScenarioObjects.gatewayNamespace) : []) + [
                ScenarioObjects.secret("litellm-env-secret", ScenarioObjects.gatewayNamespace, layout?.envSecret ?? ["OPENAI_API_KEY": providerKey]),
            ] + (try ScenarioObjects.gateways(blueGreen: blueGreen).enumerated().flatMap { i, name -> [JSONValue] in
                [ScenarioObjects.secret(ScenarioObjects.masterKeySecret(of: name), ScenarioObjects.gatewayNamespace, ["masterkey": masterKey]),
                 // Blue-green: the second colour is idle, at 0 replicas.
                 ScenarioObjects.deployment(name, ScenarioObjects.gatewayNamespace, replicas: i == 0 ? options.gatewayReplicas : 0,
                                            container: try gateway(name),
                                            volumes: keyRing ? KeyRingObjects.volumes : [])]
            })
            kc.volumeSyncDelay = options.volumeSyncDelay
            var logger = Logger(label: "kubesim")
            logger.logLevel = .warning
            let sim = try await KubeSim.start(kc, logger: logger)
            let scenario: RunningScenario
            do {
                let kubeconfig = directory.appendingPathComponent("kubeconfig").path
                try sim.kubeconfig.write(to: URL(fileURLWithPath: kubeconfig))
                log("KubeSim at \(sim.url.absoluteString); gateway: \(options.gatewayReplicas) × \(options.gateway.rawValue) pods starting")
                var urls: [String] = []
                for name in ScenarioObjects.gateways(blueGreen: blueGreen) {
                    guard let service = await sim.serviceURL(namespace: ScenarioObjects.gatewayNamespace, name: name, timeout: .seconds(60)) else {
                        throw ScenarioError("the Service of \(name) did not come up")
                    }
                    urls.append("http://127.0.0.1:\(service.port ?? 0)")
                }
                scenario = RunningScenario(sim: sim, directory: directory, kubeconfig: kubeconfig, gatewayURL: urls[0], greenURL: urls.count > 1 ? urls[1] : nil,
                                           reports: LoadReports(directory: reportsDir.path), options: options,
                                           initialMasterKey: try SecretBytes(utf8: masterKey), providerLayout: layout, providerURL: providerURL, provider: provider)
            } catch {
                await sim.stop()
                throw error
            }
            do {
                try await scenario.startLoad(tools: tools, log: log)
            } catch {
                await scenario.stop()
                throw error
            }
            return scenario
        } catch {
            await provider?.stop()
            throw error
        }
    }

    /// Starts the scenario, runs `body` on it, and stops it (by PID, every process) whether
    /// `body` returned or threw.
    public static func with<T: Sendable>(_ options: ScenarioOptions, tools: ScenarioTools, directory: URL, log: @escaping @Sendable (String) -> Void,
                                         _ body: (RunningScenario) async throws -> T) async throws -> (T, RunningScenario) {
        let scenario = try await start(options, tools: tools, directory: directory, log: log)
        let result: T
        do { result = try await body(scenario) } catch {
            await scenario.stop()
            throw error
        }
        await scenario.stop()
        return (result, scenario)
    }

    private func startLoad(tools: ScenarioTools, log: @Sendable (String) -> Void) async throws {
        let up = await eventually(timeout: options.readinessTimeout) { [self] in
            gatewayDeployments.allSatisfy { rolledOut(ScenarioObjects.gatewayNamespace, $0) }
        }
        guard up, try await LiteLLMGateway(client: LiteLLMClient(baseURL: gatewayURL, timeout: .seconds(5))).accepts(initialMasterKey) else {
            throw ScenarioError("the gateway pods did not become ready with the master key within \(options.readinessTimeout)")
        }
        log("gateway Service \(gatewayURL): \(options.gatewayReplicas) pods ready")
        // Blue-green: the backend reads the gateway URL from its Secret too, beside its key.
        try sim.create(ScenarioObjects.secret("chat-backend-litellm", ScenarioObjects.backendNamespace,
                                              ["LITELLM_API_KEY": initialMasterKey.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }]
                                                .merging(greenURL == nil ? [:] : ["LITELLM_BASE_URL": gatewayURL]) { a, _ in a }))
        try sim.create(ScenarioObjects.deployment(ScenarioObjects.backendName, ScenarioObjects.backendNamespace, replicas: options.backendReplicas,
                                                  container: ScenarioObjects.backendContainer(tools: tools, gatewayURL: greenURL == nil ? gatewayURL : nil,
                                                                                              reports: reports.directory, requestsPerSecond: options.requestsPerSecond,
                                                                                              model: providerLayout == nil ? ScenarioObjects.model : ProviderLayout.models.joined(separator: ","))))
        guard await eventually(timeout: .seconds(60), { [self] in rolledOut(ScenarioObjects.backendNamespace, ScenarioObjects.backendName) }) else {
            throw ScenarioError("the backend (lockstep-load) pods did not become ready")
        }
        log("backend: \(options.backendReplicas) lockstep-load pods sending \(options.requestsPerSecond) requests/s each through the gateway Service")
    }

    /// The gateway Deployments: `litellm`, or the two colours (blue first).
    public var gatewayDeployments: [String] { ScenarioObjects.gateways(blueGreen: greenURL != nil) }

    /// The master key the backend's Secret holds now (the gateway's too, between runs).
    public func liveMasterKey() -> SecretBytes? {
        guard let b64 = sim.get(.secrets, namespace: ScenarioObjects.backendNamespace, name: "chat-backend-litellm")?["data"]?["LITELLM_API_KEY"]?.stringValue,
              let data = Data(base64Encoded: b64) else { return nil }
        return try? SecretBytes(utf8: String(decoding: data, as: UTF8.self))
    }

    /// The pods of every gateway Deployment.
    public func gatewayPods() async -> [PodInfo] {
        var pods: [PodInfo] = []
        for name in gatewayDeployments { pods += await sim.pods(namespace: ScenarioObjects.gatewayNamespace, name: name) }
        return pods
    }

    /// Whether a Deployment's rollout is complete by `kubectl rollout status`'s rules.
    public func rolledOut(_ namespace: String, _ name: String) -> Bool {
        guard let d = sim.get(.deployments, namespace: namespace, name: name), let s = d["status"] else { return false }
        let want = d["spec"]?["replicas"]?.intValue ?? 1
        return (s["observedGeneration"]?.intValue ?? 0) >= (d["metadata"]?["generation"]?.intValue ?? 1)
            && (s["updatedReplicas"]?.intValue ?? 0) >= want && (s["replicas"]?.intValue ?? 0) <= (s["updatedReplicas"]?.intValue ?? 0)
            && (s["availableReplicas"]?.intValue ?? 0) >= (s["updatedReplicas"]?.intValue ?? 0)
    }

    /// Every process stopped (pods by KubeSim, the provider by PID); the load pods write their
    /// final reports as they get SIGTERM.
    public func stop() async {
        await drainBackend()
        await sim.stop()
        await provider?.stop()
    }

    /// The backend leaves first, as a cluster is drained in order: its pods get SIGTERM, finish
    /// the requests in flight and write their final reports while the gateway still serves.
    /// Stopping everything at once closed the gateway's Service under requests being retried,
    /// which the reports then counted as failed (`connect … refused`), though no rotation caused
    /// them. Bounded: 30 s for the reports, then everything stops anyway.
    private func drainBackend() async {
        let live = await sim.pods(namespace: ScenarioObjects.backendNamespace, name: ScenarioObjects.backendName).compactMap(\.processID)
        guard !live.isEmpty else { return }
        _ = try? sim.store.delete(ObjectKey(type: .deployments, namespace: ScenarioObjects.backendNamespace, name: ScenarioObjects.backendName))
        _ = await eventually(timeout: .seconds(30)) { [reports] in
            let finals = reports.finals()
            return live.allSatisfy { finals[$0] != nil }
        }
    }

    /// `sk-` and 32 random bytes, Base64url: as Lockstep generates master keys.
    static func randomKey() -> String {
        var g = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &g) }
        return "sk-" + Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
