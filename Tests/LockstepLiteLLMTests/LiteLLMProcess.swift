import Foundation
import LockstepTesting
import LockstepLiteLLM
import Testing

/// A real LiteLLM proxy (from the repository's `.venv`, or `LITELLM_BIN`) on 127.0.0.1, started
/// per test suite and stopped by PID. Models answer with `mock_response`, so no provider is
/// contacted.
final class LiteLLMProcess: @unchecked Sendable {
    let port: Int
    let masterKey: String
    private let process: Process
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
        process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["--config", dir + "/config.yaml", "--host", "127.0.0.1", "--port", String(port)]
        var env = ProcessInfo.processInfo.environment
        env["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
        env["PROXY_MASTER_KEY"] = masterKey
        process.environment = env
        guard FileManager.default.createFile(atPath: dir + "/log", contents: nil), let log = FileHandle(forWritingAtPath: dir + "/log") else { throw LiteLLMMissing() }
        process.standardOutput = log
        process.standardError = log
        try process.run()
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Waits (bounded) until `/health/readiness` answers 200.
    func waitReady(timeout: Duration = .seconds(90)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard process.isRunning else { throw LiteLLMExited(log: (try? String(contentsOfFile: dir + "/log", encoding: .utf8)) ?? "") }
            if await LiteLLMClient(baseURL: baseURL, timeout: .seconds(2)).isReady() { return }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw LiteLLMExited(log: "not ready within \(timeout)")
    }

    /// SIGTERM, then SIGKILL after 5 s; always waits for the process.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            let deadline = Date().addingTimeInterval(5)
            while process.isRunning, Date() < deadline { usleep(50_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: dir)
    }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
}

struct LiteLLMMissing: Error, CustomStringConvertible {
    var description: String { "LiteLLM not found: run scripts/setup (creates .venv) or set LITELLM_BIN" }
}

struct LiteLLMExited: Error, CustomStringConvertible {
    let log: String
    var description: String { "LiteLLM did not become ready: \(log.suffix(2000))" }
}

/// A free TCP port on 127.0.0.1 (bind to 0, read, close).
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = 0
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    let ok = withUnsafeMutablePointer(to: &addr) { p in
        p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
    }
    guard ok else { throw LiteLLMMissing() }
    return Int(UInt16(bigEndian: addr.sin_port))
}
