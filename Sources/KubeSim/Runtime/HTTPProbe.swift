import NIOCore
import NIOPosix

/// An HTTP GET readiness probe against 127.0.0.1: ready when the status is 200–399, as the kubelet judges.
enum HTTPProbe {
    static func check(port: Int, path: String, timeout: Duration) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask { (try? await get(port: port, path: path)).map { (200..<400).contains($0) } ?? false }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            let result = await group.next() ?? false
            group.cancelAll()
            return result
        }
    }

    /// The status code of `GET path`.
    private static func get(port: Int, path: String) async throws -> Int {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(1))
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUser-Agent: kube-probe/1.31\r\nConnection: close\r\n\r\n"))
            var head = ""
            for try await var chunk in inbound {
                head += chunk.readString(length: chunk.readableBytes) ?? ""
                if let line = head.split(separator: "\r\n", maxSplits: 1).first, head.contains("\r\n") {
                    let parts = line.split(separator: " ")
                    return parts.count > 1 ? Int(parts[1]) ?? 0 : 0
                }
            }
            return 0
        }
    }
}
