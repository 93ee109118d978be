import ArgumentParser
import Foundation
import Hummingbird
import LockstepBench
import Logging

@main
/// `lockstep-connect`: a consumer of the gateway's database and cache that opens a new
/// connection per attempt, at a steady rate, and reports every failed one.
struct ConnectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lockstep-connect",
        abstract: "Open new PostgreSQL and Redis connections at a steady rate, as a gateway pod would, and report every failure.",
        discussion: """
            Environment (read once, at start, like a pod): DATABASE_URL for postgres; REDIS_HOST, REDIS_PORT, REDIS_USERNAME, REDIS_PASSWORD for redis. PORT makes it serve GET /healthz; LOAD_REPORT_DIR receives lockstep-connect-<pid>.json at exit. Runs until SIGTERM/SIGINT.
            """)

    @Option(help: "Comma-separated: postgres, redis.")
    var servers = "postgres"

    @Option(help: "New connections per second, to each server.")
    var rate = 5.0

    @Option(name: .customLong("timeout-ms"), help: "Each attempt's deadline in milliseconds.")
    var timeoutMs = 3000

    func run() async throws {
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        let logger = Logger(label: "lockstep-connect")
        let env = ProcessInfo.processInfo.environment
        guard rate > 0, rate <= 200 else { throw BenchError("--rate must be in (0, 200]") }
        let targets = try ConnectTarget.from(env, kinds: servers.split(separator: ",").map(String.init))
        let signals = SignalWaiter([SIGTERM, SIGINT])
        var health: BenchServer?
        if let port = env["PORT"].flatMap(Int.init) {
            let router = Router()
            router.get("/healthz") { _, _ in "ok\n" }
            health = try await BenchServer.start(router, port: port, name: "lockstep-connect", logger: logger)
        }
        logger.info("connecting to \(targets.map(\.description).joined(separator: ", ")) at \(rate)/s each")
        let stop = StopFlag()
        let recorder = ConnectRecorder()
        let signalTask = Task {
            _ = await signals.wait()
            stop.stop()
        }
        await ConnectRunner(targets: targets, perSecond: rate, timeout: .milliseconds(timeoutMs), recorder: recorder).run(stop: stop)
        signalTask.cancel()
        let report = recorder.report()
        if let dir = env["LOAD_REPORT_DIR"] {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            try encoder.encode(report).write(to: URL(fileURLWithPath: "\(dir)/lockstep-connect-\(report.pid).json"), options: .atomic)
        }
        let summary = report.servers.keys.sorted().map { "\($0): \(report.servers[$0]!.attempts) connections, \(report.servers[$0]!.failed) failed" }
        FileHandle.standardError.write(Data((summary.joined(separator: "; ") + "\n").utf8))
        await health?.stop()
    }
}
