import Foundation
import LockstepAudit
import LockstepCore
import LockstepCrypto
import LockstepEngine
import LockstepTesting
import LockstepVault
import Testing

/// Every strategy × every call the engine makes × (fails / lands then fails / crashes, then
/// resume / lands then crashes, then resume), over the port fakes (`ScriptedCluster`, whose pods
/// load their Secret at start, and the real SQLite vault behind `CrashableStore`). After each
/// case: the run is finished, the vault's current value is in every Secret and every pod, the
/// ring and the bridge are empty, exactly one new version was made, the audit chain verifies,
/// and for the zero-failure strategies no backend pod ever held a key a gateway pod refused.
@Suite("Engine matrix over port fakes: every strategy × every call × fails / lands then fails / crash then resume")
struct EngineMatrixTests {
    enum Scenario: String, CaseIterable, CustomTestStringConvertible {
        case restartTogether = "restart-together rotate"
        case keyRing = "key-ring rotate"
        case keyRingRevoke = "key-ring revoke"
        case bridge = "bridge rotate"
        case immediateRevoke = "revoke --immediate"
        case blueGreen = "blue-green rotate"
        case blueGreenRevoke = "blue-green revoke"

        var testDescription: String { rawValue }
        var strategy: RotationPolicy.Strategy {
            switch self {
            case .restartTogether, .immediateRevoke: .restartTogether
            case .keyRing, .keyRingRevoke: .keyRing
            case .bridge: .bridge
            case .blueGreen, .blueGreenRevoke: .blueGreen
            }
        }
        var kind: RotationRun.Kind { [.keyRingRevoke, .immediateRevoke, .blueGreenRevoke].contains(self) ? .revoke : .rotate }
        /// Whether the strategy promises that the backend never holds a key the gateway refuses.
        var zeroFailures: Bool { strategy != .restartTogether }
    }

    static let actor = AuditActor(kind: .user, id: "matrix")
    static let backend = RotationPolicy.DeploymentRef(namespace: "unique", name: "backend-service-chat")
    static let gateway = RotationPolicy.DeploymentRef(namespace: "litellm-system", name: "litellm")
    static let backendSecret = RotationPolicy.SecretTarget(namespace: "unique", name: "chat-backend-litellm", key: "LITELLM_API_KEY")
    static let gatewaySecret = RotationPolicy.SecretTarget(namespace: "litellm-system", name: "litellm-masterkey", key: "masterkey")
    static let ring = RotationPolicy.SecretTarget(namespace: "litellm-system", name: "litellm-keyring", key: "keys")
    static let endpoint = RotationPolicy.SecretTarget(namespace: "unique", name: "chat-backend-litellm", key: "LITELLM_BASE_URL")
    static let colours = ["blue", "green"].map { c in
        ScriptedCluster.Layout.Gateway(deployment: .init(namespace: "litellm-system", name: "litellm-\(c)"),
                                       secret: .init(namespace: "litellm-system", name: "litellm-\(c)-masterkey", key: "masterkey"), url: "http://\(c).test:4000")
    }

    static func layout(_ scenario: Scenario) -> ScriptedCluster.Layout {
        if scenario.strategy == .blueGreen {
            return .init(backend: backend, backendKey: backendSecret, backendEndpoint: endpoint, gateways: colours)
        }
        return .init(backend: backend, backendKey: backendSecret, gateways: [.init(deployment: gateway, secret: gatewaySecret, url: "http://gateway.test:4000")],
                     ring: scenario.strategy == .keyRing ? ring : nil)
    }

    /// One case's world: a fresh store holding `old` (in memory, or the SQLite vault), the model
    /// cluster, the crash switch.
    struct World {
        let dir: URL
        let vault: Vault?
        let store: any RotationStore
        let crash: CrashSwitch
        let cluster: ScriptedCluster
        let policy: RotationPolicy
        let old: SecretBytes

        var engine: RotationEngine {
            var settings = RotationEngine.Settings()
            settings.verifyAttempts = 2
            settings.verifyDelay = .milliseconds(1)
            settings.keyRingProbeInterval = .milliseconds(1)
            settings.rolloutTimeout = .milliseconds(50)
            // A crashed process's gateway never answers again: its preflight gives up at this bound.
            settings.gatewayReadyTimeout = .milliseconds(50)
            return RotationEngine(store: CrashableStore(store, crash: crash), cluster: cluster, gateway: ScriptedGateway(cluster: cluster), settings: settings)
        }
    }

