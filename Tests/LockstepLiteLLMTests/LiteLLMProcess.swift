import Foundation
import LockstepLiteLLM
import LockstepTesting
import Testing

/// A real LiteLLM proxy (from the repository's `.venv`, or `LITELLM_BIN`) on 127.0.0.1, started
/// per test suite and stopped by PID. Models answer with `mock_response`, so no provider is
/// contacted.
final class LiteLLMProcess: Sendable {
    let port: Int
    let masterKey: String
    private let child: ChildProcess
    private let dir: String

    static var binary: String? { TestEnvironment.liteLLM }

    static var inCI: Bool { TestEnvironment.inCI }

    init(masterKey: String) throws {
        guard let binary = Self.binary else { throw LiteLLMMissing() }
        self.masterKey = masterKey
        dir = NSTemporaryDirectory() + "litellm-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let config = """
        model_list:
          - model_name: mock-gpt
            litellm_params: {model: openai/gpt-4o-mini, api_key: sk-provider-not-used, mock_response: "hello from the mock"}
          - model_name: dead-gpt
            litellm_params: {model: openai/gpt-4o-mini, api_key: sk-provider-not-used, api_base: "http://127.0.0.1:9/v1", max_retries: 0, timeout: 3}
        general_settings:
          master_key: os.environ/PROXY_MASTER_KEY
        """
        try config.write(toFile: dir + "/config.yaml", atomically: true, encoding: .utf8)
        port = try freePort()
        // The master key goes in through the environment, never argv.
        child = try ChildProcess(binary, ["--config", dir + "/config.yaml", "--host", "127.0.0.1", "--port", String(port)],
                                 environment: ["LITELLM_LOCAL_MODEL_COST_MAP": "True", "PROXY_MASTER_KEY": masterKey], directory: URL(fileURLWithPath: dir))
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Waits (bounded) until `/health/readiness` answers 200.
    func waitReady(timeout: Duration = .seconds(90)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard child.isRunning else { throw LiteLLMExited(log: child.stdout + child.stderr) }
            if await LiteLLMClient(baseURL: baseURL, timeout: .seconds(2)).isReady() { return }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw LiteLLMExited(log: "not ready within \(timeout)")
    }

    /// SIGTERM, then SIGKILL after 5 s; always waits for the process.
    func stop() {
        child.stopBlocking()
        try? FileManager.default.removeItem(atPath: dir)
    }
}

struct LiteLLMMissing: Error, CustomStringConvertible {
    var description: String { "LiteLLM not found: run scripts/setup (creates .venv) or set LITELLM_BIN" }
}

struct LiteLLMExited: Error, CustomStringConvertible {
    let log: String
    var description: String { "LiteLLM did not become ready: \(log.suffix(2000))" }
}
