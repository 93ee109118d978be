import ArgumentParser
import Foundation
import LockstepBench
import Logging

@main
/// `lockstep-load`: the chat backend's stand-in, sending chat completions to the gateway at a
/// steady rate and reporting every failure.
struct LoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lockstep-load",
        abstract: "Send chat completions to a LiteLLM gateway at a steady rate and report every failure.",
        discussion: """
            Environment: LITELLM_API_KEY is the bearer key (never on the command line); LITELLM_BASE_URL is used when --url is not given; PORT makes it serve GET /healthz and GET /report there; LOAD_REPORT_DIR receives lockstep-load-<pid>.json when --report is not given. Runs until --duration, --max-requests or SIGTERM/SIGINT, then writes the report and exits 0.
            """)

    @Option(help: "The gateway's base URL (default: env LITELLM_BASE_URL).")
    var url: String?

    @Option(help: "Model name to request; several, comma-separated, are asked in turn.")
    var model = "mock-gpt"

    @Option(help: "Requests started per second.")
    var rps = 5.0

    @Option(help: "Seconds to run (default: until SIGTERM).")
    var duration: Double?

    @Option(name: .customLong("max-requests"), help: "Stop after this many requests.")
    var maxRequests: Int?

    @Option(name: .customLong("timeout-ms"), help: "Each attempt's deadline in milliseconds (a retry gets a fresh one, as in the OpenAI SDKs).")
    var timeoutMs = 2000

    @Option(name: .customLong("connection-retries"), help: "Send a request again this often when it got no HTTP answer (refused or closed connection, or none within --timeout-ms), after 0.5 s, 1 s, ... (at most 8 s), as the OpenAI SDKs do; never after an HTTP answer.")
    var connectionRetries = 0

    @Option(help: "Write the JSON report to this file (default: $LOAD_REPORT_DIR/lockstep-load-<pid>.json, if set).")
    var report: String?

    func run() async throws {
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        var logger = Logger(label: "lockstep-load")
        logger.logLevel = .info
        let env = ProcessInfo.processInfo.environment

        guard let baseURL = url ?? env["LITELLM_BASE_URL"] else {
            throw BenchError("no gateway URL", hint: "pass --url http://127.0.0.1:PORT or set LITELLM_BASE_URL")
        }
        var configuration = LoadConfiguration(baseURL: baseURL, apiKey: APIKey(env["LITELLM_API_KEY"]))
        configuration.model = model
        configuration.requestsPerSecond = rps
        configuration.duration = duration.map { .milliseconds(Int64($0 * 1000)) }
        configuration.maxRequests = maxRequests
        configuration.timeout = .milliseconds(timeoutMs)
        configuration.connectionRetries = connectionRetries
        try configuration.validate()
        let reportPath = report ?? env["LOAD_REPORT_DIR"].map { "\($0)/lockstep-load-\(ProcessInfo.processInfo.processIdentifier).json" }

        let signals = SignalWaiter([SIGTERM, SIGINT])
        let recorder = LoadRecorder()
        var health: BenchServer?
        if let port = env["PORT"] {
            guard let number = Int(port), (0...65535).contains(number) else {
                throw BenchError("PORT \"\(port)\" is not a TCP port", hint: "unset PORT to serve no health endpoint")
            }
            health = try await BenchServer.start(HealthRoutes.router(recorder: recorder, configuration: configuration), port: number, name: "lockstep-load", logger: logger)
        }
        logger.info("sending to \(configuration.endpoint) at \(rps)/s, model \(model), \(configuration.apiKey == nil ? "no key" : "key from LITELLM_API_KEY")")

        let stop = StopFlag()
        let signalTask = Task {
            let signal = await signals.wait()
            logger.info("signal \(signal): finishing requests in flight")
            stop.stop()
        }
        try await LoadRunner(configuration: configuration, recorder: recorder).run(stop: stop)
        signalTask.cancel()

        let result = recorder.report(configuration: configuration)
        if let reportPath {
            try result.json().write(to: URL(fileURLWithPath: reportPath), options: .atomic)
        }
        FileHandle.standardError.write(Data((result.summaryLine + "\n").utf8))
        await health?.stop()
    }
}