    /// A folder for the vaults: tmpfs when there is one (a case makes ~40 transactions).
    static let root: URL = {
        let shm = URL(fileURLWithPath: "/dev/shm")
        let base = FileManager.default.isWritableFile(atPath: shm.path) ? shm : FileManager.default.temporaryDirectory
        return base.appendingPathComponent("lockstep-matrix-\(ProcessInfo.processInfo.processIdentifier)")
    }()


    enum StoreKind: String, CaseIterable, CustomTestStringConvertible {
        case memory, vault
        var testDescription: String { rawValue }
    }

    func world(_ scenario: Scenario, store kind: StoreKind = .memory, clock: any Clock<Duration> = ContinuousClock()) throws -> World {
        let dir = Self.root.appendingPathComponent(UUID().uuidString)
        let old = try SecretBytes(utf8: "sk-matrix-old-master-key-0000000001")
        let vault: Vault?
        let store: any RotationStore
        switch kind {
        case .memory:
            let memory = try InMemoryStore()
            try memory.importCredential("litellm-master-key", value: old, kind: "litellm-master-key")
            (vault, store) = (nil, memory)
        case .vault:
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let keyFile = dir.appendingPathComponent("vault.key").path
            try VaultKeyFile.generate(at: keyFile)
            let v = try Vault.create(at: dir.appendingPathComponent("vault.db").path, key: .keyFile(keyFile), actor: Self.actor)
            _ = try v.importCredential(CredentialName("litellm-master-key"), value: old, kind: "litellm-master-key", actor: Self.actor)
            (vault, store) = (v, v)
        }
        let crash = CrashSwitch()
        let cluster = try ScriptedCluster(Self.layout(scenario), value: old, crash: crash, clock: clock)
        let blueGreen = scenario.strategy == .blueGreen
        let policy = RotationPolicy(
            name: "litellm-master-key", credential: try CredentialName("litellm-master-key"), kind: .litellmMasterKey,
            source: .generate(prefix: "sk-", randomBytes: 32), schedule: nil, maxAge: nil, strategy: scenario.strategy,
            gateway: blueGreen ? nil : .init(url: "http://gateway.test:4000", models: []),
            targets: blueGreen ? [Self.backendSecret] : [Self.backendSecret, Self.gatewaySecret], rollouts: blueGreen ? [Self.backend] : [Self.backend, Self.gateway],
            checks: .init(newKeyAccepted: true, oldKeyRefused: true),
            keyRing: scenario.strategy == .keyRing ? .init(secret: Self.ring, propagationTimeout: PolicyDuration(seconds: 1)) : nil,
            blueGreen: blueGreen ? .init(colours: Self.colours.enumerated().map { i, c in
                .init(name: i == 0 ? "blue" : "green", deployment: c.deployment, secret: c.secret, url: c.url)
            }, endpointKey: Self.endpoint.key) : nil)
        return World(dir: dir, vault: vault, store: store, crash: crash, cluster: cluster, policy: policy, old: old)
    }

    /// Runs the scenario once and returns its report (no crash, no resume).
    func report(_ scenario: Scenario, in w: World) async throws -> RunReport {
        try await w.engine.start(policy: w.policy, kind: scenario.kind, actor: Self.actor, reason: "matrix", manualValue: nil, immediate: scenario == .immediateRevoke)
    }

    /// Runs the scenario once; a crash is followed by a restart that resumes the journaled run
    /// (at most 3 restarts). Returns the final run, or the error that ended it.
    func drive(_ scenario: Scenario, in w: World) async -> Result<RotationRun, any Error> {
        // Hundreds of cases run back to back on the cooperative pool (two threads on a CI runner):
        // yield between them so the other suites' servers and timers are not starved meanwhile.
        await Task.yield()
        var result: Result<RotationRun, any Error>
        do {
            result = .success(try await w.engine.start(policy: w.policy, kind: scenario.kind, actor: Self.actor, reason: "matrix",
                                                       manualValue: nil, immediate: scenario == .immediateRevoke).run)
        } catch {
            result = .failure(error)
        }
        for _ in 0..<3 where w.crash.isTripped {
            w.crash.reset()
            w.cluster.clearInjection()
            do {
                guard let unfinished = try w.store.unfinishedRuns().first else { break }
                result = .success(try await w.engine.resume(unfinished, policy: w.policy, actor: AuditActor(kind: .system, id: "resume")).run)
            } catch {
                result = .failure(error)
            }
        }
        return result
    }

