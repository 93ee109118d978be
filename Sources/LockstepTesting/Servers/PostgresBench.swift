import Foundation
import LockstepCore
import LockstepCrypto

/// A real PostgreSQL with the alternating-users layout of docs/servers.md: an owner role
/// `litellm_owner` (NOLOGIN) owning the database `litellm`, two login roles `litellm_a` and
/// `litellm_b` that are its members, and an admin login `lockstep_admin` with CREATEROLE and
/// pg_signal_backend, not a superuser. The consumer starts on `litellm_a`.
public struct PostgresBench: Sendable {
    public let server: LocalPostgres
    public let adminPassword: String
    /// The consumer's URL before any rotation.
    public let firstURL: String
    public let firstPassword: String

    public static func start(adminRights: String = "CREATEROLE", signalBackend: Bool = true) async throws -> PostgresBench {
        let server = try await LocalPostgres()
        do {
            let admin = Self.password(), a = Self.password(), b = Self.password()
            try await server.sql("CREATE ROLE litellm_owner NOLOGIN")
            try await server.sql("CREATE DATABASE litellm OWNER litellm_owner")
            try await server.sql("CREATE ROLE litellm_a LOGIN IN ROLE litellm_owner PASSWORD '\(a)'")
            try await server.sql("CREATE ROLE litellm_b LOGIN IN ROLE litellm_owner PASSWORD '\(b)'")
            try await server.sql("CREATE ROLE lockstep_admin LOGIN \(adminRights) PASSWORD '\(admin)'")
            if signalBackend { try await server.sql("GRANT pg_signal_backend TO lockstep_admin") }
            return PostgresBench(server: server, adminPassword: admin, firstURL: "postgresql://litellm_a:\(a)@127.0.0.1:\(server.port)/litellm", firstPassword: a)
        } catch {
            await server.stop()
            throw error
        }
    }

    /// Runs `body` on a fresh bench and stops its server after, whatever `body` did.
    public static func with(adminRights: String = "CREATEROLE", signalBackend: Bool = true, _ body: (PostgresBench) async throws -> Void) async throws {
        let bench = try await start(adminRights: adminRights, signalBackend: signalBackend)
        do { try await body(bench) } catch {
            await bench.server.stop()
            throw error
        }
        await bench.server.stop()
    }

    /// Puts the first URL's password back on litellm_a and a fresh one on litellm_b, ending their sessions (between runs of one test).
    public func reset() async throws {
        try await server.sql("ALTER ROLE litellm_a PASSWORD '\(firstPassword)'")
        try await server.sql("ALTER ROLE litellm_b PASSWORD '\(Self.password())'")
        try await server.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename IN ('litellm_a', 'litellm_b')")
    }

    public static func password() -> String { Hex.encode(SecureRandom.bytes(16)) }

    public var policy: PostgresServer {
        PostgresServer(host: "127.0.0.1", port: server.port, adminUser: "lockstep_admin", adminPassword: try! CredentialName("postgres-admin"), users: ["litellm_a", "litellm_b"])
    }


    /// Whether `url`'s login works, asked through psql (not through the code under test).
    public func logsIn(_ url: SecretBytes) async throws -> Bool {
        let text = url.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
        let result = try await ChildProcess.run("/usr/bin/psql", ["-X", "-q", "-t", "-c", "SELECT 1"],
                                                environment: ["PGDATABASE": "litellm", "PGHOST": "127.0.0.1", "PGPORT": "\(server.port)",
                                                              "PGUSER": Self.user(of: text), "PGPASSWORD": Self.password(of: text), "PGCONNECT_TIMEOUT": "5"])
        if result.code == 0 { return true }
        guard result.stderr.contains("password authentication failed") else { throw ChildProcessError("psql: \(result.stderr.suffix(300))") }
        return false
    }

    public static func user(of url: String) -> String { String(url.split(separator: "//")[1].split(separator: ":")[0]) }
    public static func password(of url: String) -> String { String(url.split(separator: "//")[1].split(separator: "@")[0].split(separator: ":")[1]) }
}
