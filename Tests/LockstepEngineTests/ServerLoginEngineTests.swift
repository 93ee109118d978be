import Foundation
import LockstepCore
import LockstepCrypto
import LockstepEngine
import LockstepProviders
import LockstepTesting
import Testing

/// The gateway's database and cache logins through the engine, with the real adapters against a
/// real PostgreSQL 15 and Redis 7 (the cluster is the port fake: the Secret and the rollouts are
/// not what is tested here; the KubeSim test with a consumer under load is
/// `ServerLoginScenarioTests`). Rotate, revoke, every step interrupted and resumed, the server
/// down mid-run.
@Suite(.serialized, .enabled(if: (LocalPostgres.available && LocalRedis.available) || TestEnvironment.inCI,
                             "PostgreSQL or Redis not installed (scripts/setup); CI=true makes this a failure"))
struct ServerLoginEngineTests {
    static let actor = AuditActor(kind: .user, id: "tester")
    static let databaseURL = RotationPolicy.SecretTarget(namespace: "litellm-system", name: "litellm-env-secret", key: "DATABASE_URL")
    static let redisPassword = RotationPolicy.SecretTarget(namespace: "litellm-system", name: "litellm-env-secret", key: "REDIS_PASSWORD")
    static let gateway = RotationPolicy.DeploymentRef(namespace: "litellm-system", name: "litellm")

    struct World {
        let store: InMemoryStore
        let cluster = InMemoryCluster()
        let policy: RotationPolicy
        let target: RotationPolicy.SecretTarget
        let first: SecretBytes
        let admin: SecretBytes

        init(_ name: String, kind: RotationPolicy.CredentialKind, source: RotationPolicy.Source, target: RotationPolicy.SecretTarget, first: String, admin: String) throws {
            store = try InMemoryStore()
            self.first = try SecretBytes(utf8: first)
            self.admin = try SecretBytes(utf8: admin)
            self.target = target
            try store.importCredential(name, value: self.first, kind: kind.rawValue)
            cluster.put(target, self.first)
            policy = RotationPolicy(name: name, credential: try CredentialName(name), kind: kind, source: source, schedule: nil, maxAge: nil, strategy: .rolling,
                                    gateway: nil, targets: [target], rollouts: [ServerLoginEngineTests.gateway], checks: .init(newKeyAccepted: true, oldKeyRefused: false))
        }

        static func postgres(_ bench: PostgresBench) throws -> World {
            try World("litellm-database-url", kind: .postgresPassword, source: .postgres(bench.policy), target: ServerLoginEngineTests.databaseURL,
                      first: bench.firstURL, admin: bench.adminPassword)
        }

        static func redis(_ bench: RedisBench) throws -> World {
            try World("litellm-redis-password", kind: .redisPassword, source: .redis(bench.policy), target: ServerLoginEngineTests.redisPassword,
                      first: bench.firstPassword, admin: bench.adminPassword)
        }

        func engine(beforeStep: (@Sendable () async throws -> Void)? = nil) -> RotationEngine {
            var settings = RotationEngine.Settings()
            settings.verifyAttempts = 3
            settings.verifyDelay = .milliseconds(50)
            settings.beforeStep = beforeStep
            let admin = admin
            return RotationEngine(store: store, cluster: cluster, gateway: InMemoryGateway(cluster: cluster, keySecret: target), settings: settings,
                                  keySources: ProviderKeySources.factory(secret: { _ in admin }))
        }

        var live: SecretBytes? { cluster.value(target) }
        func states() throws -> [VersionState] { try store.credential(policy.credential.rawValue).versions.map(\.state) }
    }

    @Test("PostgreSQL: rotate then revoke; each moves the Secret to the other user, and the URL replaced is refused by the server")
    func postgresRotateAndRevoke() async throws {
        try await PostgresBench.with { bench in
            let w = try World.postgres(bench)
            let rotated = try await w.engine().start(policy: w.policy, kind: .rotate, actor: Self.actor, reason: nil, manualValue: nil)
            #expect(rotated.run.phase == .succeeded, "\(rotated.steps.map { "\($0.action): \($0.outcome)" })")
            let second = try #require(w.live)
            #expect(try await bench.logsIn(second))
            #expect(try await !bench.logsIn(w.first))
            #expect(PostgresBench.user(of: second.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }) == "litellm_b")
            #expect(rotated.steps.contains { $0.action == "verify the new key is accepted" && $0.outcome.contains("logs in at PostgreSQL 127.0.0.1") })
            #expect(rotated.steps.last?.outcome.contains("the old URL is refused") == true, "\(rotated.steps.last?.outcome ?? "")")

            let revoked = try await w.engine().start(policy: w.policy, kind: .revoke, actor: Self.actor, reason: "database URL leaked", manualValue: nil)
            #expect(revoked.run.phase == .succeeded, "\(revoked.steps.map { "\($0.action): \($0.outcome)" })")
            let third = try #require(w.live)
            #expect(try await bench.logsIn(third))
            #expect(try await !bench.logsIn(second))
            let states = try w.states()
            #expect(states == [.current, .revoked, .retired], "\(states)")
            #expect(revoked.oldKeyRefusedAfterMillis != nil, "the revoke reports when the old URL was refused")
        }
    }

