import Foundation
import LockstepCore
@testable import LockstepPolicy
import Testing

let postgresPolicy = """
apiVersion: lockstep/v1
kind: RotationPolicy
metadata: {name: litellm-database-url}
spec:
  credential:
    kind: postgres-password
    postgres: {host: 127.0.0.1, port: 5433, adminUser: lockstep_admin, adminPasswordCredential: postgres-admin, users: [litellm_a, litellm_b]}
  schedule: {every: 30d}
  targets:
    - secret: {namespace: litellm-system, name: litellm-env-secret, key: DATABASE_URL}
  rollouts:
    - deployment: {namespace: litellm-system, name: litellm}
"""

let redisPolicy = """
apiVersion: lockstep/v1
kind: RotationPolicy
metadata: {name: litellm-redis-password}
spec:
  credential:
    kind: redis-password
    redis: {host: 127.0.0.1, user: litellm, adminUser: lockstep-admin, adminPasswordCredential: redis-admin}
  targets:
    - secret: {namespace: litellm-system, name: litellm-env-secret, key: REDIS_PASSWORD}
  rollouts:
    - deployment: {namespace: litellm-system, name: litellm}
"""

@Suite("spec.credential.postgres and spec.credential.redis")
struct ServerSourcePolicyTests {
    @Test("a postgres source parses with the rolling strategy and no gateway; its runs log in at the server and retire the old user there")
    func postgresParses() throws {
        let parsed = PolicyLoader.parse(postgresPolicy, file: "p.yaml")
        #expect(parsed.problems.isEmpty, "\(parsed.problems)")
        let policy = try #require(parsed.policies.first?.0)
        #expect(policy.source == .postgres(PostgresServer(host: "127.0.0.1", port: 5433, adminUser: "lockstep_admin", adminPassword: try CredentialName("postgres-admin"),
                                                          users: ["litellm_a", "litellm_b"])))
        #expect(policy.kind == .postgresPassword && policy.strategy == .rolling && policy.gateway == nil)
        #expect(policy.source.checksLogins && policy.source.retiresAtSource && policy.source.mintsAtSource && !policy.source.takesValue)
        let plan = RotationPlan.steps(for: policy, kind: .revoke, newVersion: 2)
        #expect(plan.contains(.verifyAccepted(.new)) && !plan.contains(.verifyOldRefused), "the old value is refused by the retire step, after promotion: \(plan)")
        #expect(plan.suffix(3) == [.promote, .awaitOldPodsStopped, .retireOldAtSource], "\(plan)")
    }

    @Test("a redis source parses with the default port")
    func redisParses() throws {
        let parsed = PolicyLoader.parse(redisPolicy, file: "p.yaml")
        #expect(parsed.problems.isEmpty, "\(parsed.problems)")
        let policy = try #require(parsed.policies.first?.0)
        #expect(policy.source == .redis(RedisServer(host: "127.0.0.1", port: 6379, user: "litellm", adminUser: "lockstep-admin", adminPassword: try CredentialName("redis-admin"))))
        #expect(policy.source.mintedAt == "Redis 127.0.0.1:6379")
    }

    @Test("refused: one user, a user that is not a role name, the admin among the users, no TLS off loopback, a kind that does not match, another strategy, the default Redis user")
    func refusals() {
        let users = "users: [litellm_a, litellm_b]"
        #expect(single(postgresPolicy.replacingOccurrences(of: users, with: "users: [litellm_a]"))?.message.contains("exactly two different users") == true)
        #expect(single(postgresPolicy.replacingOccurrences(of: users, with: "users: [litellm_a, litellm_a]"))?.message.contains("exactly two different users") == true)
        #expect(check(postgresPolicy.replacingOccurrences(of: users, with: "users: [litellm_a, \"b\\\"; DROP ROLE x\"]")).contains { $0.message.contains("must be role names") })
        #expect(check(postgresPolicy.replacingOccurrences(of: users, with: "users: [litellm_a, lockstep_admin]")).contains { $0.message.contains("must not include the admin login") })
        #expect(single(postgresPolicy.replacingOccurrences(of: "host: 127.0.0.1", with: "host: db.example.com"))?.message.contains("without TLS") == true)
        #expect(check(postgresPolicy.replacingOccurrences(of: "host: 127.0.0.1", with: "host: db.example.com, tls: verify-full")).isEmpty)
        #expect(check(postgresPolicy.replacingOccurrences(of: "host: 127.0.0.1", with: "host: 127.0.0.1, tls: prefer")).contains { $0.message.contains("tls") })
        #expect(check(postgresPolicy.replacingOccurrences(of: "kind: postgres-password", with: "kind: generic")).contains { $0.message.contains("kind must be postgres-password") })
        #expect(check(postgresPolicy.replacingOccurrences(of: "    postgres: {", with: "    redis: {user: x, adminUser: y, adminPasswordCredential: z, host: h}\n    x: {")).isEmpty == false)
        #expect(check(postgresPolicy.replacingOccurrences(of: "  schedule: {every: 30d}", with: "  schedule: {every: 30d}\n  strategy: restart-together"))
            .contains { $0.message.contains("rolling strategy") })
        #expect(single(redisPolicy.replacingOccurrences(of: "user: litellm,", with: "user: default,"))?.message.contains("not default") == true)
        #expect(single(redisPolicy.replacingOccurrences(of: "adminUser: lockstep-admin", with: "adminUser: litellm"))?.message.contains("must differ") == true)
        #expect(check(redisPolicy.replacingOccurrences(of: "kind: redis-password", with: "kind: postgres-password")).contains { $0.message.contains("source must be postgres") })
        #expect(single(redisPolicy.replacingOccurrences(of: ", adminPasswordCredential: redis-admin", with: ""))?.message.contains("adminPasswordCredential") == true)
    }
}
