import Foundation
import KubeSim
import LockstepBench
import LockstepCore
import LockstepCrypto
import LockstepTesting
import LockstepVault
import Testing

/// The must-show of the gateway's database and cache logins: on KubeSim, two gateway pods
/// (`lockstep-connect`, a new PostgreSQL and a new Redis connection per attempt, 10 a second each,
/// reading DATABASE_URL and REDIS_PASSWORD from the gateway's Secret) under load, while the real
/// `lockstep` CLI rotates and revokes the database URL and the Redis password against real
/// PostgreSQL 15 and Redis 7. Zero failed connections; the old values refused at the servers.
@Suite(.serialized, .enabled(if: (LocalPostgres.available && LocalRedis.available) || TestEnvironment.inCI,
                             "PostgreSQL or Redis not installed (scripts/setup); CI=true makes this a failure"))
struct ServerLoginScenarioTests {
    static func policies(_ pg: PostgresBench, _ redis: RedisBench) -> [String: String] {
        let header = "apiVersion: lockstep/v1\nkind: RotationPolicy\n"
        let delivery = """
              targets:
                - secret: {namespace: litellm-system, name: litellm-env-secret, key: KEY}
              rollouts:
                - deployment: {namespace: litellm-system, name: litellm}
            """
        return [
            "database.yaml": header + """
            metadata: {name: litellm-database-url}
            spec:
              credential:
                kind: postgres-password
                postgres: {host: 127.0.0.1, port: \(pg.server.port), adminUser: lockstep_admin, adminPasswordCredential: postgres-admin, users: [litellm_a, litellm_b]}
            \(delivery.replacingOccurrences(of: "KEY", with: "DATABASE_URL"))
            """,
            "redis.yaml": header + """
            metadata: {name: litellm-redis-password}
            spec:
              credential:
                kind: redis-password
                redis: {host: 127.0.0.1, port: \(redis.server.port), user: litellm, adminUser: lockstep-admin, adminPasswordCredential: redis-admin}
            \(delivery.replacingOccurrences(of: "KEY", with: "REDIS_PASSWORD"))
            """,
        ]
    }

