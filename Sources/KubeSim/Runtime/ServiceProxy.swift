import Logging
import NIOCore
import NIOPosix
import Synchronization

/// A Service-like TCP listener on 127.0.0.1 that spreads connections round-robin over the
/// Deployment's ready pods; a connection arriving with no ready pod is closed at once.
final class ServiceProxy: Sendable {
    /// Deployment annotation that fixes the Service port (otherwise one is allocated).
    static let portAnnotation = "kubesim.lockstep.dev/service-port"

    let port: Int
    private let backends = Mutex<(ports: [Int], next: Int)>(([], 0))
    private let task: Task<Void, Never>

    private init(port: Int, task: Task<Void, Never>) {
        self.port = port
        self.task = task
    }

    static func start(port: Int, logger: Logger) async throws -> ServiceProxy {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .bind(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true)) }
            }
        let boundPort = server.channel.localAddress?.port ?? port
        let holder = Locked<ServiceProxy?>(nil)
        let task = Task {
            _ = try? await server.executeThenClose { inbound in
                try await withThrowingDiscardingTaskGroup { group in
                    for try await connection in inbound {
                        let backend = holder.withLock { $0?.nextBackend() }
                        group.addTask { await Self.forward(connection, to: backend, logger: logger) }
                    }
                }
            }
        }
        let proxy = ServiceProxy(port: boundPort, task: task)
        holder.withLock { $0 = proxy }
        return proxy
    }

    func setBackends(_ ports: [Int]) {
        backends.withLock { state in
            if state.ports != ports { state.ports = ports }
        }
    }

    private func nextBackend() -> Int? {
        backends.withLock { state in
            guard !state.ports.isEmpty else { return nil }
            defer { state.next &+= 1 }
            return state.ports[state.next % state.ports.count]
        }
    }

    func stop() async {
        task.cancel()
        await task.value
    }

    private static func forward(_ client: NIOAsyncChannel<ByteBuffer, ByteBuffer>, to port: Int?, logger: Logger) async {
        guard let port else {
            try? await client.executeThenClose { _, _ in }
            return
        }
        let backend: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            backend = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelOption(.allowRemoteHalfClosure, value: true)
                .connectTimeout(.seconds(2))
                .connect(host: "127.0.0.1", port: port) { channel in
                    channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true)) }
                }
        } catch {
            logger.debug("service cannot reach 127.0.0.1:\(port): \(error)")
            try? await client.executeThenClose { _, _ in }
            return
        }
        do {
            try await client.executeThenClose { clientIn, clientOut in
                try await backend.executeThenClose { backendIn, backendOut in
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            for try await chunk in clientIn { try await backendOut.write(chunk) }
                            backendOut.finish()
                        }
                        group.addTask {
                            for try await chunk in backendIn { try await clientOut.write(chunk) }
                            clientOut.finish()
                        }
                        try await group.waitForAll()
                    }
                }
            }
        } catch {
            logger.debug("service connection to 127.0.0.1:\(port) ended: \(error)")
        }
    }
}
