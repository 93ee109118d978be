import NIOCore

/// A reply in the Redis serialization protocol, version 2 (https://redis.io/docs/latest/develop/reference/protocol-spec/):
/// `+simple`, `-error`, `:integer`, `$bulk`, `*array`, each line ended by CRLF.
enum RESPReply: Equatable, Sendable {
    case simple(String)
    case error(String)
    case integer(Int)
    case bulk([UInt8]?)
    case array([RESPReply]?)

    /// The reply at the start of `buffer`, consumed; nil (and nothing consumed) when it has not all arrived.
    static func parse(_ buffer: inout ByteBuffer) throws -> RESPReply? {
        var copy = buffer
        guard let reply = try parseOne(&copy, depth: 0) else { return nil }
        buffer = copy
        return reply
    }

    private static func parseOne(_ buffer: inout ByteBuffer, depth: Int) throws -> RESPReply? {
        guard depth < 8 else { throw RESPError("a reply nested deeper than 8 arrays") }
        guard let type = buffer.readInteger(as: UInt8.self), let line = readLine(&buffer) else { return nil }
        switch type {
        case UInt8(ascii: "+"): return .simple(line)
        case UInt8(ascii: "-"): return .error(line)
        case UInt8(ascii: ":"):
            guard let n = Int(line) else { throw RESPError("an integer reply that is not a number") }
            return .integer(n)
        case UInt8(ascii: "$"):
            guard let n = Int(line), n >= -1, n <= 1 << 20 else { throw RESPError("a bulk reply of a bad length") }
            if n == -1 { return .bulk(nil) }
            guard buffer.readableBytes >= n + 2, let bytes = buffer.readBytes(length: n) else { return nil }
            buffer.moveReaderIndex(forwardBy: 2)
            return .bulk(bytes)
        case UInt8(ascii: "*"):
            guard let n = Int(line), n >= -1, n <= 4096 else { throw RESPError("an array reply of a bad length") }
            if n == -1 { return .array(nil) }
            var items: [RESPReply] = []
            for _ in 0..<n {
                guard let item = try parseOne(&buffer, depth: depth + 1) else { return nil }
                items.append(item)
            }
            return .array(items)
        default:
            throw RESPError("a reply of unknown type \(type)")
        }
    }

    private static func readLine(_ buffer: inout ByteBuffer) -> String? {
        let view = buffer.readableBytesView
        guard let cr = view.firstIndex(of: UInt8(ascii: "\r")), view.index(after: cr) < view.endIndex, view[view.index(after: cr)] == UInt8(ascii: "\n") else { return nil }
        let length = cr - view.startIndex
        let line = buffer.readString(length: length)
        buffer.moveReaderIndex(forwardBy: 2)
        return line
    }

    /// The text of a simple or bulk reply.
    var text: String? {
        switch self {
        case .simple(let s): s
        case .bulk(let b?): String(decoding: b, as: UTF8.self)
        default: nil
        }
    }
}

struct RESPError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = "the server sent \(description)" }
}
