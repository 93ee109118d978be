import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Preparing and securing the admin socket's path: its folder, a stale socket from a crash, and
/// the mode and group once the server has bound it.
enum AdminSocket {
    /// Creates the folder (0700, or 0750 with a group) and removes a stale socket. Refuses when
    /// another daemon answers on it, or when the path is something other than a socket.
    static func prepare(path: String, group: String?) throws {
        let dir = (path as NSString).deletingLastPathComponent
        if !FileManager.default.fileExists(atPath: dir) {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: group == nil ? 0o700 : 0o750])
        }
        var st = stat()
        guard lstat(path, &st) == 0 else { return }
        guard (st.st_mode & S_IFMT) == S_IFSOCK else {
            throw DaemonStartError("\(path) exists and is not a socket", hint: "choose another admin.socket path or remove the file")
        }
        if isListening(path) {
            throw DaemonStartError("another process is serving on \(path)", hint: "is another `lockstep serve` running with this configuration? stop it, or choose another admin.socket")
        }
        unlink(path)
    }

    /// Applies the configured mode and group to the bound socket.
    static func secure(path: String, mode: UInt16, group: String?) throws {
        if let group {
            guard let gr = getgrnam(group) else { throw DaemonStartError("admin.group \(group) does not exist", hint: "create it or remove admin.group") }
            guard chown(path, getuid(), gr.pointee.gr_gid) == 0 else { throw DaemonStartError("cannot give \(path) to group \(group): \(String(cString: strerror(errno)))", hint: "the daemon's user must be a member of the group") }
        }
        guard chmod(path, mode_t(mode)) == 0 else { throw DaemonStartError("cannot set the mode of \(path): \(String(cString: strerror(errno)))", hint: nil) }
    }

    static func isListening(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else { return false }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return withUnsafePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0 }
        }
    }
}

/// A reason the daemon cannot start, with what to do about it.
public struct DaemonStartError: Error, CustomStringConvertible {
    public let message: String
    public let hint: String?
    public init(_ message: String, hint: String?) {
        self.message = message
        self.hint = hint
    }
    public var description: String { message }
}
