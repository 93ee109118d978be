import Foundation
import KubeSim
import LockstepAudit
import LockstepCore
import LockstepCrypto
import LockstepEngine
import LockstepKubernetes
import LockstepLiteLLM
import LockstepTesting
import LockstepVault
import Testing

func secret(_ s: String) throws -> SecretBytes { try Array(s.utf8).withUnsafeBytes { try SecretBytes(copying: $0) } }

/// LiteLLM for the engine suites' traits (`TestEnvironment` finds it).
enum LiteLLMBinary {
    static var path: String? { TestEnvironment.liteLLM }
    static var inCI: Bool { TestEnvironment.inCI }
}

/// The deployment Lockstep is made for, on KubeSim: the gateway (real LiteLLM pods reading the
/// master key from `litellm-system/litellm-masterkey`) and the chat backend (simulated pods
/// reading `unique/chat-backend-litellm`), and a vault that adopted the master key in use.
struct EngineFixture {
    static let oldKey = "sk-lockstep-old-master-0001"
    let dir: URL
    let sim: RunningKubeSim
    let vault: Vault
    let kubeconfig: String
    let gatewayURL: String
    let policy: RotationPolicy

    /// How Lockstep's key-ring module is installed on the gateway.
    enum KeyRingSetup {
        case none
        /// As deploy/components/litellm-keyring installs it.
        case installed
        /// The ring Secret exists, but LiteLLM does not load the module.
        case ringWithoutModule
        /// The module is loaded, but the ring is mounted with subPath (it never updates).
        case ringOnSubPath
    }

    /// With `litellm` nil the gateway pods run `litellm-standin` (database mode stand-in).
    /// The API the gateway's provider model speaks to the fake provider.
    enum ProviderAPI {
        /// `openai/…` at `providerURL/v1`, `Authorization: Bearer`, key `AZURE_API_KEY`.
        case openAI
        /// `azure/…`: the key in the `api-key` header to `providerURL/openai/deployments/…`.
        case azure
        /// `anthropic/…`: the key in `x-api-key` to `providerURL/v1/messages`, key `ANTHROPIC_API_KEY`.
        case anthropic
        /// `openai/…` as `gpt-4o` at `providerURL/v1`, `Authorization: Bearer`, key `OPENAI_API_KEY`.
        case openAIProject
        /// `gemini/…` as `gemini-pro` at `providerURL/v1beta`, `x-goog-api-key`, key `GEMINI_API_KEY`.
        case gemini

        /// The gateway env Secret's key that holds the provider key.
        var envKey: String {
            switch self {
            case .openAI, .azure: "AZURE_API_KEY"
            case .anthropic: "ANTHROPIC_API_KEY"
            case .openAIProject: "OPENAI_API_KEY"
            case .gemini: "GEMINI_API_KEY"
            }
        }
    }

