import LockstepCore
import LockstepCrypto
import PostgresNIO

/// The alternating-users protocol on a PostgreSQL server, as a credential source
/// (``PostgresServer``). The value is the consumer's `DATABASE_URL`; its user is the active one
/// of the policy's two. `mint` gives the idle user a new password (sent as a SCRAM verifier),
/// proves it with a real login, and answers the URL moved to that user; the active user is not
/// touched, so every pod still on the old URL keeps connecting. `retire` (after promotion, once no
/// pod that started with the old URL is left) sets a password no one holds on the old URL's user,
/// ends that user's sessions, and checks that the old URL is refused.
public struct PostgresPasswordSource: LoginCheckingSource {
    let server: PostgresServer
    let adminPassword: SecretBytes
    let calls: PostgresCalls
    let checks: RefusalChecks

    public init(server: PostgresServer, adminPassword: SecretBytes, timeout: Duration = .seconds(10), checks: RefusalChecks = RefusalChecks(count: 5, pause: .milliseconds(200))) {
        self.server = server
        self.adminPassword = adminPassword
        calls = PostgresCalls(server: server, timeout: timeout)
        self.checks = checks
    }

    public func preflight(current: SecretBytes) async throws -> String {
        let url = try parse(current, "the current value")
        guard server.users.contains(url.user) else {
            throw ProviderError(.mismatch, status: nil, "the current URL's user \(url.user) is not one of the policy's users (\(server.users.joined(separator: ", "))): "
                + "import the URL the consumer uses (lockstep credential import), or list its user in spec.credential.postgres.users")
        }
        let users = server.users
        let rights = try await calls.asAdmin(text(adminPassword), "reading the rights of \(server.adminUser) and the users") { connection in
            var admin: (superuser: Bool, createRole: Bool, signal: Bool)?
            for try await (superuser, createRole, signal) in try await calls.query(connection, """
                SELECT rolsuper, rolcreaterole, pg_has_role(current_user, 'pg_signal_backend', 'MEMBER') FROM pg_roles WHERE rolname = current_user
                """).decode((Bool, Bool, Bool).self) {
                admin = (superuser, createRole, signal)
            }
            var found: [String: (login: Bool, superuser: Bool)] = [:]
            for try await (name, login, superuser) in try await calls.query(connection, "SELECT rolname, rolcanlogin, rolsuper FROM pg_roles WHERE rolname = ANY(\(users))")
                .decode((String, Bool, Bool).self) {
                found[name] = (login, superuser)
            }
            return Rights(admin: admin, users: found)
        }
        try rights.check(server)
        guard try await calls.logsIn(url.user, url.password, database: server.adminDatabase) else {
            throw ProviderError(.mismatch, status: nil, "\(server.label) refuses the vault's current URL (\(url)): the password of \(url.user) was changed outside Lockstep; "
                + "import the URL the consumer uses (lockstep credential import)")
        }
        let idle = try idleUser(after: url.user)
        // A server that lets a wrong password in (pg_hba.conf `trust`) cannot refuse an old one.
        guard try await !calls.logsIn(idle, text(try GeneratedPassword.make()), database: server.adminDatabase) else {
            throw ProviderError(.mismatch, status: nil, "\(server.label) let \(idle) log in with a random password: its pg_hba.conf does not check passwords for it (trust?), "
                + "so a rotation could not make the old password fail; use scram-sha-256")
        }
        return "\(server.label): the current URL logs in as \(url.user), \(idle) will get the new password"
    }

    public func mint(replacing current: SecretBytes) async throws -> SecretBytes {
        let url = try parse(current, "the current value")
        let idle = try idleUser(after: url.user)
        let password = text(try GeneratedPassword.make())
        try await setPassword(of: idle, to: password, "setting the new password of \(idle)")
        let minted = DatabaseURL(user: idle, password: password, replacingLoginOf: url)
        guard try await calls.logsIn(idle, password, database: server.adminDatabase) else {
            throw ProviderError(.mismatch, status: nil, "\(server.label) refused the password just set for \(idle): someone else is changing it")
        }
        return try minted.value()
    }

