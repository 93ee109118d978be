import Foundation
import LockstepApp
import LockstepCore
import LockstepCrypto
import LockstepEngine
import LockstepPolicy
import LockstepTesting
import Testing

/// `revoke --all` over port fakes: one gateway with a master key and three provider keys (Azure
/// minted and retired at its source, Anthropic retired at its source with a value a person made,
/// a manual one), the order, the parallel preflight, what needs a person, a second pass with the
/// same incident id, an interrupted run resumed, a rollback that does not stop the others.
@Suite("revoke --all: one incident over port fakes")
struct IncidentServiceTests {
    static let master = RotationPolicy.SecretTarget(namespace: "litellm-system", name: "litellm-masterkey", key: "masterkey")
    static let backend = RotationPolicy.SecretTarget(namespace: "unique", name: "chat-backend-litellm", key: "LITELLM_API_KEY")
    static let env = (azure: RotationPolicy.SecretTarget(namespace: "litellm-system", name: "litellm-env-secret", key: "AZURE_API_KEY"),
                      anthropic: RotationPolicy.SecretTarget(namespace: "litellm-system", name: "litellm-env-secret", key: "ANTHROPIC_API_KEY"),
                      openai: RotationPolicy.SecretTarget(namespace: "litellm-system", name: "litellm-env-secret", key: "OPENAI_API_KEY"))
    static let euAzure = RotationPolicy.SecretTarget(namespace: "litellm-eu", name: "litellm-env-secret", key: "AZURE_API_KEY")

    /// A gateway whose master key is the one its Secret holds, and whose models are healthy when
    /// their provider accepts the key in theirs and the caller brings the master key.
    final class Gateway: GatewayPort, Sendable {
        let masterGateway: InMemoryGateway
        let cluster: InMemoryCluster
        let models: [String: (RotationPolicy.SecretTarget, TwoKeyProvider)]
        let address = "http://gateway.test:4000"
        init(cluster: InMemoryCluster, models: [String: (RotationPolicy.SecretTarget, TwoKeyProvider)]) {
            self.cluster = cluster
            self.models = models
            masterGateway = InMemoryGateway(cluster: cluster, keySecret: IncidentServiceTests.master)
        }
        func isReady() async -> Bool { true }
        func accepts(_ key: SecretBytes) async throws -> Bool { try await masterGateway.accepts(key) }
        func health(models asked: [String], masterKey: SecretBytes) async throws -> [String: Bool] {
            guard try await masterGateway.accepts(masterKey) else { throw Unauthorized() }
            return Dictionary(uniqueKeysWithValues: asked.map { m in (m, models[m].map { t, p in cluster.value(t).map(p.accepts) ?? false } ?? false) })
        }
        func registerBridgeKey(_ key: SecretBytes, alias: String, masterKey: SecretBytes) async throws {}
        func removeBridgeKey(alias: String, masterKey: SecretBytes) async throws {}
        func accepts(_ key: SecretBytes, atPod url: String) async throws -> Bool { try await accepts(key) }
        func keyRingProbe(atPod url: String) async throws -> KeyRingProbe { .absent("no module") }
        func refuseNewMasterKeys(_ refuse: Bool) { masterGateway.refuseNewKeys(refuse) }
    }

    struct World {
        let store: InMemoryStore
        let cluster = InMemoryCluster()
        let azure: TwoKeyProvider
        let anthropic: TwoKeyProvider
        let openai: TwoKeyProvider
        let gateway: Gateway
        let old: [String: SecretBytes]
        let policies: [RotationPolicy]