    /// `provider`: which API the gateway's `azure-gpt-4o` (or `claude-haiku`) model speaks.
    static func start(litellm: String?, strategy: RotationPolicy.Strategy = .restartTogether, providerURL: String? = nil, providerKey: String = "",
                      provider: ProviderAPI = .openAI, keyRing: KeyRingSetup = .none, propagationTimeout: Int64 = 60) async throws -> EngineFixture {
        let module = keyRing == .installed || keyRing == .ringOnSubPath
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("engine-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let cfg = dir.appendingPathComponent("litellm.yaml")
        try """
        model_list:
          - model_name: mock-gpt
            litellm_params: {model: openai/gpt-4o-mini, api_key: sk-provider-not-used, mock_response: "hello"}
        \(providerURL.map { providerModel(url: $0, api: provider) } ?? "")general_settings:
          master_key: os.environ/PROXY_MASTER_KEY
        \(module ? KeyRingObjects.generalSettings : "")
        """.write(to: cfg, atomically: true, encoding: .utf8)
        var gateway = KubeObjects.gatewayContainer(litellm: litellm, config: cfg.path, standInDB: dir.appendingPathComponent("standin-db.json").path)
        if module { gateway = KeyRingObjects.install(into: gateway, ringSubPath: keyRing == .ringOnSubPath) }
        var config = KubeSimConfiguration()
        config.useTLS = true // kubectl sends credentials only over TLS
        config.podReadyDelay = .milliseconds(100)
        config.volumeSyncDelay = .milliseconds(500)
        config.seedObjects = (keyRing == .none ? [] : try KeyRingObjects.objects(namespace: "litellm-system")) + [
            KubeObjects.secret("litellm-masterkey", "litellm-system", ["masterkey": oldKey]),
            KubeObjects.secret("litellm-env-secret", "litellm-system", [provider.envKey: providerKey]),
            KubeObjects.secret("chat-backend-litellm", "unique", ["LITELLM_API_KEY": oldKey, "OTHER": "unrelated"]),
            KubeObjects.deployment("litellm", "litellm-system", replicas: 1, container: gateway, volumes: module ? KeyRingObjects.volumes : []),
            KubeObjects.deployment("backend-service-chat", "unique", replicas: 2, container: ["name": "backend", "image": "unique/backend:1"]),
        ]
        let sim = try await KubeSim.start(config)
        do {
            let kubeconfig = dir.appendingPathComponent("kubeconfig").path
            try sim.kubeconfig.write(to: URL(fileURLWithPath: kubeconfig))
            guard let service = await sim.serviceURL(namespace: "litellm-system", name: "litellm", timeout: .seconds(30)) else { throw FixtureError("no gateway Service") }
            let gatewayURL = "http://127.0.0.1:\(service.port!)"
            let keyFile = dir.appendingPathComponent("vault.key").path
            try VaultKeyFile.generate(at: keyFile)
            let vault = try Vault.create(at: dir.appendingPathComponent("vault.db").path, key: .keyFile(keyFile), actor: AuditActor(kind: .user, id: "tester"))
            try vault.importCredential(CredentialName("litellm-master-key"), value: secret(oldKey), kind: "litellm-master-key", actor: AuditActor(kind: .user, id: "tester"))
            let policy = RotationPolicy(
                name: "litellm-master-key", credential: try CredentialName("litellm-master-key"), kind: .litellmMasterKey,
                source: .generate(prefix: "sk-", randomBytes: 32), schedule: nil, maxAge: nil, strategy: strategy,
                gateway: .init(url: gatewayURL, models: []),
                targets: [.init(namespace: "unique", name: "chat-backend-litellm", key: "LITELLM_API_KEY"),
                          .init(namespace: "litellm-system", name: "litellm-masterkey", key: "masterkey")],
                rollouts: [.init(namespace: "unique", name: "backend-service-chat"), .init(namespace: "litellm-system", name: "litellm")],
                checks: .init(newKeyAccepted: true, oldKeyRefused: true),
                keyRing: strategy == .keyRing ? .init(secret: .init(namespace: "litellm-system", name: KeyRingObjects.ringSecret, key: KeyRingObjects.ringKey),
                                                      propagationTimeout: PolicyDuration(seconds: propagationTimeout)) : nil)
            let f = EngineFixture(dir: dir, sim: sim, vault: vault, kubeconfig: kubeconfig, gatewayURL: gatewayURL, policy: policy)
            // Wait (bounded) for the first gateway pod: the master key works.
            let ready = await eventually(timeout: .seconds(120)) { (try? await LiteLLMGateway(client: LiteLLMClient(baseURL: gatewayURL, timeout: .seconds(3))).accepts(secret(oldKey))) == true }
            guard ready else { throw FixtureError("the LiteLLM gateway pod did not become ready") }
            return f
        } catch {
            await sim.stop()
            throw error
        }
    }
    /// The gateway's `azure-gpt-4o` model on the fake provider.
    static func providerModel(url: String, api: ProviderAPI) -> String {
        let (name, params) = switch api {
        case .openAI: ("azure-gpt-4o", "model: openai/gpt-4o-mini, api_base: \"\(url)/v1\", api_key: os.environ/AZURE_API_KEY")
        case .azure: ("azure-gpt-4o", "model: azure/gpt-4o-mini, api_base: \"\(url)\", api_version: \"2024-10-21\", api_key: os.environ/AZURE_API_KEY")
        case .openAIProject: ("gpt-4o", "model: openai/gpt-4o, api_base: \"\(url)/v1\", api_key: os.environ/OPENAI_API_KEY")
        case .gemini: ("gemini-pro", "model: gemini/gemini-2.0-flash, api_base: \"\(url)/v1beta\", api_key: os.environ/GEMINI_API_KEY")
        case .anthropic: ("claude-haiku", "model: anthropic/claude-3-5-haiku-20241022, api_base: \"\(url)\", api_key: os.environ/ANTHROPIC_API_KEY")
        }
        return "  - model_name: \(name)\n    litellm_params: {\(params), max_retries: 0, timeout: 5}\n"
    }

    func run<R: Sendable>(settings: RotationEngine.Settings = EngineFixture.fastSettings, keySources: @escaping KeySourceFactory = { _ in nil },
                          _ body: (RotationEngine) async throws -> R) async throws -> R {
        try await KubernetesClient.withClient(try .kubeconfig(paths: [kubeconfig])) { client in
            let engine = RotationEngine(store: vault, cluster: KubernetesCluster(client: client),
                                        gateway: LiteLLMGateway(client: LiteLLMClient(baseURL: gatewayURL, timeout: .seconds(5))), settings: settings,
                                        keySources: keySources)
            return try await body(engine)
        }
    }

    static var fastSettings: RotationEngine.Settings {
        var s = RotationEngine.Settings()
        s.rolloutTimeout = .seconds(150)
        s.verifyAttempts = 40
        s.verifyDelay = .milliseconds(250)
        return s
    }

    /// The environment the `lockstep` CLI needs to reach this fixture's vault.
    var cliEnvironment: [String: String] {
        ["LOCKSTEP_VAULT": vault.path, "LOCKSTEP_KEY_FILE": dir.appendingPathComponent("vault.key").path]
    }

    /// Writes the target layout's master-key policy (`KubeObjects.masterKeyPolicy`) into the
    /// folder `name` and returns the folder, for the CLI's `--policies`.
    func writePolicy(into name: String = "policies", strategy: String = "restart-together", propagationTimeout: String = "3m") throws -> URL {
        let policies = dir.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: policies, withIntermediateDirectories: true)
        try KubeObjects.masterKeyPolicy(gatewayURL: "http://litellm.litellm-system.svc.cluster.local:4000", strategy: strategy, propagationTimeout: propagationTimeout)
            .write(to: policies.appendingPathComponent("m.yaml"), atomically: true, encoding: .utf8)
        return policies
    }

    /// The value stored under `key` in a Secret, read straight from KubeSim.
    func liveValue(_ namespace: String, _ name: String, _ key: String) -> String? {
        guard let b64 = sim.get(.secrets, namespace: namespace, name: name)?["data"]?[key]?.stringValue, let d = Data(base64Encoded: b64) else { return nil }
        return String(decoding: d, as: UTF8.self)
    }

    /// Whether a Secret's key holds `value`. A Bool, so that a failing expectation prints no key.
    func holds(_ namespace: String, _ name: String, _ key: String, _ value: String) -> Bool {
        liveValue(namespace, name, key) == value
    }

    func stop() async {
        await sim.stop()
        try? FileManager.default.removeItem(at: dir)
    }
}

func builtBinary(_ name: String) -> String { TestEnvironment.builtBinary(name) }

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
/// Every engine integration suite is nested here, so that they run one after another: each
/// starts KubeSim with LiteLLM pods, which are CPU-bound while they start (2 cores).
@Suite("Engine integration", .serialized) enum EngineIntegrationTests {}
