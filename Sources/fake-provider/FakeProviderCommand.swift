import ArgumentParser
import Foundation
import LockstepBench
import Logging

@main
/// `fake-provider`: an OpenAI-compatible upstream on 127.0.0.1 that checks its API key.
struct FakeProviderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fake-provider",
        abstract: "An OpenAI-compatible upstream on 127.0.0.1 that checks Authorization: Bearer <key>.",
        discussion: """
            Accepted keys come from --keys-file (one per line, read again when the file changes) and from the environment variable FAKE_PROVIDER_KEYS (comma-separated); never from argv. Prints "fake-provider ready http://127.0.0.1:PORT" once serving; SIGTERM or SIGINT stops it (exit 0).
            """)

    @Option(help: "TCP port on 127.0.0.1 (0 picks a free one).")
    var port: Int = 0

    @Option(name: .customLong("keys-file"), help: "File of accepted keys, one per line; re-read when it changes.")
    var keysFile: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel = "info"

    func run() async throws {
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        var logger = Logger(label: "fake-provider")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info

        let fixed = KeyRing.parseList(ProcessInfo.processInfo.environment["FAKE_PROVIDER_KEYS"])
        guard keysFile != nil || !fixed.isEmpty else {
            throw BenchError("fake-provider has no keys to accept", hint: "pass --keys-file FILE (one key per line) or set FAKE_PROVIDER_KEYS=key1,key2")
        }
        let keys = KeyRing(fixed: fixed, file: keysFile)
        let provider = FakeProvider(keys: keys)

        let signals = SignalWaiter([SIGTERM, SIGINT])
        let server = try await BenchServer.start(provider.router(), port: port, name: "fake-provider", logger: logger)
        // The one line scripts and tests wait for; logs go to stderr.
        FileHandle.standardOutput.write(Data("fake-provider ready http://127.0.0.1:\(server.port)\n".utf8))
        logger.info("serving with \(keys.count) accepted keys\(keysFile.map { " (keys file \($0))" } ?? "")")
        let signal = await signals.wait()
        logger.info("signal \(signal): stopping")
        await server.stop()
    }
}