    /// What must hold after any case; returns the problems (empty: the case passed).
    func problems(_ scenario: Scenario, _ w: World, _ result: Result<RotationRun, any Error>) throws -> [String] {
        var found: [String] = []
        let run: RotationRun
        switch result {
        case .success(let r): run = r
        case .failure(let error): return ["the run ended with an error instead of an outcome: \(error)"]
        }
        let outcome = run.phase
        guard [.succeeded, .rolledBack, .abandoned].contains(outcome) else { return ["the run ended in \(outcome.rawValue)"] }
        if try !w.store.unfinishedRuns().isEmpty { found.append("a run is left unfinished in the journal") }
        let current = try w.store.value(of: "litellm-master-key")
        if outcome == .succeeded, current.constantTimeEquals(w.old) { found.append("succeeded, but the vault's current value is the old one") }
        if outcome != .succeeded, !current.constantTimeEquals(w.old) { found.append("\(outcome.rawValue), but the vault's current value is not the old one") }
        let layout = Self.layout(scenario)
        for target in [Self.backendSecret] + layout.gateways.map(\.secret) where w.cluster.value(target).map({ !$0.constantTimeEquals(current) }) ?? true {
            found.append("\(target) does not hold the vault's current value")
        }
        func runsCurrent(_ deployment: RotationPolicy.DeploymentRef, from secret: RotationPolicy.SecretTarget) {
            let loaded = w.cluster.loaded(deployment, from: secret)
            if loaded.count != 1 || !(loaded[0]?.constantTimeEquals(current) ?? false) {
                found.append("\(deployment)'s pods do not all run the current value (\(loaded.count) generation(s))")
            }
        }
        runsCurrent(Self.backend, from: Self.backendSecret)
        // The gateway the backend calls runs the current key; another colour is at 0 with no pod.
        let url = w.cluster.value(Self.endpoint).map { $0.withUnsafeBytes { String(decoding: $0, as: UTF8.self) } }
        let serving = layout.gateways.first { $0.url == url } ?? layout.gateways[0]
        runsCurrent(serving.deployment, from: serving.secret)
        for other in layout.gateways where other.url != serving.url {
            if w.cluster.replicas(other.deployment) != 0 || !w.cluster.loaded(other.deployment, from: other.secret).isEmpty {
                found.append("the idle \(other.deployment) still runs")
            }
        }
        if scenario.strategy == .blueGreen, outcome == .succeeded, serving.url == layout.gateways[0].url { found.append("succeeded, but the backend still calls the old colour") }
        if scenario.strategy == .keyRing, let held = w.cluster.value(Self.ring), held.count > 0 { found.append("the ring is not empty") }
        if !w.cluster.bridgeAliases.isEmpty { found.append("a bridge key is left: \(w.cluster.bridgeAliases)") }
        if layout.gateways.contains(where: { w.cluster.surge($0.deployment) != nil }) { found.append("the gateway's maxSurge was not restored") }
        let versions = try w.store.credential("litellm-master-key").versions
        if versions.count > 2 { found.append("\(versions.count - 1) new versions for one run") }
        if scenario.zeroFailures, let first = w.cluster.violations.first {
            found.append("\(w.cluster.violations.count) moment(s) a request would fail, first \(first)")
        }
        if let vault = w.vault, let failure = try vault.auditLog.verify().failure { found.append("the audit log does not verify: \(failure)") }
        return found
    }

    @Test("a clean run succeeds and leaves everything on the new value, on either store", arguments: Scenario.allCases, StoreKind.allCases)
    func cleanRun(_ scenario: Scenario, store: StoreKind) async throws {
        let w = try world(scenario, store: store)
        defer { try? FileManager.default.removeItem(at: w.dir) }
        let result = await drive(scenario, in: w)
        let found = try problems(scenario, w, result)
        #expect(found == [], "\(found)")
        #expect((try? result.get().phase) == .succeeded)
        #expect(w.cluster.calls.count > 5)
        if !scenario.zeroFailures {
            // The check can fail: restart-together has a window in which the two sides disagree.
            #expect(!w.cluster.violations.isEmpty, "the model sees restart-together's window of failed requests")
        }
    }

