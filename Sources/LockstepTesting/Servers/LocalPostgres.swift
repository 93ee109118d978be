import Foundation

/// A real PostgreSQL server (Debian's `postgresql`) for a test: a fresh cluster in a temporary
/// folder, listening on 127.0.0.1 only, password authentication (scram-sha-256) for every
/// connection, every statement logged (so a test can read the log for passwords); stopped by PID.
/// As root, initdb and the server run as the `postgres` system user (PostgreSQL refuses root).
public final class LocalPostgres: @unchecked Sendable {
    public let port: Int
    public let superuser = "bench_super"
    /// The superuser's password (a test's own, random).
    public let superuserPassword: String
    public let folder: URL
    private var server: ChildProcess!
    private let bin: String
    private let options: [String]

    /// The newest installed server's programs: /usr/lib/postgresql/N/bin.
    public static var binDirectory: String? {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init).sorted()
        guard let newest = versions.last else { return nil }
        let bin = "\(root)/\(newest)/bin"
        return FileManager.default.isExecutableFile(atPath: bin + "/postgres") ? bin : nil
    }

    public static var available: Bool { binDirectory != nil && FileManager.default.isExecutableFile(atPath: "/usr/bin/psql") }

    /// `settings`: extra `-c name=value` server settings.
    public init(settings: [String] = []) async throws {
        guard let bin = Self.binDirectory else { throw ChildProcessError("PostgreSQL is not installed (apt-get install postgresql; scripts/setup does)") }
        self.bin = bin
        folder = try TestEnvironment.temporaryFolder("lockstep-pg")
        superuserPassword = UUID().uuidString.replacingOccurrences(of: "-", with: "")
        let data = folder.appendingPathComponent("data").path
        let pwfile = folder.appendingPathComponent("pw").path
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.path)
        guard FileManager.default.createFile(atPath: pwfile, contents: Data(superuserPassword.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw ChildProcessError("cannot write \(pwfile)")
        }
        try Self.ownForServer(folder.path)
        try Self.ownForServer(pwfile)
        let initdb = try await ChildProcess.run(Self.asServerUser("\(bin)/initdb"), Self.asServerUserArgs(["\(bin)/initdb", "-D", data, "-U", superuser,
                                                "--auth=scram-sha-256", "--pwfile=\(pwfile)", "-E", "UTF8", "--no-sync", "--no-instructions"]))
        guard initdb.code == 0 else { throw ChildProcessError("initdb failed (\(initdb.code)): \(initdb.stderr.suffix(600))") }
        try? FileManager.default.removeItem(atPath: pwfile)
        port = try freePort()
        options = ["-D", data, "-p", "\(port)", "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=\(folder.path)",
                   "-c", "fsync=off", "-c", "log_statement=all", "-c", "log_connections=on"] + settings.flatMap { ["-c", $0] }
        try await start()
    }

    private func start() async throws {
        server = try ChildProcess(Self.asServerUser("\(bin)/postgres"), Self.asServerUserArgs(["\(bin)/postgres"] + options), directory: folder)
        let (bin, port, server) = (bin, port, server!)
        let ready = await eventually(timeout: .seconds(30), every: .milliseconds(100)) {
            guard server.isRunning else { return true }
            return (try? await ChildProcess.run("\(bin)/pg_isready", ["-h", "127.0.0.1", "-p", "\(port)", "-q"]).code) == 0
        }
        guard ready, server.isRunning else {
            let log = server.stderr.suffix(800)
            await stop()
            throw ChildProcessError("PostgreSQL on 127.0.0.1:\(port) was not ready within 30 s: \(log)")
        }
    }

    /// Starts the server again on its data and port, after `crash`.
    public func restart() async throws { try await start() }

    /// Runs `sql` as the superuser through psql (the statement on stdin, the password in the environment, neither in argv); throws on an error.
    @discardableResult
    public func sql(_ sql: String, database: String = "postgres", user: String? = nil, password: String? = nil) async throws -> String {
        // The statement on stdin: a bench's CREATE ROLE … PASSWORD never reaches argv.
        let result = try await ChildProcess.run("/usr/bin/psql", ["-h", "127.0.0.1", "-p", "\(port)", "-U", user ?? superuser, "-d", database,
                                                                  "-v", "ON_ERROR_STOP=1", "-X", "-q", "-A", "-t", "-f", "-"],
                                                environment: ["PGPASSWORD": password ?? superuserPassword, "PGCONNECT_TIMEOUT": "5"], stdin: Data(sql.utf8))
        guard result.code == 0 else { throw ChildProcessError("psql failed (\(result.code)): \(result.stderr.suffix(400))") }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `pg_dumpall --roles-only` as the superuser: what a dump of the cluster's roles holds.
    public func dumpRoles() async throws -> String {
        let result = try await ChildProcess.run("\(bin)/pg_dumpall", ["-h", "127.0.0.1", "-p", "\(port)", "-U", superuser, "--roles-only"],
                                                environment: ["PGPASSWORD": superuserPassword])
        guard result.code == 0 else { throw ChildProcessError("pg_dumpall failed: \(result.stderr.suffix(400))") }
        return result.stdout
    }

    /// The server's log so far (every statement, every connection).
    public var log: String { server.stderr }
    public var isRunning: Bool { server.isRunning }

    /// Fast shutdown (SIGINT), SIGKILL after 10 s; always waited for. Removes the folder.
    public func stop() async {
        if server.isRunning { server.signal(SIGINT) }
        await server.waitForExit(timeout: .seconds(10))
        try? FileManager.default.removeItem(at: folder)
    }

    /// Kills the server (SIGKILL) but keeps its data: a test brings it back with `restart`.
    public func crash() async {
        server.signal(SIGKILL)
        await server.waitForExit(timeout: .seconds(10))
    }

    private static var isRoot: Bool { getuid() == 0 }
    private static func asServerUser(_ program: String) -> String { isRoot ? "/usr/bin/setpriv" : program }
    private static func asServerUserArgs(_ command: [String]) -> [String] {
        isRoot ? ["--reuid=postgres", "--regid=postgres", "--init-groups", "--"] + command : Array(command.dropFirst())
    }

    private static func ownForServer(_ path: String) throws {
        guard isRoot else { return }
        guard let user = getpwnam("postgres") else { throw ChildProcessError("no postgres system user (Debian's postgresql package creates it)") }
        guard chown(path, user.pointee.pw_uid, user.pointee.pw_gid) == 0 else { throw ChildProcessError("cannot give \(path) to the postgres user") }
    }
}
