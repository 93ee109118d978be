import NIOCore
import NIOPosix
import Synchronization

/// A TCP server on 127.0.0.1 that treats its n-th connection (from 0) as `script(n)` says: close
/// it without an answer, at once or after a delay (as a gateway pod that stops does to a
/// keep-alive connection), or answer `HTTP/1.1 200` and close. For the load client's retries.
final class ScriptedHTTPServer: Sendable {
    enum Move: Sendable {
        case close(after: TimeAmount)
        case answer
        /// Reads the request and never answers (the connection stays open until the client closes it).
        case stall
    }

    /// Numbers connections in the order their first bytes arrive.
    final class Counter: Sendable {
        private let value = Mutex(0)
        func next() -> Int { value.withLock { v in defer { v += 1 }; return v } }
        var count: Int { value.withLock { $0 } }
    }

    let port: Int
    private let channel: any Channel
    private let counter = Counter()

    /// How many connections sent a request so far.
    var connections: Int { counter.count }

    init(script: @escaping @Sendable (Int) -> Move) async throws {
        let counter = self.counter
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(Handler(counter: counter, script: script))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        port = channel.localAddress?.port ?? 0
    }

    func stop() async {
        try? await channel.close()
    }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        private let counter: Counter
        private let script: @Sendable (Int) -> Move
        private var handled = false

        init(counter: Counter, script: @escaping @Sendable (Int) -> Move) {
            self.counter = counter
            self.script = script
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard !handled else { return }
            handled = true
            switch script(counter.next()) {
            case .close(let delay):
                let channel = context.channel
                context.eventLoop.scheduleTask(in: delay) { channel.close(promise: nil) }
            case .stall:
                break
            case .answer:
                let body = #"{"id":"x","object":"chat.completion","choices":[]}"#
                let response = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
                let channel = context.channel
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: response))).whenComplete { _ in channel.close(promise: nil) }
            }
        }
    }
}