    @Test("a clean-up the cluster keeps refusing: rotated and verified, the leftover named in a warning with what to do",
          arguments: [(Scenario.bridge, "removeBridgeKey", "virtual key"), (.keyRing, "litellm-keyring", "key ring still holds the new key"),
                      (.immediateRevoke, "restoreMaxSurge", "maxSurge 100%")])
    func cleanupGivenUp(_ scenario: Scenario, call: String, named: String) async throws {
        let clean = try world(scenario)
        _ = try await report(scenario, in: clean)
        try? FileManager.default.removeItem(at: clean.dir)
        let w = try world(scenario)
        defer { try? FileManager.default.removeItem(at: w.dir) }
        // Only the clean-up's own calls fail: for key-ring, the ring's read and write after the promotion.
        let promoted = clean.cluster.calls.lastIndex { $0.hasPrefix("podEndpoints") || $0.hasPrefix("waitForRollout") } ?? 0
        #expect(clean.cluster.calls[(promoted + 1)...].contains { $0.contains(call) }, "the clean run makes a \(call) call after promoting: \(clean.cluster.calls)")
        w.cluster.failEvery(call, fromCall: promoted + 2)
        let r = try await report(scenario, in: w)
        #expect(r.run.phase == .succeeded, "\(r.run.failure ?? "")")
        #expect(r.warnings.contains { $0.contains("clean-up failed after 3 attempts") && $0.contains(named) }, "\(r.warnings)")
        #expect(w.cluster.calls[(promoted + 1)...].filter { $0.contains(call) }.count == 3, "tried three times")
    }

    @Test("a ring the pods never see: the run waits out its 3-minute bound on a virtual clock, says what it waited for, and rolls back")
    func ringNeverPropagates() async throws {
        let w = try world(.keyRing)
        defer { try? FileManager.default.removeItem(at: w.dir) }
        w.cluster.hideRing(true)
        let clock = VirtualClock()
        var settings = RotationEngine.Settings()
        settings.clock = clock
        settings.verifyDelay = .milliseconds(500)
        settings.keyRingProbeInterval = .seconds(1)
        let policy = RotationPolicy(
            name: w.policy.name, credential: w.policy.credential, kind: w.policy.kind, source: w.policy.source, schedule: nil, maxAge: nil, strategy: .keyRing,
            gateway: w.policy.gateway, targets: w.policy.targets, rollouts: w.policy.rollouts, checks: w.policy.checks,
            keyRing: .init(secret: Self.ring, propagationTimeout: PolicyDuration(seconds: 180)))
        let engine = RotationEngine(store: w.store, cluster: w.cluster, gateway: ScriptedGateway(cluster: w.cluster), settings: settings)
        let report = try await engine.start(policy: policy, kind: .rotate, actor: Self.actor, reason: "matrix", manualValue: nil)
        #expect(report.run.phase == .rolledBack)
        #expect(report.run.failure?.contains("did not reach every gateway pod within 3m") == true, "\(report.run.failure ?? "")")
        #expect(clock.elapsed >= .seconds(180) && clock.elapsed < .seconds(200), "the bound was waited out on the clock: \(clock.elapsed)")
        #expect(try problems(.keyRing, w, .success(report.run)) == [])
    }

    @Test("another writer touches a target Secret's metadata just before any Lockstep write (409): re-read, written again, rotated", arguments: Scenario.allCases)
    func conflictsOnMetadata(_ scenario: Scenario) async throws {
        let clean = try world(scenario)
        _ = await drive(scenario, in: clean)
        let writes = clean.cluster.calls.enumerated().filter { $0.element.hasPrefix("writeSecret") }
        #expect(!writes.isEmpty)
        for (i, call) in writes {
            let w = try world(scenario)
            let target = try #require(([Self.backendSecret, Self.gatewaySecret, Self.ring] + Self.colours.map(\.secret)).first { call.hasSuffix("\($0)") })
            w.cluster.interfere(atCall: i + 1, with: target, writing: nil)
            let result = await drive(scenario, in: w)
            #expect(try problems(scenario, w, result) == [], "409 at \(call)")
            #expect((try? result.get().phase) == .succeeded, "409 at \(call): \(String(describing: try? result.get().failure))")
        }
    }

