import Foundation
import KubeSim
import LockstepAudit
import LockstepCore
import LockstepCrypto
import LockstepDaemon
import LockstepLiteLLM
import LockstepTesting
import LockstepVault

/// The target layout on KubeSim (gateway reading `litellm-system/litellm-masterkey`, backend
/// reading `unique/chat-backend-litellm`), a vault that adopted the master key, a policy folder
/// and daemon configurations: what `lockstep serve` tests start daemons against.
struct DaemonFixture {
    static let oldKey = "sk-lockstep-daemon-old-0001"
    let dir: URL
    let sim: RunningKubeSim
    let kubeconfig: String
    let gatewayURL: String
    var vaultPath: String { dir.appendingPathComponent("vault.db").path }
    var keyFile: String { dir.appendingPathComponent("vault.key").path }
    var policies: String { dir.appendingPathComponent("policies").path }

    /// `litellm` nil: the gateway pods run `litellm-standin`. `schedule` goes into the policy's `spec.schedule.every`.
    static func start(litellm: String? = nil, schedule: String? = nil, podReadyDelay: Duration = .milliseconds(100)) async throws -> DaemonFixture {
        let dir = try TestEnvironment.temporaryFolder("daemon")
        let litellmConfig = dir.appendingPathComponent("litellm.yaml")
        try KubeObjects.liteLLMConfig.write(to: litellmConfig, atomically: true, encoding: .utf8)
        var config = KubeSimConfiguration()
        config.useTLS = false
        config.podReadyDelay = podReadyDelay
        config.seedObjects = [
            KubeObjects.secret("litellm-masterkey", "litellm-system", ["masterkey": oldKey]),
            KubeObjects.secret("litellm-env-secret", "litellm-system", ["AZURE_API_KEY": "unused"]),
            KubeObjects.secret("chat-backend-litellm", "unique", ["LITELLM_API_KEY": oldKey]),
            KubeObjects.deployment("litellm", "litellm-system", replicas: 1,
                                   container: KubeObjects.gatewayContainer(litellm: litellm, config: litellmConfig.path, standInDB: dir.appendingPathComponent("standin.json").path)),
            KubeObjects.deployment("backend-service-chat", "unique", replicas: 2, container: ["name": "backend", "image": "unique/backend:1"]),
        ]
        let sim = try await KubeSim.start(config)
        do {
            let kubeconfig = dir.appendingPathComponent("kubeconfig").path
            try sim.kubeconfig.write(to: URL(fileURLWithPath: kubeconfig))
            guard let service = await sim.serviceURL(namespace: "litellm-system", name: "litellm", timeout: .seconds(60)) else { throw FixtureFailure("no gateway Service") }
            let f = DaemonFixture(dir: dir, sim: sim, kubeconfig: kubeconfig, gatewayURL: "http://127.0.0.1:\(service.port!)")
            try VaultKeyFile.generate(at: f.keyFile)
            let tester = AuditActor(kind: .user, id: "tester")
            let vault = try Vault.create(at: f.vaultPath, key: .keyFile(f.keyFile), actor: tester)
            _ = try vault.importCredential(CredentialName("litellm-master-key"), value: try secretValue(oldKey), kind: "litellm-master-key", actor: tester)
            try FileManager.default.createDirectory(atPath: f.policies, withIntermediateDirectories: true)
            try f.policyYAML(schedule: schedule).write(toFile: f.policies + "/litellm-master-key.yaml", atomically: true, encoding: .utf8)
            // Bounded wait for the first gateway pod: the adopted master key works.
            let ready = await eventually(timeout: .seconds(120)) {
                (try? await LiteLLMGateway(client: LiteLLMClient(baseURL: f.gatewayURL, timeout: .seconds(3))).accepts(try secretValue(oldKey))) == true
            }
            guard ready else { throw FixtureFailure("the gateway pod did not accept the master key") }
            return f
        } catch {
            await sim.stop()
            throw error
        }
    }