        /// `azureElsewhere`: the Azure key is held by a second gateway (its own URL, Deployment and
        /// Secret), independent of the first's credentials.
        init(withManual: Bool = true, azureElsewhere: Bool = false) throws {
            func value(_ s: String) throws -> SecretBytes { try SecretBytes(utf8: s) }
            old = ["litellm-master-key": try value("sk-master-old-000000000000000001"), "azure-api-key": try value("azure-key-one-0000000000000001"),
                   "anthropic-api-key": try value("sk-ant-admin01-old-000000000001"), "openai-api-key": try value("sk-proj-old-00000000000000000001")]
            azure = TwoKeyProvider(key1: old["azure-api-key"]!, key2: try value("azure-key-two-0000000000000002"))
            anthropic = TwoKeyProvider(key1: old["anthropic-api-key"]!, key2: try value("sk-ant-admin01-new-000000000002"))
            openai = TwoKeyProvider(key1: old["openai-api-key"]!, key2: try value("sk-proj-new-00000000000000000002"))
            store = try InMemoryStore()
            try store.importCredential("litellm-master-key", value: old["litellm-master-key"]!, kind: "litellm-master-key")
            cluster.put(IncidentServiceTests.master, old["litellm-master-key"]!)
            cluster.put(IncidentServiceTests.backend, old["litellm-master-key"]!)
            let env = IncidentServiceTests.env
            let azureTarget = azureElsewhere ? IncidentServiceTests.euAzure : env.azure
            for (name, target) in [("azure-api-key", azureTarget), ("anthropic-api-key", env.anthropic), ("openai-api-key", env.openai)] {
                try store.importCredential(name, value: old[name]!, kind: "provider-key")
                cluster.put(target, old[name]!)
            }
            gateway = Gateway(cluster: cluster, models: ["azure-gpt-4o": (azureTarget, azure), "claude": (env.anthropic, anthropic), "gpt-4o": (env.openai, openai)])
            let master = try #require(PolicyLoader.parse(KubeObjects.masterKeyPolicy(gatewayURL: "http://gateway.test:4000"), file: "m.yaml").policies.first?.0)
            func provider(_ name: String, _ source: RotationPolicy.Source, _ target: RotationPolicy.SecretTarget, _ model: String,
                          gateway: String = "http://gateway.test:4000") throws -> RotationPolicy {
                RotationPolicy(name: name, credential: try CredentialName(name), kind: .providerKey, source: source, schedule: nil, maxAge: nil, strategy: .rolling,
                               gateway: .init(url: gateway, models: [model]), targets: [target],
                               rollouts: [.init(namespace: target.namespace, name: "litellm")], checks: .init(newKeyAccepted: false, oldKeyRefused: false))
            }
            let account = AzureAccount(subscription: "s", resourceGroup: "g", account: "oai", tenant: "t", clientID: "c", clientSecret: try CredentialName("azure-admin"))
            // Listed out of order: the plan orders them.
            policies = [try provider("anthropic-api-key", .anthropic(AnthropicOrganization(adminKey: try CredentialName("anthropic-admin"))), env.anthropic, "claude")]
                + (withManual ? [try provider("openai-api-key", .manual, env.openai, "gpt-4o")] : [])
                + [try provider("azure-api-key", .azure(account), azureTarget, "azure-gpt-4o", gateway: azureElsewhere ? "http://gateway-eu.test:4000" : "http://gateway.test:4000"),
                   master]
        }

        func responder(beforeStep: (@Sendable () async throws -> Void)? = nil) -> IncidentService {
            var settings = RotationService.Settings()
            settings.engine.verifyAttempts = 2
            settings.engine.verifyDelay = .milliseconds(1)
            settings.engine.beforeStep = beforeStep
            let (gateway, azure, anthropic) = (gateway, azure, anthropic)
            let service = RotationService(store: store, gateway: { _ in gateway }, settings: settings, keySources: { source in
                switch source {
                case .azure: azure
                case .anthropic: anthropic
                default: nil
                }
            })
            return IncidentService(service: service, store: store)
        }

        func request(_ id: String = "INC-2026-0042", values: [String: String] = [:], reason: String = "litellm 1.82.7 stealer") throws -> IncidentService.Request {
            IncidentService.Request(incident: try IncidentID(id), reason: reason, policies: policies, values: try values.mapValues { try SecretBytes(utf8: $0) }, origin: .commandLine)
        }