    @Test("another writer puts its own value into a target between Lockstep's read and write, or before the read: never overwritten; the run stops loudly",
          arguments: Scenario.allCases)
    func foreignValueNeverOverwritten(_ scenario: Scenario) async throws {
        let clean = try world(scenario)
        _ = await drive(scenario, in: clean)
        let foreign = try SecretBytes(utf8: "sk-someone-elses-value-0000000099")
        // The first delivery to the backend's Secret: its read, and its write.
        let first = try #require(clean.cluster.calls.firstIndex { $0 == "writeSecret \(Self.backendSecret)" })
        for index in [first, first + 1] { // the read before the write, then the write itself (1-based)
            let w = try world(scenario)
            w.cluster.interfere(atCall: index, with: Self.backendSecret, writing: foreign)
            let result = await drive(scenario, in: w)
            let held = w.cluster.value(Self.backendSecret)
            #expect(held?.constantTimeEquals(foreign) == true, "call \(index) (\(clean.cluster.calls[index - 1])): the other writer's value was overwritten")
            #expect(try w.store.value(of: "litellm-master-key").constantTimeEquals(w.old), "the vault keeps the old value current")
            switch result {
            case .failure(let error as RollbackFailed):
                #expect("\(error)".contains("\(Self.backendSecret)"), "the stuck run names the Secret: \(error)")
            case .failure(let error):
                Issue.record("call \(index): ended with \(error), not a loud stop")
            case .success(let run):
                Issue.record("call \(index): ended \(run.phase.rawValue) although \(Self.backendSecret) holds someone else's value")
            }
        }
    }

    @Test("every call × every fault: the run ends rolled back or rotated, consistent everywhere", arguments: Scenario.allCases)
    func everyCallEveryFault(_ scenario: Scenario) async throws {
        let clean = try world(scenario)
        _ = await drive(scenario, in: clean)
        let calls = clean.cluster.calls
        try? FileManager.default.removeItem(at: clean.dir)
        var failures: [String] = []
        var cases = 0
        for index in 1...calls.count {
            for fault in ScriptedCluster.Fault.allCases {
                let w = try world(scenario)
                w.cluster.inject(fault, atCall: index)
                let result = await drive(scenario, in: w)
                cases += 1
                let found = try problems(scenario, w, result)
                if !found.isEmpty { failures.append("call \(index) (\(calls[index - 1])) \(fault.rawValue): \(found.joined(separator: "; "))") }
                try? FileManager.default.removeItem(at: w.dir)
            }
        }
        print("engine matrix \(scenario.rawValue): \(cases) cases over \(calls.count) calls, \(failures.count) failing")
        #expect(failures.isEmpty, "\(failures.count) of \(cases) cases:\n\(failures.prefix(40).joined(separator: "\n"))")
    }

    @Test("any one gateway check answered with a refusal (the key 401, the models unhealthy, no key-ring module): retried and rotated, except a pod without the key-ring module, which abandons before any change",
          arguments: Scenario.allCases)
    func everyGatewayCheckRefused(_ scenario: Scenario) async throws {
        let clean = try world(scenario)
        _ = await drive(scenario, in: clean)
        let calls = clean.cluster.calls
        let checks = calls.indices.filter { calls[$0].hasPrefix("gateway ") }.map { $0 + 1 }
        #expect(checks.count >= 2, "the clean run asks the gateway: \(calls)")
        var failures: [String] = []
        for index in checks {
            let w = try world(scenario)
            defer { try? FileManager.default.removeItem(at: w.dir) }
            w.cluster.refuse(atCall: index)
            let result = await drive(scenario, in: w)
            let call = calls[index - 1]
            let found = try problems(scenario, w, result)
            if !found.isEmpty { failures.append("call \(index) (\(call)) refused: \(found.joined(separator: "; "))") }
            // One refused answer is a moment (a pod restarting, a probe lost): the checks ask again.
            // A pod that answers without the module cannot take part in a key-ring run: preflight stops.
            let inPreflight = !calls[..<(index - 1)].contains { $0.hasPrefix("writeSecret") }
            let expected: RotationRun.Phase = call.hasPrefix("gateway keyRingProbe") && inPreflight ? .abandoned : .succeeded
            let outcome = try? result.get()
            if outcome?.phase != expected {
                failures.append("call \(index) (\(call)) refused: ended \(outcome?.phase.rawValue ?? "with an error"), not \(expected.rawValue): \(outcome?.failure ?? "")")
            }
            if expected == .abandoned, outcome?.failure?.contains("no key-ring module") != true { failures.append("call \(index): the abandoned run does not say why") }
        }
        #expect(failures.isEmpty, "\(failures.count) of \(checks.count) refusals:\n\(failures.joined(separator: "\n"))")
    }

