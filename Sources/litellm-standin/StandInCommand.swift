import ArgumentParser
import Foundation
import LockstepBench
import Logging

@main
/// `litellm-standin`: LiteLLM's proxy in database mode, as far as Lockstep's bridge strategy
/// uses it (a stand-in: database mode cannot run on these machines). See LiteLLMStandIn.
struct StandInCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "litellm-standin",
        abstract: "A stand-in for LiteLLM's proxy with a database: master key from PROXY_MASTER_KEY, virtual keys in a shared file.",
        discussion: "Prints \"litellm-standin ready http://127.0.0.1:PORT\" once serving; exits 3 on an empty or sk-1234 master key, as LiteLLM does; SIGTERM stops it.")

    @Option(help: "TCP port on 127.0.0.1 (0 picks one; KubeSim passes $(PORT)).")
    var port: Int = 0
    @Option(help: "The shared virtual-key file (the stand-in's database).")
    var db: String

    func run() async throws {
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        let logger = Logger(label: "litellm-standin")
        let master = ProcessInfo.processInfo.environment["PROXY_MASTER_KEY"] ?? ""
        if LiteLLMStandIn.refusesMasterKey(master) {
            FileHandle.standardError.write(Data("litellm-standin: refusing to start: the master key is empty or sk-1234\n".utf8))
            throw ExitCode(3)
        }
        let signals = SignalWaiter([SIGTERM, SIGINT])
        let server = try await BenchServer.start(LiteLLMStandIn(masterKey: master, store: VirtualKeyStore(path: db)).router(), port: port, name: "litellm-standin", logger: logger)
        FileHandle.standardOutput.write(Data("litellm-standin ready http://127.0.0.1:\(server.port)\n".utf8))
        _ = await signals.wait()
        await server.stop()
    }
}
