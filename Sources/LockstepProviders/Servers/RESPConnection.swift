import LockstepCrypto
import NIOCore
import NIOPosix

/// One connection to a Redis server, for a few commands in a row: each argument is sent as a bulk
/// string, and the reply read back. A secret argument (a password for `AUTH`) goes from guarded
/// memory straight into the outgoing buffer and never into a string. Bounded by the caller's
/// ``ServerDeadline``.
struct RESPConnection {
    enum Argument {
        case text(String)
        case secret(SecretBytes)
    }

    private var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private var buffer = ByteBuffer()

    /// Opens a connection to `host:port`, runs `body` on it, and closes it.
    static func with<T: Sendable>(host: String, port: Int, connectTimeout: Duration, _ body: (inout RESPConnection) async throws -> T) async throws -> T {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.milliseconds(connectTimeout.components.seconds * 1000 + connectTimeout.components.attoseconds / 1_000_000_000_000_000))
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var connection = RESPConnection(inbound: inbound.makeAsyncIterator(), outbound: outbound)
            return try await body(&connection)
        }
    }

    private init(inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>) {
        self.inbound = inbound
        self.outbound = outbound
    }

    /// Sends one command and reads its reply.
    mutating func call(_ arguments: [Argument]) async throws -> RESPReply {
        var out = ByteBuffer()
        out.writeString("*\(arguments.count)\r\n")
        for argument in arguments {
            switch argument {
            case .text(let text):
                out.writeString("$\(text.utf8.count)\r\n")
                out.writeString(text)
            case .secret(let secret):
                out.writeString("$\(secret.count)\r\n")
                _ = secret.withUnsafeBytes { out.writeBytes($0) }
            }
            out.writeString("\r\n")
        }
        try await outbound.write(out)
        while true {
            if let reply = try RESPReply.parse(&buffer) { return reply }
            guard var chunk = try await inbound.next() else { throw RESPError("no reply before closing the connection") }
            buffer.writeBuffer(&chunk)
        }
    }

    mutating func call(_ words: String...) async throws -> RESPReply { try await call(words.map { .text($0) }) }
}
