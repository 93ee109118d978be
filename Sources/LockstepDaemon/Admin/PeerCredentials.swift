#if canImport(Glibc)
import Glibc
#endif
import NIOCore

/// Who is on the other end of an admin-socket connection, from the kernel (`SO_PEERCRED`): the
/// actor recorded in the audit log, and the basis of the access check on top of the socket mode.
public struct PeerCredentials: Sendable, Equatable, CustomStringConvertible {
    public var pid: Int32
    public var uid: UInt32
    public var gid: UInt32

    /// `alice (uid 1000)`, or `uid 1000` when the uid has no passwd entry (common in containers).
    public var description: String {
        if let pw = getpwuid(uid), let name = pw.pointee.pw_name { return "\(String(cString: name)) (uid \(uid))" }
        return "uid \(uid)"
    }

    /// `struct ucred` from <sys/socket.h>: three 32-bit fields, laid out as this struct.
    private struct UCred: Sendable { var pid: Int32 = 0; var uid: UInt32 = 0; var gid: UInt32 = 0 }

    /// Reads the peer of a Unix-socket connection; nil for other channels.
    static func read(from channel: any Channel) async -> PeerCredentials? {
        guard let provider = channel as? any SocketOptionProvider else { return nil }
        return try? await peerCredentials(provider)
    }

    // Not public and not inlinable, as NIO asks for calls of `unsafeGetSocketOption` with a libc type.
    private static func peerCredentials(_ provider: any SocketOptionProvider) async throws -> PeerCredentials {
        let c: UCred = try await provider.unsafeGetSocketOption(level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED)).get()
        return PeerCredentials(pid: c.pid, uid: c.uid, gid: c.gid)
    }
}

/// Who may use the admin socket beyond what its file mode already enforces: the daemon's own uid,
/// root (who can read the vault key anyway), and, when a group is configured, its members.
public struct AdminAccess: Sendable {
    public let ownerUID: UInt32
    public let groupID: UInt32?

    public init(ownerUID: UInt32 = getuid(), group: String?) throws {
        self.ownerUID = ownerUID
        guard let group else { groupID = nil; return }
        guard let gr = getgrnam(group) else { throw AdminWire.Problem(error: "admin.group \"\(group)\" does not exist on this machine", hint: "create the group or remove admin.group", exitCode: .config) }
        groupID = gr.pointee.gr_gid
    }

    public func allows(_ peer: PeerCredentials) -> Bool {
        if peer.uid == ownerUID || peer.uid == 0 { return true }
        guard let groupID else { return false }
        if peer.gid == groupID { return true }
        // Supplementary groups of the peer's user (the kernel passes only the primary gid).
        guard let pw = getpwuid(peer.uid), let name = pw.pointee.pw_name else { return false }
        var count: Int32 = 64
        var groups = [gid_t](repeating: 0, count: Int(count))
        guard getgrouplist(name, pw.pointee.pw_gid, &groups, &count) >= 0 else { return false }
        return groups.prefix(Int(count)).contains(groupID)
    }
}
