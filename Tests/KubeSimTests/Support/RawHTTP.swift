import Foundation
import KubeSim
import NIOCore
import NIOPosix

/// A minimal HTTP/1.1 client for tests (plain HTTP to 127.0.0.1, `Connection: close`), so that
/// the tests see exactly the status, headers and bytes KubeSim sends.
struct RawHTTP {
    struct Reply {
        let status: Int
        let headers: [String: String]
        let body: String

        var json: JSONValue { (try? JSONValue.parse(body)) ?? .null }
    }

    let port: Int

    init(port: Int) {
        self.port = port
    }

    init(_ sim: RunningKubeSim) {
        self.port = sim.port
    }

    func request(_ method: String, _ path: String, body: String? = nil, contentType: String = "application/json",
                 headers extra: [String: String] = [:], timeout: Duration = .seconds(10)) async throws -> Reply {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\nUser-Agent: kubesim-tests/1.0\r\n"
        for (k, v) in extra { head += "\(k): \(v)\r\n" }
        if let body {
            head += "Content-Type: \(contentType)\r\nContent-Length: \(body.utf8.count)\r\n"
        }
        head += "\r\n" + (body ?? "")
        let raw = try await exchange(head, timeout: timeout, until: { _ in false })
        return try Self.parse(raw)
    }

    func get(_ path: String) async throws -> Reply { try await request("GET", path) }

    /// Sends a request and collects the raw response until the server closes, `until` says enough
    /// was read, or the timeout passes.
    func exchange(_ request: String, timeout: Duration, until: @escaping @Sendable (String) -> Bool) async throws -> String {
        let port = self.port
        return try await withThrowingTaskGroup(of: String?.self) { group in
            group.addTask {
                let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                    .connect(host: "127.0.0.1", port: port) { channel in
                        channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
                    }
                return try await channel.executeThenClose { inbound, outbound in
                    try await outbound.write(ByteBuffer(string: request))
                    var text = ""
                    for try await var chunk in inbound {
                        text += chunk.readString(length: chunk.readableBytes) ?? ""
                        if until(text) { break }
                    }
                    return text
                }
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            guard let first else { throw TestFailure("no complete HTTP answer within \(timeout)") }
            return first
        }
    }

    static func parse(_ raw: String) throws -> Reply {
        guard let split = raw.range(of: "\r\n\r\n") else { throw TestFailure("malformed HTTP answer: \(raw.prefix(200))") }
        let headLines = raw[..<split.lowerBound].components(separatedBy: "\r\n")
        let status = Int(headLines.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
        var headers: [String: String] = [:]
        for line in headLines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = String(raw[split.upperBound...])
        if headers["transfer-encoding"] == "chunked" { body = dechunk(body) }
        return Reply(status: status, headers: headers, body: body)
    }

    static func dechunk(_ text: String) -> String {
        var out = ""
        var rest = Substring(text)
        while let lineEnd = rest.range(of: "\r\n") {
            guard let size = Int(rest[..<lineEnd.lowerBound], radix: 16), size > 0 else { break }
            let start = lineEnd.upperBound
            let bytes = Array(rest[start...].utf8)
            guard bytes.count >= size else { out += String(decoding: bytes, as: UTF8.self); break }
            out += String(decoding: bytes[0..<size], as: UTF8.self)
            rest = Substring(String(decoding: bytes[size...], as: UTF8.self)).dropFirst(2)
        }
        return out
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
