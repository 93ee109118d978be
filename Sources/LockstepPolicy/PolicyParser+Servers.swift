import LockstepCore
import Yams

extension PolicyParser {
    /// `spec.credential.postgres`: where Lockstep reaches the server, its admin login (the password
    /// is a credential in the vault, never here), and the two users the consumer alternates between.
    func parsePostgres(_ node: Node) -> PostgresServer? {
        let path = "spec.credential.postgres"
        guard let p = r.object(node, path: path, known: ["host", "port", "adminDatabase", "adminUser", "adminPasswordCredential", "users", "tls"]) else { return nil }
        let host = serverHost(p, path: path)
        let port = p.node("port") == nil ? 5432 : p.int("port", in: 1...65535)
        let database = p.string("adminDatabase") ?? "postgres"
        let admin = p.string("adminUser", required: true, hint: "a role with CREATEROLE and pg_signal_backend, e.g. lockstep_admin")
        let password = credential(p, "adminPasswordCredential", hint: "the vault credential holding the admin login's password, e.g. postgres-admin", example: "postgres-admin")
        for (key, value) in [("adminUser", admin), ("adminDatabase", database)] {
            if let value, !Self.isRoleName(value) {
                r.problem(p.node(key) ?? p.node, "\(path).\(key) \"\(value)\" must be lowercase letters, digits and _, starting with a letter or _ (at most 63)",
                          hint: "Lockstep quotes it as an SQL identifier and allows no quote in one")
            }
        }
        let hint = "two login roles, members of the role that owns the gateway's tables: users: [litellm_a, litellm_b]"
        var users: [String] = []
        if let list = p.sequence("users") ?? { _ = p.required("users", hint: hint); return nil }() {
            users = list.compactMap { item in
                guard let name = item.scalar?.string, Self.isRoleName(name) else {
                    r.problem(item, "\(path).users entries must be role names: lowercase letters, digits and _, starting with a letter or _", hint: hint)
                    return nil
                }
                return name
            }
            if users.count != 2 || Set(users).count != 2 {
                r.problem(p.node("users") ?? p.node, "\(path).users must name exactly two different users (alternating users)",
                          hint: hint + "; one user alone cannot rotate without failed connections, and this Lockstep does not do it")
            }
            if let admin, users.contains(admin) { r.problem(p.node("users") ?? p.node, "\(path).users must not include the admin login \(admin)") }
        }
        var tls = PostgresServer.TLS.disable
        if let text = p.string("tls") {
            if let t = PostgresServer.TLS(rawValue: text) { tls = t } else {
                r.problem(p.node("tls") ?? p.node, "\(path).tls \"\(text)\" is not one of: \(PostgresServer.TLS.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        if let host, tls == .disable, !Self.isLoopback(host) {
            r.problem(p.node("tls") ?? p.node, "\(path): the admin password would cross the network to \(host) without TLS", hint: "tls: verify-full (disable only on 127.0.0.1, for a test bench)")
        }
        guard let host, let port, let admin, let password, users.count == 2, Set(users).count == 2 else { return nil }
        return PostgresServer(host: host, port: port, adminDatabase: database, adminUser: admin, adminPassword: password, users: users, tls: tls)
    }

    /// `spec.credential.redis`: where Lockstep reaches the server, the ACL user the consumer logs
    /// in as, and the admin user Lockstep signs in as (its password a credential in the vault).
    func parseRedis(_ node: Node) -> RedisServer? {
        let path = "spec.credential.redis"
        guard let p = r.object(node, path: path, known: ["host", "port", "user", "adminUser", "adminPasswordCredential"]) else { return nil }
        let host = serverHost(p, path: path)
        let port = p.node("port") == nil ? 6379 : p.int("port", in: 1...65535)
        let user = p.string("user", required: true, hint: "the ACL user the gateway logs in as, e.g. litellm")
        let admin = p.string("adminUser", required: true, hint: "an ACL user that may run ACL and CONFIG REWRITE, e.g. lockstep-admin")
        let password = credential(p, "adminPasswordCredential", hint: "the vault credential holding the admin user's password, e.g. redis-admin", example: "redis-admin")
        for (key, value) in [("user", user), ("adminUser", admin)] {
            if let value, value.isEmpty || value.count > 128 || !value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) {
                r.problem(p.node(key) ?? p.node, "\(path).\(key) \"\(value)\" may hold only letters, digits, - _ and . (at most 128)")
            }
        }
        if let user, user == admin { r.problem(p.node("adminUser") ?? p.node, "\(path).adminUser must differ from the user whose password rotates") }
        if user == "default" { r.problem(p.node("user") ?? p.node, "\(path).user must be an ACL user of its own, not default", hint: "ACL SETUSER litellm on >… ~* +@all") }
        guard let host, let port, let user, let admin, let password else { return nil }
        return RedisServer(host: host, port: port, user: user, adminUser: admin, adminPassword: password)
    }

    private func serverHost(_ p: YAMLReader.Object, path: String) -> String? {
        guard let host = p.string("host", required: true, hint: "the server's address as Lockstep reaches it, e.g. postgres.db.svc.cluster.local") else { return nil }
        guard !host.isEmpty, host.count <= 253, host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-.:".contains($0)) }) else {
            r.problem(p.node("host") ?? p.node, "\(path).host \"\(host)\" is not a host name or an IP address")
            return nil
        }
        return host
    }

    static func isRoleName(_ s: String) -> Bool {
        guard let first = s.first, first == "_" || (first.isASCII && first.isLowercase), s.count <= 63 else { return false }
        return s.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }
    }

    static func isLoopback(_ host: String) -> Bool { ["127.0.0.1", "localhost", "::1"].contains(host) }
}
