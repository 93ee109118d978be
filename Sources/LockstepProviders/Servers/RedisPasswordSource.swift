import Crypto
import LockstepCore
import LockstepCrypto

/// A Redis ACL user's password as a credential source (``RedisServer``). An ACL user accepts each
/// of its passwords, so the old and the new one overlap natively: `mint` adds the new password,
/// `retire` removes the old one, each by its SHA-256 (`#<hash>`, `!<hash>`), so that no password
/// reaches the server's `MONITOR` stream, its slow log or its ACL file; only `AUTH` carries one
/// (which `MONITOR` does not show). Every change is saved before it counts: `ACL SAVE` when the
/// server keeps its users in an ACL file, else `CONFIG REWRITE`; a server that can do neither
/// would forget the new password at its next restart, and the change is taken back.
public struct RedisPasswordSource: LoginCheckingSource {
    let server: RedisServer
    let adminPassword: SecretBytes
    let timeout: Duration
    let checks: RefusalChecks

    public init(server: RedisServer, adminPassword: SecretBytes, timeout: Duration = .seconds(10), checks: RefusalChecks = RefusalChecks(count: 5, pause: .milliseconds(200))) {
        self.server = server
        self.adminPassword = adminPassword
        self.timeout = timeout
        self.checks = checks
    }

    public func preflight(current: SecretBytes) async throws -> String {
        let user = try await admin("reading ACL user \(server.user)") { c in try await Self.getUser(&c, server) }
        guard !user.flags.contains("nopass") else {
            throw ProviderError(.mismatch, status: nil, "\(server.label): ACL user \(server.user) is nopass (any password logs in), so a rotation could not make the old one fail: "
                + "ACL SETUSER \(server.user) resetpass >… and import that password")
        }
        guard user.flags.contains("on") else { throw ProviderError(.mismatch, status: nil, "\(server.label): ACL user \(server.user) is off: it cannot log in at all") }
        let saving = try await admin("reading where the server keeps its ACL") { c in try await Self.persistence(&c, server) }
        guard try await logsIn(current) else {
            throw ProviderError(.mismatch, status: nil, "\(server.label) refuses the vault's current password of \(server.user): it was changed outside Lockstep; "
                + "import the password the consumer uses (lockstep credential import)")
        }
        return "\(server.label): \(server.user) has \(user.passwords.count) password(s), the current one logs in; changes are saved with \(saving.command)"
    }

    public func mint(replacing current: SecretBytes) async throws -> SecretBytes {
        let password = try GeneratedPassword.make()
        let hash = try Self.sha256(password)
        try await admin("adding a password to \(server.user)") { c in
            try Self.expectOK(try await c.call("ACL", "SETUSER", server.user, "#\(hash)"), "ACL SETUSER \(server.user) #…", server)
            do { try await Self.save(&c, server) } catch {
                // Not kept: a restart would drop it while the consumer uses it. Taken back.
                _ = try? await c.call("ACL", "SETUSER", server.user, "!\(hash)")
                throw error
            }
        }
        guard try await logsIn(password) else {
            throw ProviderError(.mismatch, status: nil, "\(server.label) refused the password just added to \(server.user): someone else is changing the user")
        }
        return password
    }

    public func retire(_ old: SecretBytes, keeping current: SecretBytes) async throws -> String {
        guard try await logsIn(current) else {
            throw ProviderError(.mismatch, status: nil, "\(server.label) refuses the current password of \(server.user) before the old one is removed: nothing was changed")
        }
        let hash = try Self.sha256(old)
        let removed = try await admin("removing the old password of \(server.user)") { c in
            let user = try await Self.getUser(&c, server)
            guard user.passwords.contains(hash) else { return false }
            try Self.expectOK(try await c.call("ACL", "SETUSER", server.user, "!\(hash)"), "ACL SETUSER \(server.user) !…", server)
            try await Self.save(&c, server)
            return true
        }
        try await checks.confirm("the old password was removed from \(server.user)", provider: server.label) { try await !logsIn(old) }
        return removed ? "the old password removed from \(server.user) of \(server.label), the current one kept; AUTH refuses the old one"
                       : "the old password was no longer one of \(server.user)'s (removed before); AUTH refuses it"
    }

    public func accepts(_ value: SecretBytes) async throws -> Bool { try await logsIn(value) }

    /// `AUTH user password` on a new connection: true on OK, false on WRONGPASS, an error otherwise.
    private func logsIn(_ password: SecretBytes) async throws -> Bool {
        try await session("a login as \(server.user)") { c in
            switch try await c.call([.text("AUTH"), .text(server.user), .secret(password)]) {
            case .simple("OK"): return true
            case .error(let e) where e.hasPrefix("WRONGPASS"): return false
            case .error(let e): throw ProviderError(.unexpected, status: nil, "\(server.label): AUTH \(server.user): \(Self.code(of: e))")
            default: throw ProviderError(.unexpected, status: nil, "\(server.label): AUTH \(server.user): an unexpected reply")
            }
        }
    }