    @Test("rotate and revoke the database URL and the Redis password under load: 0 failed connections, each replaced value refused at its server when the command returns; an admin without CREATEROLE: exit 22, nothing changed")
    func underLoad() async throws {
        try await PostgresBench.with { pg in
            try await RedisBench.with { redis in
                let dir = try TestEnvironment.temporaryFolder("server-login-scenario")
                defer { try? FileManager.default.removeItem(at: dir) }
                let reports = dir.appendingPathComponent("reports").path
                try FileManager.default.createDirectory(atPath: reports, withIntermediateDirectories: true)
                let consumer: JSONValue = [
                    "name": "litellm", "image": "lockstep/lockstep-connect", "command": [.string(builtBinary("lockstep-connect"))],
                    "args": ["--servers", "postgres,redis", "--rate", "10", "--timeout-ms", "3000"],
                    "env": [["name": "LOAD_REPORT_DIR", "value": .string(reports)]],
                    "envFrom": [["secretRef": ["name": "litellm-env-secret"]]],
                    "readinessProbe": ["httpGet": ["path": "/healthz", "port": 8080]],
                ]
                var config = KubeSimConfiguration()
                config.useTLS = true
                config.podReadyDelay = .milliseconds(100)
                config.seedObjects = [
                    KubeObjects.secret("litellm-env-secret", "litellm-system", ["DATABASE_URL": pg.firstURL, "REDIS_HOST": "127.0.0.1", "REDIS_PORT": "\(redis.server.port)",
                                                                               "REDIS_USERNAME": "litellm", "REDIS_PASSWORD": redis.firstPassword]),
                    KubeObjects.deployment("litellm", "litellm-system", replicas: 2, container: consumer),
                ]
                let sim = try await KubeSim.start(config)
                do {
                    let kubeconfig = dir.appendingPathComponent("kubeconfig").path
                    try sim.kubeconfig.write(to: URL(fileURLWithPath: kubeconfig))
                    let keyFile = dir.appendingPathComponent("vault.key").path
                    try VaultKeyFile.generate(at: keyFile)
                    let actor = AuditActor(kind: .user, id: "tester")
                    let vault = try Vault.create(at: dir.appendingPathComponent("vault.db").path, key: .keyFile(keyFile), actor: actor)
                    for (name, value, kind) in [("litellm-database-url", pg.firstURL, "postgres-password"), ("litellm-redis-password", redis.firstPassword, "redis-password"),
                                                ("postgres-admin", pg.adminPassword, "generic"), ("redis-admin", redis.adminPassword, "generic")] {
                        try vault.importCredential(CredentialName(name), value: try SecretBytes(utf8: value), kind: kind, actor: actor)
                    }
                    let policies = dir.appendingPathComponent("policies")
                    try FileManager.default.createDirectory(at: policies, withIntermediateDirectories: true)
                    for (file, text) in Self.policies(pg, redis) { try text.write(to: policies.appendingPathComponent(file), atomically: true, encoding: .utf8) }
                    let env = ["LOCKSTEP_VAULT": vault.path, "LOCKSTEP_KEY_FILE": keyFile]
                    let ready = await eventually(timeout: .seconds(60)) { await sim.pods(namespace: "litellm-system", name: "litellm").filter(\.ready).count == 2 }
                    #expect(ready, "the two consumer pods became ready")

                    // Each kind rotated and revoked, one command at a time, timed from start to exit.
                    let firstURL = try SecretBytes(utf8: pg.firstURL), firstRedis = try SecretBytes(utf8: redis.firstPassword)
                    var outputs: [String] = []
                    var figures: [String] = []
                    for (credential, revoke) in [("litellm-database-url", false), ("litellm-database-url", true), ("litellm-redis-password", false), ("litellm-redis-password", true)] {
                        let before = try vault.value(of: credential)
                        let args = revoke ? ["revoke", credential, "--reason", "leaked", "--yes"] : ["rotate", credential]
                        let started = ContinuousClock.now
                        let r = try await runLockstep(args + ["--no-daemon", "--kubeconfig", kubeconfig, "--policies", policies.path], env: env)
                        let took = ContinuousClock.now - started
                        #expect(r.code == 0, "\(args): \(r.out)\(r.err)")
                        outputs.append(r.out + r.err)
                        // Refused at the server when the command returned.
                        let refused = credential == "litellm-database-url" ? try await !pg.logsIn(before) : try await !redis.logsIn(before)
                        #expect(refused, "\(args): the value replaced is refused at its server")
                        figures.append("\(args[0]) \(credential) \(took)")
                    }
                    #expect(try await !pg.logsIn(firstURL))
                    #expect(try await !redis.logsIn(firstRedis))
                    // The admin login loses its right: the next run is not started (exit 22), nothing changes.
                    try await pg.server.sql("ALTER ROLE lockstep_admin NOCREATEROLE")
                    let live = sim.get(.secrets, namespace: "litellm-system", name: "litellm-env-secret")?["data"]?["DATABASE_URL"]?.stringValue
                    let refused = try await runLockstep(["rotate", "litellm-database-url", "--no-daemon", "--kubeconfig", kubeconfig, "--policies", policies.path], env: env)
                    #expect(refused.code == 22, "\(refused.out)\(refused.err)")
                    #expect((refused.out + refused.err).contains("CREATEROLE"))
                    #expect(sim.get(.secrets, namespace: "litellm-system", name: "litellm-env-secret")?["data"]?["DATABASE_URL"]?.stringValue == live, "the Secret is unchanged")
                    outputs.append(refused.out + refused.err)
                    let output = outputs.joined()
                    let newURL = try vault.value(of: "litellm-database-url")
                    let newRedis = try vault.value(of: "litellm-redis-password")
                    let secrets = [pg.firstURL, pg.firstPassword, redis.firstPassword, pg.adminPassword, redis.adminPassword,
                                   newURL.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }, newRedis.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }]
                    #expect(concealed { secrets.allSatisfy { !output.contains($0) } }, "no password in the CLI's output")
                    // Two more seconds of load on the new values (a load duration, not a wait for an event), then every pod's report.
                    try await Task.sleep(for: .seconds(2))
                    await sim.stop()
                    var postgres = ConnectReport.Tally(), cache = ConnectReport.Tally()
                    let files = try FileManager.default.contentsOfDirectory(atPath: reports).filter { $0.hasSuffix(".json") }
                    #expect(files.count == 10, "two pods at first, two more after each of the four runs: \(files.count) reports")
                    for name in files {
                        let report = try JSONDecoder().decode(ConnectReport.self, from: try Data(contentsOf: URL(fileURLWithPath: reports + "/" + name)))
                        for (server, t) in report.servers {
                            if server == "postgres" { postgres.attempts += t.attempts; postgres.failed += t.failed; postgres.firstFailures += t.firstFailures }
                            else { cache.attempts += t.attempts; cache.failed += t.failed; cache.firstFailures += t.firstFailures }
                        }
                    }
                    print("server-login scenario: \(figures.joined(separator: "; ")); postgres \(postgres.attempts) connections, \(postgres.failed) failed; "
                          + "redis \(cache.attempts) connections, \(cache.failed) failed")
                    #expect(postgres.attempts > 50 && cache.attempts > 50, "the pods connected throughout (\(postgres.attempts), \(cache.attempts))")
                    #expect(postgres.failed == 0, "\(postgres.firstFailures)")
                    #expect(cache.failed == 0, "\(cache.firstFailures)")
                } catch {
                    await sim.stop()
                    throw error
                }
            }
        }
    }
}
