/// A PostgreSQL server whose gateway login Lockstep rotates by **alternating users** (the
/// pattern of AWS Secrets Manager's alternating-users rotation; docs/servers.md): two login roles
/// (`litellm_a`, `litellm_b`), members of one role that owns the gateway's tables. The credential's
/// value is the consumer's whole `DATABASE_URL`; a rotation gives the idle role a new password,
/// checks it with a real login, moves the URL to that role, rolls the consumer, and once no pod
/// that started with the old URL is left, sets a password no one holds on the role used before and
/// ends its sessions, so that the old URL is refused.
public struct PostgresServer: Sendable, Equatable {
    public enum TLS: String, Sendable, Equatable, CaseIterable {
        /// No TLS (a server on loopback or inside the pod network only).
        case disable
        /// TLS with the server's certificate verified against the system's trust store and its name.
        case verifyFull = "verify-full"
    }

    /// Where Lockstep reaches the server (the consumer's URL may name another address for the same server).
    public let host: String
    public let port: Int
    /// The database Lockstep's admin connection opens (`postgres` by default).
    public let adminDatabase: String
    /// The admin login Lockstep uses: a role with CREATEROLE (PostgreSQL 16 and later: with ADMIN
    /// OPTION on both users) and membership in `pg_signal_backend`, or a superuser.
    public let adminUser: String
    /// The vault credential holding the admin login's password (never in the policy).
    public let adminPassword: CredentialName
    /// The two login roles the consumer alternates between.
    public let users: [String]
    public let tls: TLS

    public init(host: String, port: Int = 5432, adminDatabase: String = "postgres", adminUser: String, adminPassword: CredentialName, users: [String], tls: TLS = .disable) {
        self.host = host
        self.port = port
        self.adminDatabase = adminDatabase
        self.adminUser = adminUser
        self.adminPassword = adminPassword
        self.users = users
        self.tls = tls
    }

    /// For people and audit entries: `PostgreSQL 127.0.0.1:5432` (no password anywhere).
    public var label: String { "PostgreSQL \(host):\(port)" }
}

/// A Redis server (6 or later) whose ACL user the gateway logs in as (LiteLLM's `REDIS_PASSWORD`).
/// An ACL user accepts several passwords at once, so the overlap is native: a rotation adds the
/// new password (`ACL SETUSER user #<sha256>`, never the plaintext), checks it with a real `AUTH`,
/// moves the consumer, rolls it, and once no old pod is left removes the old password and checks
/// that `AUTH` refuses it. Every change is saved (`ACL SAVE` with an ACL file, else `CONFIG REWRITE`)
/// so that a restart of the server does not bring the old password back or lose the new one.
public struct RedisServer: Sendable, Equatable {
    public let host: String
    public let port: Int
    /// The ACL user whose password the consumer holds.
    public let user: String
    /// The ACL user Lockstep signs in as: it may run `ACL` (the `@admin` category) and `CONFIG REWRITE`.
    public let adminUser: String
    /// The vault credential holding the admin user's password.
    public let adminPassword: CredentialName

    public init(host: String, port: Int = 6379, user: String, adminUser: String, adminPassword: CredentialName) {
        self.host = host
        self.port = port
        self.user = user
        self.adminUser = adminUser
        self.adminPassword = adminPassword
    }

    public var label: String { "Redis \(host):\(port)" }
}
