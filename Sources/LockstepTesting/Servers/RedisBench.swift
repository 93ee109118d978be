import Crypto
import Foundation
import LockstepCore
import LockstepCrypto

/// A real Redis 7 with an ACL file: the gateway's user `litellm` and Lockstep's admin user
/// `lockstep-admin` (`+@admin` unless told otherwise), each with a password of the test's own.
public struct RedisBench: Sendable {
    public let server: LocalRedis
    public let adminPassword: String
    public let firstPassword: String

    public static func with(adminCommands: String = "+@all", aclFile: Bool = true, _ body: (RedisBench) async throws -> Void) async throws {
        let admin = PostgresBench.password(), first = PostgresBench.password()
        let server = try await LocalRedis(users: ["user lockstep-admin on #\(sha256(admin)) ~* &* \(adminCommands)",
                                                  "user litellm on #\(sha256(first)) ~* &* +@all"], aclFile: aclFile)
        let bench = RedisBench(server: server, adminPassword: admin, firstPassword: first)
        do { try await body(bench) } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    public static func sha256(_ text: String) -> String { Hex.encode(Array(SHA256.hash(data: Array(text.utf8)))) }

    public var policy: RedisServer {
        RedisServer(host: "127.0.0.1", port: server.port, user: "litellm", adminUser: "lockstep-admin", adminPassword: try! CredentialName("redis-admin"))
    }


    /// Whether `password` logs `litellm` in, asked through redis-cli (not through the code under test).
    public func logsIn(_ password: SecretBytes) async throws -> Bool {
        let text = password.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
        let result = try await ChildProcess.run("/usr/bin/redis-cli", ["-h", "127.0.0.1", "-p", "\(server.port)", "--no-auth-warning", "--user", "litellm", "PING"],
                                                environment: ["REDISCLI_AUTH": text], timeout: .seconds(10))
        if result.stdout.contains("PONG") { return true }
        guard (result.stdout + result.stderr).contains("WRONGPASS") else { throw ChildProcessError("redis-cli: \(result.stdout) \(result.stderr)") }
        return false
    }
}