    @Test("PostgreSQL: interrupted before every step and resumed: the same end, the old URL refused, the current one working")
    func postgresEveryStepInterrupted() async throws {
        try await PostgresBench.with { bench in
            let total = try await { () -> Int in
                let w = try World.postgres(bench)
                let steps = try await w.engine().start(policy: w.policy, kind: .rotate, actor: Self.actor, reason: nil, manualValue: nil).steps.count
                try await bench.reset()
                return steps
            }()
            #expect(total >= 8)
            for stop in 1...total {
                let w = try World.postgres(bench)
                let count = Counter()
                let interrupting = w.engine { if count.next() == stop { throw Interrupted() } }
                await #expect(throws: Interrupted.self) { _ = try await interrupting.start(policy: w.policy, kind: .rotate, actor: Self.actor, reason: nil, manualValue: nil) }
                let run = try #require(try w.store.unfinishedRuns().first, "journaled at step \(stop)")
                let report = try await w.engine().resume(run, policy: w.policy, actor: Self.actor)
                #expect(report.run.phase == .succeeded, "stopped before step \(stop): \(report.run.failure ?? "")")
                let live = try #require(w.live)
                #expect(try await bench.logsIn(live), "stopped before step \(stop)")
                #expect(try await !bench.logsIn(w.first), "stopped before step \(stop)")
                try await bench.reset()
            }
        }
    }

    @Test("PostgreSQL down before the check of the new URL: the rollback cannot check the old one either and stops (exit 21, resumable); with the server back, the resume rolls back, the minted password discarded")
    func postgresDownMidRun() async throws {
        try await PostgresBench.with { bench in
            let w = try World.postgres(bench)
            let server = bench.server
            let crashed = Flag()
            let engine = w.engine {
                if !crashed.isSet, let run = try w.store.unfinishedRuns().first, run.phase == .verify {
                    crashed.set()
                    await server.crash()
                }
            }
            do {
                let report = try await engine.start(policy: w.policy, kind: .rotate, actor: Self.actor, reason: nil, manualValue: nil)
                Issue.record("the run ended as \(report.run.phase) with the server down")
            } catch is RollbackFailed {}
            #expect(crashed.isSet)
            let run = try #require(try w.store.unfinishedRuns().first)
            #expect(run.phase.rawValue.hasPrefix("rollback"), "\(run.phase)")
            #expect(concealed { w.live?.constantTimeEquals(w.first) == true }, "the Secret already has the old URL back")
            try await server.restart()
            let report = try await w.engine().resume(run, policy: w.policy, actor: Self.actor)
            #expect(report.run.phase == .rolledBack, "\(report.steps.map { "\($0.action): \($0.outcome)" })")
            #expect(try await bench.logsIn(w.first), "the old URL works: nothing was lost")
            #expect(try w.states() == [.failed, .current])
            let minted = try w.store.value(of: w.policy.credential.rawValue, version: 2)
            #expect(try await !bench.logsIn(minted), "the minted password was discarded at the server")
        }
    }

    @Test("Redis: rotate then revoke; the old password refused by AUTH after each")
    func redisRotateAndRevoke() async throws {
        try await RedisBench.with { bench in
            let w = try World.redis(bench)
            let rotated = try await w.engine().start(policy: w.policy, kind: .rotate, actor: Self.actor, reason: nil, manualValue: nil)
            #expect(rotated.run.phase == .succeeded, "\(rotated.steps.map { "\($0.action): \($0.outcome)" })")
            let second = try #require(w.live)
            #expect(try await bench.logsIn(second))
            #expect(try await !bench.logsIn(w.first))
            let revoked = try await w.engine().start(policy: w.policy, kind: .revoke, actor: Self.actor, reason: "cache password leaked", manualValue: nil)
            #expect(revoked.run.phase == .succeeded, "\(revoked.steps.map { "\($0.action): \($0.outcome)" })")
            let third = try #require(w.live)
            #expect(try await bench.logsIn(third))
            #expect(try await !bench.logsIn(second))
        }
    }

    @Test("Redis: an admin without ACL rights: abandoned in preflight, nothing written, the password unchanged")
    func redisForbidden() async throws {
        try await RedisBench.with(adminCommands: "+@read +@connection") { bench in
            let w = try World.redis(bench)
            let report = try await w.engine().start(policy: w.policy, kind: .revoke, actor: Self.actor, reason: "incident", manualValue: nil)
            #expect(report.run.phase == .abandoned)
            #expect(report.run.failure?.contains("NOPERM") == true && report.run.failure?.contains("nothing was changed") == true)
            #expect(concealed { w.live?.constantTimeEquals(w.first) == true })
            #expect(try await bench.logsIn(w.first))
            #expect(try w.states() == [.current])
        }
    }

    struct Interrupted: Error {}

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var n = 0
        func next() -> Int { lock.withLock { n += 1; return n } }
    }

    final class Flag: @unchecked Sendable {
        private let lock = NSLock()
        private var value = false
        var isSet: Bool { lock.withLock { value } }
        func set() { lock.withLock { value = true } }
    }
}
