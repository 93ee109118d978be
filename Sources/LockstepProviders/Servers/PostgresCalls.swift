import Logging
import LockstepCore
import NIOSSL
import PostgresNIO

/// Connections to a PostgreSQL server for ``PostgresPasswordSource``: the admin login, and the
/// logins that check a user's password. Every call is bounded, and every error is turned into a
/// ``ProviderError`` naming the server, the user and the SQLSTATE, never a password or a URL
/// with one (PostgresNIO's own `debugDescription` shows the query, and is never used).
struct PostgresCalls: Sendable {
    let server: PostgresServer
    let timeout: Duration

    /// Events of PostgresNIO are not logged: its debug output names queries.
    private static let silent = Logger(label: "lockstep.postgres", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Opens a connection as `user`; the caller closes it.
    func connect(user: String, password: String, database: String) async throws -> PostgresConnection {
        var configuration = PostgresConnection.Configuration(host: server.host, port: server.port, username: user, password: password, database: database,
                                                             tls: try tls())
        configuration.options.connectTimeout = .seconds(Int64(timeout.components.seconds.clamped(1, 60)))
        configuration.options.additionalStartupParameters = [("application_name", "lockstep")]
        let config = configuration
        return try await ServerDeadline.run(timeout, "a login as \(user)", at: server.label) {
            try await PostgresConnection.connect(configuration: config, id: 1, logger: Self.silent)
        }
    }

    /// Runs `body` on a connection as the admin login, closing it after.
    func asAdmin<T: Sendable>(_ password: String, _ doing: String, _ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let connection: PostgresConnection
        do { connection = try await connect(user: server.adminUser, password: password, database: server.adminDatabase) } catch {
            throw classify(error, "signing in as the admin login \(server.adminUser)", admin: true)
        }
        do {
            let result = try await ServerDeadline.run(timeout, doing, at: server.label) { try await body(connection) }
            try? await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw classify(error, doing, admin: true)
        }
    }

    /// Whether `user` logs in with `password` now: false when the server refuses the password
    /// (SQLSTATE 28P01, which it also answers for a user that does not exist), an error otherwise.
    func logsIn(_ user: String, _ password: String, database: String) async throws -> Bool {
        do {
            let connection = try await connect(user: user, password: password, database: database)
            try? await connection.close()
            return true
        } catch let error as PSQLError where error.code == .server && error.serverInfo?[.sqlState] == "28P01" {
            return false
        } catch {
            throw classify(error, "a login as \(user)", admin: false)
        }
    }

    func query(_ connection: PostgresConnection, _ query: PostgresQuery) async throws -> PostgresRowSequence {
        try await connection.query(query, logger: Self.silent)
    }

    private func tls() throws -> PostgresConnection.Configuration.TLS {
        switch server.tls {
        case .disable: return .disable
        case .verifyFull: return .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
    }

    /// The error for a failure while `doing`: what the server answered (SQLSTATE and message), or
    /// that it did not answer.
    func classify(_ error: any Error, _ doing: String, admin: Bool) -> ProviderError {
        if let error = error as? ProviderError { return error }
        let at = "\(server.label): \(doing)"
        guard let error = error as? PSQLError else { return ProviderError(.unavailable, status: nil, "\(at): \(Self.name(of: error))") }
        guard error.code == .server, let state = error.serverInfo?[.sqlState] else {
            return ProviderError(.unavailable, status: nil, "\(at): no usable answer (\(error.code))")
        }
        let said = error.serverInfo?[.message].map { ": \($0)" } ?? ""
        switch state {
        case "28P01", "28000":
            let hint = admin ? "; update the vault credential \(server.adminPassword) (lockstep rotate \(server.adminPassword) --value-from-stdin) or pg_hba.conf" : ""
            return ProviderError(.unauthorized, status: nil, "\(at): refused (SQLSTATE \(state))\(said)\(hint)")
        case "42501":
            return ProviderError(.forbidden, status: nil, "\(at): permission denied (SQLSTATE 42501)\(said)")
        case "42704", "3D000":
            return ProviderError(.notFound, status: nil, "\(at): no such object (SQLSTATE \(state))\(said)")
        case "57P01", "57P02", "57P03", "53300":
            return ProviderError(.unavailable, status: nil, "\(at): the server is not accepting work (SQLSTATE \(state))\(said)")
        default:
            return ProviderError(.unexpected, status: nil, "\(at): SQLSTATE \(state)\(said)")
        }
    }

    /// A connection error's type and, for NIO's, its description (an address, never a credential).
    static func name(of error: any Error) -> String {
        let text = String(describing: error)
        return text.count <= 200 ? text : String(describing: type(of: error))
    }

    /// `"litellm_a"`: a role name quoted as an SQL identifier (names are checked by the policy to
    /// hold only lowercase letters, digits and `_`, so no quote can be in one).
    static func identifier(_ name: String) -> String { "\"\(name)\"" }
}

private extension Int64 {
    func clamped(_ low: Int64, _ high: Int64) -> Int64 { Swift.min(Swift.max(self, low), high) }
}