    func policyYAML(schedule: String?) -> String { KubeObjects.masterKeyPolicy(gatewayURL: gatewayURL, schedule: schedule) }

    /// Writes a daemon configuration named `name` and returns its path.
    /// `http` and `admin` are extra fields of those mappings (`, idleTimeout: 1s`).
    func config(_ name: String, lease: Bool = false, webhook: String? = nil, checkEvery: String = "1s", socketMode: String = "0600",
                rolloutTimeout: String = "120s", http: String = "", admin: String = "") throws -> String {
        let socket = dir.appendingPathComponent("\(name).sock").path
        var yaml = """
        vault: {path: \(vaultPath), keyFile: \(keyFile)}
        policies: \(policies)
        kubernetes: {kubeconfig: \(kubeconfig)}
        admin: {socket: \(socket), mode: "\(socketMode)"\(admin)}
        http: {address: "127.0.0.1:0"\(http)}
        scheduler: {checkEvery: \(checkEvery), rolloutTimeout: \(rolloutTimeout), driftCheckEvery: 2s}
        logging: {format: json, level: info}

        """
        if lease {
            yaml += "lease: {namespace: lockstep, name: lockstep-leader, identity: \(name), durationSeconds: 3, renewDeadlineSeconds: 2, retryPeriodSeconds: 1}\n"
        }
        if let webhook {
            yaml += "notifications:\n  - {name: test-hook, format: json, url: \"\(webhook)\"}\n"
        }
        let path = dir.appendingPathComponent("\(name).yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Starts `lockstep serve --config CONFIG` and waits (bounded) for its ready line.
    /// `shell` runs first, in the daemon's shell (`ulimit -n 256`).
    func startDaemon(_ config: String, timeout: Duration = .seconds(60), shell: String? = nil) async throws -> RunningDaemon {
        let binary = TestEnvironment.builtBinary("lockstep")
        let process = try shell.map { try ChildProcess("/bin/sh", ["-c", "\($0); exec \"$0\" \"$@\"", binary, "serve", "--config", config], removing: ["LOCKSTEP_SOCKET"], directory: dir) }
            ?? ChildProcess(binary, ["serve", "--config", config], removing: ["LOCKSTEP_SOCKET"], directory: dir)
        guard let line = await process.line(containing: "lockstep serve: ready", timeout: timeout) else {
            await process.stop(grace: .seconds(2))
            throw FixtureFailure("the daemon did not become ready:\n\(process.stderr.suffix(3000))")
        }
        func field(_ key: String) -> String {
            line.split(separator: " ").first { $0.hasPrefix("\(key)=") }.map { String($0.dropFirst(key.count + 1)) } ?? ""
        }
        return RunningDaemon(process: process, socket: field("socket"), http: "http://" + field("http"), identity: field("identity"))
    }

    /// The value under `key` in a Secret, read from KubeSim's store.
    func liveValue(_ namespace: String, _ name: String, _ key: String) -> String? {
        guard let b64 = sim.get(.secrets, namespace: namespace, name: name)?["data"]?[key]?.stringValue, let d = Data(base64Encoded: b64) else { return nil }
        return String(decoding: d, as: UTF8.self)
    }

    /// A Bool, so that a failing expectation prints no key.
    func bothTargetsHold(_ value: String) -> Bool {
        liveValue("unique", "chat-backend-litellm", "LITELLM_API_KEY") == value && liveValue("litellm-system", "litellm-masterkey", "masterkey") == value
    }

    func runs() throws -> [RunRecord] { try VaultCatalog.open(vaultAt: vaultPath).runs(of: "litellm-master-key") }

    func stop() async {
        await sim.stop()
        try? FileManager.default.removeItem(at: dir)
    }
}

struct RunningDaemon {
    let process: ChildProcess
    let socket: String
    let http: String
    let identity: String
    var client: AdminClient { AdminClient(socket: socket) }
}

struct FixtureFailure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// A test value in guarded memory.
func secretValue(_ text: String) throws -> SecretBytes {
    var bytes = Array(text.utf8)
    return try SecretBytes.take(&bytes)
}
