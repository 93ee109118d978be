import Crypto
import Foundation

/// A real Redis server (Debian's `redis-server`) for a test, on 127.0.0.1 only, its users in an
/// ACL file in a temporary folder (passwords given by their SHA-256), no persistence of data;
/// stopped by PID. `aclFile: false` starts it with neither an ACL file nor a config file, so a
/// change of users cannot be saved.
public final class LocalRedis: @unchecked Sendable {
    public let port: Int
    public let folder: URL
    public let aclPath: String
    /// A user of the bench's own with every right (shutting the server down), never the code under test's.
    static let superuser = "bench-super"
    private let superuserPassword = UUID().uuidString
    private var server: ChildProcess!
    private let arguments: [String]

    public static var available: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/redis-server") }

    /// `users`: ACL file lines (`user NAME on #SHA256 ~* +@all`); `default` is always off.
    public init(users: [String], aclFile: Bool = true) async throws {
        guard Self.available else { throw ChildProcessError("Redis is not installed (apt-get install redis-server; scripts/setup does)") }
        folder = try TestEnvironment.temporaryFolder("lockstep-redis")
        aclPath = folder.appendingPathComponent("users.acl").path
        port = try freePort()
        var args = ["--port", "\(port)", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", folder.path, "--protected-mode", "yes"]
        if aclFile {
            let lines = ["user default off"] + users + ["user \(Self.superuser) on #\(Self.sha256(superuserPassword)) ~* &* +@all"]
            guard FileManager.default.createFile(atPath: aclPath, contents: Data((lines.joined(separator: "\n") + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
                throw ChildProcessError("cannot write \(aclPath)")
            }
            args += ["--aclfile", aclPath]
        }
        arguments = args
        try await start()
        if !aclFile {
            let users = users + ["user \(Self.superuser) on #\(Self.sha256(superuserPassword)) ~* &* +@all"]
            // No file to read users from: they are created through the default user, which is then switched off.
            for line in users {
                let words = line.split(separator: " ").dropFirst().map(String.init)
                try await cli(["ACL", "SETUSER"] + words, asDefault: true)
            }
            try await cli(["ACL", "SETUSER", "default", "off"], asDefault: true)
        }
    }

    private func start() async throws {
        server = try ChildProcess("/usr/bin/redis-server", arguments, directory: folder)
        let (port, server) = (port, server!)
        let ready = await eventually(timeout: .seconds(20), every: .milliseconds(50)) {
            guard server.isRunning else { return true }
            return server.stdout.contains("Ready to accept connections")
        }
        guard ready, server.isRunning else {
            let log = server.stdout.suffix(800)
            await stop()
            throw ChildProcessError("Redis on 127.0.0.1:\(port) was not ready within 20 s: \(log)")
        }
    }

    /// Runs redis-cli as `user` (its password in REDISCLI_AUTH, not argv), or as the default user.
    @discardableResult
    public func cli(_ words: [String], user: String? = nil, password: String? = nil, asDefault: Bool = false) async throws -> String {
        var args = ["-h", "127.0.0.1", "-p", "\(port)", "--no-auth-warning"]
        var env: [String: String] = [:]
        if !asDefault, let user, let password {
            args += ["--user", user]
            env["REDISCLI_AUTH"] = password
        }
        let result = try await ChildProcess.run("/usr/bin/redis-cli", args + words, environment: env, timeout: .seconds(20))
        guard result.code == 0 else { throw ChildProcessError("redis-cli failed (\(result.code)): \(result.stderr.suffix(300))") }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Starts `MONITOR` as `user` in the background: every command the server runs from then on, as it shows them.
    public func monitor(user: String, password: String) throws -> ChildProcess {
        try ChildProcess("/usr/bin/redis-cli", ["-h", "127.0.0.1", "-p", "\(port)", "--no-auth-warning", "--user", user, "monitor"],
                         environment: ["REDISCLI_AUTH": password], directory: folder)
    }

    public var log: String { server.stdout }
    public var isRunning: Bool { server.isRunning }

    /// `SHUTDOWN NOSAVE` as the bench's superuser, SIGKILL after 10 s; always waited for. Removes
    /// the folder. (Not a signal: a test process may block SIGTERM and SIGINT, and a child started
    /// through Foundation's Process inherits that mask; Redis, unlike PostgreSQL, does not undo it.)
    public func stop() async {
        if server.isRunning { _ = try? await cli(["SHUTDOWN", "NOSAVE"], user: Self.superuser, password: superuserPassword) }
        await server.waitForExit(timeout: .seconds(10))
        try? FileManager.default.removeItem(at: folder)
    }

    /// SIGKILL, keeping the folder: `restart` brings it back with its ACL file.
    public func crash() async {
        server.signal(SIGKILL)
        await server.waitForExit(timeout: .seconds(10))
    }

    public func restart() async throws { try await start() }
}

extension LocalRedis {
    static func sha256(_ text: String) -> String { SHA256.hash(data: Array(text.utf8)).map { String(format: "%02x", $0) }.joined() }
}
