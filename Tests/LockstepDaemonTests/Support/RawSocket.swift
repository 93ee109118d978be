import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A client socket driven by hand: bytes exactly as written (malformed or oversized requests),
/// or no bytes at all (an idle connection), with bounded waits on what comes back.
final class RawSocket {
    let fd: Int32

    private init(fd: Int32) { self.fd = fd }
    deinit { close(fd) }

    static func unix(_ path: String) throws -> RawSocket {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw RawSocketError("socket: \(errno)") }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let ok = withUnsafePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0 }
        }
        guard ok else { close(fd); throw RawSocketError("connect \(path): \(errno)") }
        return RawSocket(fd: fd)
    }

    static func tcp(port: Int) throws -> RawSocket {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw RawSocketError("socket: \(errno)") }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let ok = withUnsafePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard ok else { close(fd); throw RawSocketError("connect 127.0.0.1:\(port): \(errno)") }
        return RawSocket(fd: fd)
    }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw RawSocketError("send: \(errno)") }
            offset += n
        }
    }

    /// Everything until the peer closes, or nil when it has not closed within `timeout`.
    func readUntilClosed(timeout: Duration) -> [UInt8]? {
        let deadline = ContinuousClock.now + timeout
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while ContinuousClock.now < deadline {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let left = deadline - ContinuousClock.now
            let ms = Int32(max(1, min(1000, left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000)))
            guard poll(&p, 1, ms) > 0 else { continue }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            if n <= 0 { return data }
            data += buffer[0..<n]
        }
        return nil
    }

    /// One HTTP/1.1 request with `Connection: close`, and the status and body of the answer.
    static func exchange(_ socket: RawSocket, method: String, path: String, body: [UInt8], timeout: Duration = .seconds(30)) throws -> (status: Int, body: String) {
        let head = "\(method) \(path) HTTP/1.1\r\nHost: lockstep\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        try socket.send(Array(head.utf8) + body)
        guard let answer = socket.readUntilClosed(timeout: timeout) else { throw RawSocketError("no answer within \(timeout)") }
        let text = String(decoding: answer, as: UTF8.self)
        let status = text.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap { Int($0) } ?? 0
        let content = text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
        return (status, content)
    }
}

struct RawSocketError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