        /// The credentials whose revoke started, in order.
        var started: [String] { store.auditTrail.filter { $0.action == .rotationStarted }.compactMap(\.credential) }
        func still(_ name: String, _ target: RotationPolicy.SecretTarget) -> Bool { cluster.value(target)?.constantTimeEquals(old[name]!) == true }
    }

    @Test("every credential revoked in order (master key, minted, person-made); each old value refused at its source; exit 0; the journal folds to the same report")
    func everyOldValueRefused() async throws {
        let w = try World(withManual: false)
        let report = try await w.responder().respond(try w.request(values: ["anthropic-api-key": "sk-ant-admin01-new-000000000002"]), on: w.cluster)
        #expect(report.entries.map(\.credential) == ["litellm-master-key", "azure-api-key", "anthropic-api-key"])
        #expect(w.started == ["litellm-master-key", "azure-api-key", "anthropic-api-key"])
        #expect(report.entries.map(\.state) == [.refused, .refused, .refused], "\(report.summaryLines)")
        #expect(report.entries.map(\.refusedAt) == [.gateway, .provider, .provider])
        #expect(report.allRefused && report.exitCode == .success && report.everyOldValueRefusedAfterMillis != nil)
        #expect(concealed { !w.azure.accepts(w.old["azure-api-key"]!) && !w.anthropic.accepts(w.old["anthropic-api-key"]!) })
        #expect(concealed { !w.still("litellm-master-key", Self.master) && !w.still("litellm-master-key", Self.backend) })
        let actions = w.store.auditTrail.map(\.action)
        #expect(actions.first { $0 == .incidentOpened || $0 == .rotationStarted } == .incidentOpened && actions.last == .incidentClosed)
        #expect(w.store.auditTrail.last?.outcome == .success)
        #expect(w.store.auditTrail.filter { $0.action == .rotationStarted }.allSatisfy { $0.actor == AuditActor(kind: .incident, id: "INC-2026-0042") })
        // What `history --incident` shows is what the command showed.
        let folded = try #require(IncidentReport.fold(try w.store.events(by: AuditActor(kind: .incident, id: "INC-2026-0042")), incident: "INC-2026-0042"))
        #expect(folded.entries == report.entries)
    }

