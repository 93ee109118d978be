import Hummingbird
import Logging
import ServiceLifecycle

/// A Hummingbird server on 127.0.0.1 run in its own ServiceGroup, so that the caller decides when
/// it stops (the tools catch SIGTERM themselves, to finish their work first).
public final class BenchServer: Sendable {
    /// The port it listens on (the one asked for, or the one picked for port 0).
    public let port: Int
    private let group: ServiceGroup
    private let task: Task<Void, Never>

    private init(port: Int, group: ServiceGroup, task: Task<Void, Never>) {
        self.port = port
        self.group = group
        self.task = task
    }

    /// Starts serving `router` on 127.0.0.1:`port` (0 picks one) and returns once it listens.
    public static func start(_ router: Router<BasicRequestContext>, port: Int, name: String, logger: Logger) async throws -> BenchServer {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: name),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) },
            logger: logger)
        var configuration = ServiceGroupConfiguration(services: [app], gracefulShutdownSignals: [], logger: logger)
        // Keep-alive clients (LiteLLM's connection pool) must not hold the shutdown up for long.
        configuration.maximumGracefulShutdownDuration = .seconds(2)
        let group = ServiceGroup(configuration: configuration)
        let task = Task {
            do { try await group.run() } catch { logger.error("\(name) server stopped: \(error)") }
            continuation.finish()
        }
        var bound: Int?
        for await p in ports {
            bound = p
            break
        }
        guard let bound, bound > 0 else {
            await task.value
            throw BenchError("\(name) could not listen on 127.0.0.1:\(port)", hint: "is the port in use? pass --port 0 to pick a free one")
        }
        return BenchServer(port: bound, group: group, task: task)
    }

    /// Stops accepting, lets open requests finish (at most 2 s) and waits for the server to end.
    public func stop() async {
        await group.triggerGracefulShutdown()
        await task.value
    }
}
