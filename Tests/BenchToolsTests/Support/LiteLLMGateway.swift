import Foundation
import LockstepTesting

/// A real LiteLLM proxy on 127.0.0.1 (as `Tests/LockstepLiteLLMTests/LiteLLMProcess.swift` runs
/// it) with two models: `fake-gpt`, whose upstream is the fake provider (key from env
/// `OPENAI_API_KEY`), and `mock-gpt`, answered by `mock_response` without any upstream.
final class LiteLLMGateway: @unchecked Sendable {
    let process: BenchProcess
    let url: String
    let masterKey: String
    private let configDirectory: TempDirectory

    init(binary: String, providerURL: String, providerKey: String, masterKey: String) throws {
        self.masterKey = masterKey
        let port = try freePort()
        configDirectory = try TempDirectory("litellm-config")
        let dir = configDirectory
        let config = """
            model_list:
              - model_name: fake-gpt
                litellm_params: {model: openai/gpt-4o-mini, api_base: "\(providerURL)/v1", api_key: os.environ/OPENAI_API_KEY}
              - model_name: mock-gpt
                litellm_params: {model: openai/gpt-4o-mini, api_key: sk-provider-not-used, mock_response: "hello from the mock"}
            litellm_settings:
              num_retries: 0
            general_settings:
              master_key: os.environ/PROXY_MASTER_KEY
            """
        let configPath = dir.file("config.yaml")
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        process = try BenchProcess(binary, ["--config", configPath, "--host", "127.0.0.1", "--port", String(port)], environment: [
            "LITELLM_LOCAL_MODEL_COST_MAP": "True", "PROXY_MASTER_KEY": masterKey, "OPENAI_API_KEY": providerKey,
        ])
        url = "http://127.0.0.1:\(port)"
    }

    /// Starts a gateway and waits until it is ready. The free port is found by binding port 0 and
    /// closing it, so a parallel test can take it before LiteLLM binds: when LiteLLM exits early,
    /// try again on another port (at most three times).
    static func started(binary: String, providerURL: String, providerKey: String, masterKey: String) async throws -> LiteLLMGateway {
        var lastError: (any Error)?
        for _ in 0..<3 {
            let gateway = try LiteLLMGateway(binary: binary, providerURL: providerURL, providerKey: providerKey, masterKey: masterKey)
            do {
                try await gateway.waitReady()
                return gateway
            } catch {
                lastError = error
                await gateway.process.stop(grace: .seconds(5))
            }
        }
        throw lastError ?? ProcessFailed("LiteLLM did not start")
    }

    /// Waits (bounded) until `/health/readiness` answers 200.
    func waitReady(timeout: Duration = .seconds(120)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard process.process.isRunning else { throw ProcessFailed("LiteLLM exited: \(process.stdout.suffix(1000)) \(process.stderr.suffix(1500))") }
            if (try? await HTTP.request(.GET, url + "/health/readiness", timeout: .seconds(2)).status) == 200 { return }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw ProcessFailed("LiteLLM not ready within \(timeout): \(process.stderr.suffix(1500))")
    }

    /// `GET /health?model=NAME` with the master key: its status and (healthy_count, unhealthy_count).
    /// litellm 1.108.7 answers 200, or 503 with the same body when no endpoint of the model is
    /// healthy (`_health_endpoints.py`: "surface that as a 503 so monitoring systems can rely on
    /// the HTTP status").
    func health(model: String) async throws -> (status: Int, healthy: Int?, unhealthy: Int?) {
        let answer = try await HTTP.request(.GET, url + "/health?model=\(model)", bearer: masterKey, timeout: .seconds(60))
        return (answer.status, answer.json?["healthy_count"] as? Int, answer.json?["unhealthy_count"] as? Int)
    }
}