    public func retire(_ old: SecretBytes, keeping current: SecretBytes) async throws -> String {
        let oldURL = try parse(old, "the old value")
        let currentURL = try parse(current, "the current value")
        guard oldURL.user != currentURL.user else {
            throw ProviderError(.mismatch, status: nil, "the old and the current URL both log in as \(currentURL.user): retiring the old one would lock the consumer out; "
                + "each rotation moves to the other user, so the vault's versions were not made by this policy")
        }
        guard try await calls.logsIn(currentURL.user, currentURL.password, database: server.adminDatabase) else {
            throw ProviderError(.mismatch, status: nil, "\(server.label) refuses the current URL (\(currentURL)) before the old one is retired: nothing was changed")
        }
        let user = oldURL.user
        try await setPassword(of: user, to: text(try GeneratedPassword.make()), "setting a password no one holds on \(user)")
        let ended = try await calls.asAdmin(text(adminPassword), "ending the sessions of \(user)") { connection in
            var count = 0
            for try await _ in try await calls.query(connection, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = \(user) AND pid <> pg_backend_pid()") {
                count += 1
            }
            return count
        }
        try await checks.confirm("a new password was set on \(user)", provider: server.label) {
            try await !calls.logsIn(user, oldURL.password, database: server.adminDatabase)
        }
        return "\(user) of \(server.label) has a password no one holds (\(ended) session(s) ended), \(currentURL.user) (current) kept; the old URL is refused"
    }

    public func accepts(_ value: SecretBytes) async throws -> Bool {
        let url = try parse(value, "the value")
        return try await calls.logsIn(url.user, url.password, database: server.adminDatabase)
    }

    private func setPassword(of user: String, to password: String, _ doing: String) async throws {
        let verifier = try ScramVerifier.make(password: password)
        _ = try await calls.asAdmin(text(adminPassword), doing) { connection in
            // A utility statement takes no parameters: the verifier (Base64, digits, `$` and `:`) is a literal.
            _ = try await calls.query(connection, PostgresQuery(unsafeSQL: "ALTER ROLE \(PostgresCalls.identifier(user)) PASSWORD '\(verifier)'"))
            return true
        }
    }

    private func idleUser(after active: String) throws -> String {
        guard let idle = server.users.first(where: { $0 != active }) else {
            throw ProviderError(.mismatch, status: nil, "the policy names no second user to alternate with \(active)")
        }
        return idle
    }

    private func parse(_ value: SecretBytes, _ what: String) throws -> DatabaseURL {
        guard let url = DatabaseURL(value) else { throw ProviderError(.mismatch, status: nil, "\(what) of the credential: \(DatabaseURL.malformed)") }
        return url
    }

    private func text(_ secret: SecretBytes) -> String {
        secret.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
    }
}

/// What preflight read of the admin login's rights and the two users.
private struct Rights: Sendable {
    let admin: (superuser: Bool, createRole: Bool, signal: Bool)?
    let users: [String: (login: Bool, superuser: Bool)]

    func check(_ server: PostgresServer) throws {
        guard let admin else { throw ProviderError(.notFound, status: nil, "\(server.label): the admin login \(server.adminUser) has no role row") }
        if !admin.superuser {
            guard admin.createRole else {
                throw ProviderError(.forbidden, status: nil, "\(server.label): \(server.adminUser) may not change other roles' passwords: "
                    + "ALTER ROLE \(server.adminUser) CREATEROLE (PostgreSQL 16 and later: and GRANT each user TO it WITH ADMIN OPTION)")
            }
            guard admin.signal else {
                throw ProviderError(.forbidden, status: nil, "\(server.label): \(server.adminUser) may not end the old user's sessions: GRANT pg_signal_backend TO \(server.adminUser)")
            }
        }
        for user in server.users {
            guard let found = users[user] else {
                throw ProviderError(.notFound, status: nil, "\(server.label): no role \(user): CREATE ROLE \(user) LOGIN IN ROLE <the owner of the gateway's tables>")
            }
            guard found.login else { throw ProviderError(.forbidden, status: nil, "\(server.label): role \(user) cannot log in: ALTER ROLE \(user) LOGIN") }
            guard !found.superuser || admin.superuser else {
                throw ProviderError(.forbidden, status: nil, "\(server.label): \(user) is a superuser, whose password only a superuser may change; make it an ordinary role")
            }
        }
    }
}