    @Test("an admin key without rights is found by the parallel preflight before any run; a key only a person can mint waits for one; a manual key stays valid at its provider; exit 23")
    func whatNeedsAPerson() async throws {
        let w = try World()
        w.azure.set(.forbidden)
        let report = try await w.responder().respond(try w.request(values: ["openai-api-key": "sk-proj-new-00000000000000000002"]), on: w.cluster)
        let byName = Dictionary(uniqueKeysWithValues: report.entries.map { ($0.credential, $0) })
        #expect(report.entries.map(\.credential) == ["litellm-master-key", "azure-api-key", "anthropic-api-key", "openai-api-key"])
        #expect(byName["litellm-master-key"]?.state == .refused)
        #expect(byName["azure-api-key"]?.state == .needsPerson && byName["azure-api-key"]?.note?.contains("403 AuthorizationFailed") == true)
        #expect(byName["anthropic-api-key"]?.state == .needsPerson && byName["anthropic-api-key"]?.note?.contains("--value-file anthropic-api-key=PATH") == true)
        #expect(byName["openai-api-key"]?.state == .stillValidAtSource && byName["openai-api-key"]?.note?.contains("delete") == true)
        #expect(report.exitCode == .incidentIncomplete)
        #expect(w.started == ["litellm-master-key", "openai-api-key"], "nothing ran for the blocked ones")
        #expect(w.azure.regenerations == 0 && w.still("azure-api-key", Self.env.azure) && w.still("anthropic-api-key", Self.env.anthropic))
        #expect(w.store.auditTrail.last?.action == .incidentClosed && w.store.auditTrail.last?.outcome == .failure)

        // The admin role fixed, the Anthropic key made: the same command again does only what is left.
        w.azure.set(.none)
        let again = try await w.responder().respond(try w.request(values: ["anthropic-api-key": "sk-ant-admin01-new-000000000002", "openai-api-key": "sk-proj-new-00000000000000000002"]),
                                                    on: w.cluster)
        #expect(w.started == ["litellm-master-key", "openai-api-key", "azure-api-key", "anthropic-api-key"],
                "what the first pass did is not done twice (the manual key's old value is the person's to delete)")
        let second = Dictionary(uniqueKeysWithValues: again.entries.map { ($0.credential, $0) })
        #expect(second["litellm-master-key"]?.refusedAfterMillis == byName["litellm-master-key"]?.refusedAfterMillis, "its refusal is the first pass's")
        #expect(second["azure-api-key"]?.state == .refused && second["anthropic-api-key"]?.state == .refused)
        #expect(second["openai-api-key"]?.state == .stillValidAtSource && again.exitCode == .incidentIncomplete)
        #expect(w.store.auditTrail.filter { $0.action == .incidentOpened }.map { $0.detail?.hasPrefix("revoke --all taken up again") } == [false, true])
    }

    @Test("interrupted before each step of the incident (the daemon stopping): journaled; the same command resumes that run, not a new one, and ends with every old value refused")
    func interruptedAndResumed() async throws {
        let values = ["anthropic-api-key": "sk-ant-admin01-new-000000000002"]
        let total = try await { () -> Int in
            let w = try World(withManual: false)
            let steps = StepCounter()
            _ = try await w.responder { _ = steps.next() }.respond(try w.request(values: values), on: w.cluster)
            return steps.next() - 1
        }()
        #expect(total >= 30)
        for stop in 1...total {
            let w = try World(withManual: false)
            let steps = StepCounter()
            let stopping = w.responder { if steps.next() == stop { throw RunInterruption.shuttingDown } }
            let request = try w.request(values: values)
            await #expect(throws: RunInterruption.self, "step \(stop)") { _ = try await stopping.respond(request, on: w.cluster) }
            let unfinished = try #require(try w.store.unfinishedRuns().first, "step \(stop)")
            let report = try await w.responder().respond(request, on: w.cluster)
            #expect(report.allRefused, "step \(stop): \(report.summaryLines)")
            #expect(report.entries.first { $0.credential == unfinished.credential }?.run == unfinished.id, "step \(stop): the interrupted run is the one that finished")
            #expect(w.started.count == 3, "step \(stop): every credential's revoke started once: \(w.started)")
            #expect(w.azure.regenerations == 2 && w.anthropic.regenerations == 1, "step \(stop): minted once, retired once")
        }
    }

    @Test("credentials that share no gateway, Deployment or Secret are lanes of their own; a lane keeps the plan's order")
    func lanes() throws {
        let one = IncidentPlan.make(try World().policies, suppliedValues: [])
        #expect(one.lanes.map { $0.map(\.credential) } == [["litellm-master-key", "azure-api-key", "anthropic-api-key", "openai-api-key"]])
        let two = IncidentPlan.make(try World(azureElsewhere: true).policies, suppliedValues: [])
        #expect(two.lanes.map { $0.map(\.credential) } == [["litellm-master-key", "anthropic-api-key", "openai-api-key"], ["azure-api-key"]])
    }

    @Test("two gateways' credentials are revoked in parallel: each run waits, before its first step, for the other's to begin; both old values refused at their provider")
    func lanesRunInParallel() async throws {
        let w = try World(withManual: false, azureElsewhere: true)
        let gate = Rendezvous()
        let bound = Task { try await Task.sleep(for: .seconds(10)); await gate.giveUp() }
        defer { bound.cancel() }
        let responder = w.responder {
            guard await gate.arrive() else { throw Unauthorized(description: "the other lane's run did not begin within 10 s: the lanes ran one after another") }
        }
        let providers = w.policies.filter { $0.kind == .providerKey }
        let request = IncidentService.Request(incident: try IncidentID("INC-2026-0043"), reason: "two gateways", policies: providers,
                                              values: ["anthropic-api-key": try SecretBytes(utf8: "sk-ant-admin01-new-000000000002")], origin: .commandLine)
        let report = try await responder.respond(request, on: w.cluster)
        #expect(report.entries.map(\.state) == [.refused, .refused], "\(report.summaryLines)")
        #expect(Set(w.started) == ["azure-api-key", "anthropic-api-key"])
        #expect(concealed { !w.azure.accepts(w.old["azure-api-key"]!) && !w.anthropic.accepts(w.old["anthropic-api-key"]!) })
    }

    @Test("the master key's run rolls back: the provider keys are still revoked; exit 20 and the old master key is in place")
    func oneRollsBack() async throws {
        let w = try World(withManual: false)
        w.gateway.refuseNewMasterKeys(true)
        let report = try await w.responder().respond(try w.request(values: ["anthropic-api-key": "sk-ant-admin01-new-000000000002"]), on: w.cluster)
        #expect(report.entries.map(\.state) == [.rolledBack, .refused, .refused], "\(report.summaryLines)")
        #expect(report.exitCode == .rolledBack)
        #expect(w.still("litellm-master-key", Self.master) && w.still("litellm-master-key", Self.backend))
    }

    @Test("refused before anything is written: no reason (64), a reason quoting a stored value (65, not echoed), a value for a credential not in the incident (64), a bad id (64)")
    func refusals() async throws {
        let w = try World()
        let entries = w.store.auditTrail.count
        func problem(_ body: () async throws -> Void) async -> ServiceProblem? {
            do { try await body() } catch { return ServiceProblem(error) }
            return nil
        }
        let noReason = await problem { _ = try await w.responder().respond(try w.request(reason: ""), on: w.cluster) }
        #expect(noReason?.code == .usage && noReason?.message == "revoke --all needs a reason")
        let quoted = await problem { _ = try await w.responder().respond(try w.request(reason: "leaked sk-master-old-000000000000000001"), on: w.cluster) }
        // (The in-memory store's refusal; the vault's is 65, RotationServiceTests.)
        #expect(quoted != nil && quoted?.message.contains("sk-master-old") == false)
        let asID = await problem { _ = try await w.responder().respond(try w.request("sk-master-old-000000000000000001"), on: w.cluster) }
        #expect(asID != nil && asID?.message.contains("sk-master-old") == false, "an incident id that is a stored value is refused, not echoed")
        let stray = await problem { _ = try await w.responder().respond(try w.request(values: ["gemini-api-key": "x"]), on: w.cluster) }
        #expect(stray?.code == .usage && stray?.message.contains("gemini-api-key") == true)
        for bad in ["", "two words", String(repeating: "x", count: 65), "INC;rm"] {
            #expect((await problem { _ = try IncidentID(bad) })?.code == .usage, "\(bad)")
        }
        #expect(w.store.auditTrail.count == entries && w.started.isEmpty)
    }

    struct Unauthorized: Error, CustomStringConvertible { var description = "401: the master key is not the gateway's" }

    /// The first arrival waits for a second (or for ``giveUp``); later ones pass.
    actor Rendezvous {
        private var arrived = 0
        private var waiting: CheckedContinuation<Bool, Never>?
        func arrive() async -> Bool {
            arrived += 1
            if arrived > 1 {
                waiting?.resume(returning: true)
                waiting = nil
                return true
            }
            return await withCheckedContinuation { waiting = $0 }
        }
        func giveUp() {
            waiting?.resume(returning: false)
            waiting = nil
        }
    }

    final class StepCounter: @unchecked Sendable {
        private let lock = NSLock()
        private var n = 0
        func next() -> Int { lock.withLock { n += 1; return n } }
    }
}