    /// Runs `body` signed in as the admin user.
    private func admin<T: Sendable>(_ doing: String, _ body: @escaping @Sendable (inout RESPConnection) async throws -> T) async throws -> T {
        try await session(doing) { c in
            switch try await c.call([.text("AUTH"), .text(server.adminUser), .secret(adminPassword)]) {
            case .simple("OK"): break
            case .error(let e) where e.hasPrefix("WRONGPASS"):
                throw ProviderError(.unauthorized, status: nil, "\(server.label): the admin user \(server.adminUser) was refused: update the vault credential \(server.adminPassword)")
            case .error(let e): throw ProviderError(.unexpected, status: nil, "\(server.label): AUTH \(server.adminUser): \(Self.code(of: e))")
            default: throw ProviderError(.unexpected, status: nil, "\(server.label): AUTH \(server.adminUser): an unexpected reply")
            }
            return try await body(&c)
        }
    }

    private func session<T: Sendable>(_ doing: String, _ body: @escaping @Sendable (inout RESPConnection) async throws -> T) async throws -> T {
        let (host, port, timeout) = (server.host, server.port, timeout)
        do {
            return try await ServerDeadline.run(timeout, doing, at: server.label) {
                try await RESPConnection.with(host: host, port: port, connectTimeout: timeout) { c in try await body(&c) }
            }
        } catch let error as ProviderError {
            throw error
        } catch {
            throw ProviderError(.unavailable, status: nil, "\(server.label): \(doing): \(PostgresCalls.name(of: error))")
        }
    }

    struct ACLUser: Sendable {
        let flags: [String]
        /// SHA-256 hashes, hex.
        let passwords: [String]
    }

    private static func getUser(_ c: inout RESPConnection, _ server: RedisServer) async throws -> ACLUser {
        let reply = try await c.call("ACL", "GETUSER", server.user)
        if case .error(let e) = reply { throw refusal(e, "ACL GETUSER \(server.user)", server) }
        guard case .array(let fields?) = reply else {
            throw ProviderError(.notFound, status: nil, "\(server.label): no ACL user \(server.user): ACL SETUSER \(server.user) on >… ~* +@all (the commands the gateway needs)")
        }
        var flags: [String] = [], passwords: [String] = []
        var i = 0
        while i + 1 < fields.count {
            let list = { () -> [String] in if case .array(let items?) = fields[i + 1] { return items.compactMap(\.text) } else { return [] } }()
            switch fields[i].text {
            case "flags": flags = list
            case "passwords": passwords = list
            default: break
            }
            i += 2
        }
        return ACLUser(flags: flags, passwords: passwords)
    }

    /// How changes are kept across a restart of the server.
    private enum Persistence {
        case aclFile, configFile
        var command: String { self == .aclFile ? "ACL SAVE" : "CONFIG REWRITE" }
    }

    private static func persistence(_ c: inout RESPConnection, _ server: RedisServer) async throws -> Persistence {
        let reply = try await c.call("CONFIG", "GET", "aclfile")
        if case .error(let e) = reply { throw refusal(e, "CONFIG GET aclfile", server) }
        guard case .array(let items?) = reply, items.count == 2, let file = items[1].text else {
            throw ProviderError(.unexpected, status: nil, "\(server.label): CONFIG GET aclfile: an unexpected reply")
        }
        return file.isEmpty ? .configFile : .aclFile
    }

    private static func save(_ c: inout RESPConnection, _ server: RedisServer) async throws {
        let how = try await persistence(&c, server)
        let reply = how == .aclFile ? try await c.call("ACL", "SAVE") : try await c.call("CONFIG", "REWRITE")
        if case .error(let e) = reply {
            throw ProviderError(.forbidden, status: nil, "\(server.label): \(how.command) failed (\(code(of: e))): the change would be lost when Redis restarts; "
                + "start Redis with an aclfile or a config file it may rewrite, and let \(server.adminUser) run \(how.command)")
        }
    }

    private static func expectOK(_ reply: RESPReply, _ command: String, _ server: RedisServer) throws {
        if case .simple("OK") = reply { return }
        if case .error(let e) = reply { throw refusal(e, command, server) }
        throw ProviderError(.unexpected, status: nil, "\(server.label): \(command): an unexpected reply")
    }

    /// A refused command: NOPERM is a missing right, anything else the server's error code.
    private static func refusal(_ error: String, _ command: String, _ server: RedisServer) -> ProviderError {
        if error.hasPrefix("NOPERM") {
            return ProviderError(.forbidden, status: nil, "\(server.label): \(server.adminUser) may not run \(command) (NOPERM): ACL SETUSER \(server.adminUser) +@admin")
        }
        return ProviderError(.unexpected, status: nil, "\(server.label): \(command): \(code(of: error))")
    }

    /// The error's code and message as the server sent it, cut at 200 characters. Redis puts no
    /// argument of a command into its errors, except an ACL SETUSER modifier, which here is a hash.
    static func code(of error: String) -> String { String(error.prefix(200)) }

    static func sha256(_ secret: SecretBytes) throws -> String {
        Hex.encode(Array(secret.withUnsafeBytes { SHA256.hash(data: $0) }))
    }
}
