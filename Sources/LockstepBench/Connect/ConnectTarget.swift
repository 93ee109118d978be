import Foundation

/// A server the gateway logs in to, as its pod's environment names it (LiteLLM's variables):
/// `DATABASE_URL` for PostgreSQL; `REDIS_HOST`, `REDIS_PORT`, `REDIS_USERNAME`, `REDIS_PASSWORD`
/// for Redis. Read once, at start, as a pod reads its environment. `description` shows no password.
public enum ConnectTarget: Sendable, CustomStringConvertible {
    case postgres(host: String, port: Int, user: String, password: String, database: String)
    case redis(host: String, port: Int, user: String, password: String)

    public var name: String {
        switch self {
        case .postgres: "postgres"
        case .redis: "redis"
        }
    }

    public var description: String {
        switch self {
        case .postgres(let host, let port, let user, _, let database): "PostgreSQL \(user)@\(host):\(port)/\(database)"
        case .redis(let host, let port, let user, _): "Redis \(user)@\(host):\(port)"
        }
    }

    /// The targets `environment` names; an error names a variable that is missing or malformed, never its value.
    public static func from(_ environment: [String: String], kinds: [String]) throws -> [ConnectTarget] {
        try kinds.map { kind in
            switch kind {
            case "postgres":
                guard let text = environment["DATABASE_URL"], let url = URLComponents(string: text), ["postgresql", "postgres"].contains(url.scheme ?? ""),
                      let host = url.host, let user = url.user?.removingPercentEncoding, let password = url.password?.removingPercentEncoding else {
                    throw BenchError("DATABASE_URL is missing or not postgresql://USER:PASSWORD@HOST:PORT/DB", hint: "set it from the gateway's Secret")
                }
                let database = String(url.path.dropFirst())
                return .postgres(host: host, port: url.port ?? 5432, user: user, password: password, database: database.isEmpty ? user : database)
            case "redis":
                guard let host = environment["REDIS_HOST"], let password = environment["REDIS_PASSWORD"] else {
                    throw BenchError("REDIS_HOST or REDIS_PASSWORD is missing", hint: "set them from the gateway's Secret")
                }
                guard let port = Int(environment["REDIS_PORT"] ?? "6379") else { throw BenchError("REDIS_PORT is not a number") }
                return .redis(host: host, port: port, user: environment["REDIS_USERNAME"] ?? "default", password: password)
            default:
                throw BenchError("unknown server kind \(kind)", hint: "postgres or redis")
            }
        }
    }
}
