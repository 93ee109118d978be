import Logging
import NIOCore
import NIOPosix
import Synchronization

/// A Service-like TCP listener on 127.0.0.1 that spreads connections round-robin over the
/// Deployment's ready pods; a connection arriving with no ready pod is closed at once.
///
/// A Service keeps routing for as long as it exists, so the listener does too: should its
/// accept loop end for any reason but ``stop()`` (an accept error ends NIO's inbound stream, and
/// with it the loop), the error is logged and the same port is bound again, instead of the port
/// refusing every connection from then on.
final class ServiceProxy: Sendable {
    /// Deployment annotation that fixes the Service port (otherwise one is allocated).
    static let portAnnotation = "kubesim.lockstep.dev/service-port"
    /// Consecutive failed binds after which the listener gives up (logged), about a minute.
    static let rebindAttempts = 60

    typealias Listener = NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>

    let port: Int
    private let backends = Mutex<(ports: [Int], next: Int)>(([], 0))
    /// The server channel accepting now (nil between a loss and the next bind), and whether
    /// ``stop()`` was called.
    private let listening = Mutex<(channel: (any Channel)?, stopping: Bool)>((nil, false))
    /// How often the listener was bound again after its accept loop ended, and how many
    /// connections it took.
    private let rebinds = Mutex(0)
    private let accepted = Mutex(0)
    private let task = Mutex<Task<Void, Never>?>(nil)

    private init(port: Int) { self.port = port }

    static func start(port: Int, logger: Logger) async throws -> ServiceProxy {
        let first = try await bind(port)
        let proxy = ServiceProxy(port: first.channel.localAddress?.port ?? port)
        proxy.task.withLock { $0 = Task { await proxy.serve(first, logger: logger) } }
        return proxy
    }

    private static func bind(_ port: Int) async throws -> Listener {
        try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .bind(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true)) }
            }
    }

    /// Accepts until stopped; binds the port again whenever the accept loop ends otherwise.
    /// Every listener bound goes through `executeThenClose`, and its stream is read to its end
    /// (NIO traps on an accepted channel dropped unread): ``stop()`` closes the listener rather
    /// than cancelling the loop, and the connections being forwarded are cancelled after. A
    /// connection accepted in the very moment the listener closes can still be dropped and trap
    /// (swift-nio#2637, #3481: a limit of the async server API, no fix upstream yet).
    private func serve(_ first: Listener, logger: Logger) async {
        var listener: Listener? = first
        var failedBinds = 0
        while true {
            if let server = listener {
                listener = nil
                let stopping = listening.withLock { state in
                    if !state.stopping { state.channel = server.channel }
                    return state.stopping
                }
                if stopping { try? await server.channel.close() }
                do {
                    try await server.executeThenClose { inbound in
                        try await withThrowingDiscardingTaskGroup { group in
                            for try await connection in inbound {
                                let backend = nextBackend()
                                accepted.withLock { $0 += 1 }
                                group.addTask { await Self.forward(connection, to: backend, logger: logger) }
                            }
                            if isStopping { group.cancelAll() }
                        }
                    }
                    if !isStopping { logger.error("service on 127.0.0.1:\(port) stopped accepting; listening again") }
                } catch {
                    if !isStopping { logger.error("service on 127.0.0.1:\(port) stopped accepting (\(error)); listening again") }
                }
                listening.withLock { $0.channel = nil }
            }
            if isStopping { return }
            if failedBinds > 0 { try? await Task.sleep(for: .seconds(1)) } // the port is still held: a pause between binds
            do {
                listener = try await Self.bind(port)
                failedBinds = 0
                rebinds.withLock { $0 += 1 }
            } catch {
                failedBinds += 1
                guard failedBinds < Self.rebindAttempts else {
                    logger.error("service on 127.0.0.1:\(port) cannot listen again after \(failedBinds) attempts: \(error)")
                    return
                }
            }
        }
    }

    private var isStopping: Bool { listening.withLock { $0.stopping } }

    /// Tests: closes the server channel under the accept loop, as an accept error would end it.
    func dropListener() async {
        let channel = listening.withLock { $0.channel }
        try? await channel?.close()
    }

    /// How often the listener was bound again (0 while it never lost its loop).
    var rebindCount: Int { rebinds.withLock { $0 } }
    /// Connections taken so far.
    var acceptedCount: Int { accepted.withLock { $0 } }

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

    /// Closes the listener (the port refuses from now on), ends the connections being forwarded,
    /// and returns when the loop has ended.
    func stop() async {
        let channel = listening.withLock { state in
            state.stopping = true
            return state.channel
        }
        try? await channel?.close()
        await task.withLock { $0 }?.value
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