    /// A key-ring run whose gateway rollouts take `takes` on a virtual clock, the engine's bound 5 minutes.
    func slowGatewayRun(takes: Duration, times: Int) throws -> (World, VirtualClock, RotationEngine) {
        let clock = VirtualClock()
        let w = try world(.keyRing, clock: clock)
        w.cluster.slowRollouts(Self.gateway, take: takes, times: times)
        var settings = RotationEngine.Settings()
        settings.clock = clock
        settings.rolloutTimeout = .seconds(300)
        settings.verifyDelay = .milliseconds(500)
        settings.keyRingProbeInterval = .seconds(1)
        return (w, clock, RotationEngine(store: w.store, cluster: w.cluster, gateway: ScriptedGateway(cluster: w.cluster), settings: settings))
    }

    @Test("a gateway rollout within its 5-minute bound is waited for (4 minutes on the clock) and rotates; one slower is waited out, named, and rolled back")
    func slowGatewayRollout() async throws {
        let (inTime, inTimeClock, inTimeEngine) = try slowGatewayRun(takes: .seconds(240), times: 1)
        defer { try? FileManager.default.removeItem(at: inTime.dir) }
        let rotated = try await inTimeEngine.start(policy: inTime.policy, kind: .rotate, actor: Self.actor, reason: "matrix", manualValue: nil)
        #expect(rotated.run.phase == .succeeded, "\(rotated.run.failure ?? "")")
        #expect(inTimeClock.elapsed >= .seconds(240) && inTimeClock.elapsed < .seconds(300), "\(inTimeClock.elapsed)")
        #expect(try problems(.keyRing, inTime, .success(rotated.run)) == [])

        let (late, lateClock, lateEngine) = try slowGatewayRun(takes: .seconds(600), times: 1)
        defer { try? FileManager.default.removeItem(at: late.dir) }
        let rolledBack = try await lateEngine.start(policy: late.policy, kind: .rotate, actor: Self.actor, reason: "matrix", manualValue: nil)
        #expect(rolledBack.run.phase == .rolledBack)
        #expect(rolledBack.run.failure?.contains("rollout of \(Self.gateway)") == true, "\(rolledBack.run.failure ?? "")")
        #expect(lateClock.elapsed >= .seconds(300) && lateClock.elapsed < .seconds(400), "the bound, not the rollout's 10 minutes: \(lateClock.elapsed)")
        #expect(try problems(.keyRing, late, .success(rolledBack.run)) == [])
    }

    @Test("a gateway that stays unready on the way back too: the rollback stops loudly at that wait, journaled there; once its pods start, resume finishes it")
    func stuckRolloutBothWays() async throws {
        let (w, _, engine) = try slowGatewayRun(takes: .seconds(3600), times: 2)
        defer { try? FileManager.default.removeItem(at: w.dir) }
        do {
            let report = try await engine.start(policy: w.policy, kind: .rotate, actor: Self.actor, reason: "matrix", manualValue: nil)
            Issue.record("ended \(report.run.phase.rawValue) although the gateway never became ready")
        } catch let stuck as RollbackFailed {
            #expect(stuck.reason.contains("rollout of \(Self.gateway)"), "\(stuck)")
        }
        let journaled = try #require(try w.store.unfinishedRuns().first)
        guard case .rollbackRoll = journaled.step else { Issue.record("journaled at \(journaled.step)"); return }
        #expect(journaled.rollbackFailure?.contains("rollout of \(Self.gateway)") == true)
        let resumed = try await engine.resume(journaled, policy: w.policy, actor: AuditActor(kind: .system, id: "resume"))
        #expect(resumed.run.phase == .rolledBack)
        #expect(try problems(.keyRing, w, .success(resumed.run)) == [])
    }
}
