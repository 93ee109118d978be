import Foundation
import LockstepApp
import LockstepCore
import LockstepCrypto
import LockstepEngine
import LockstepPolicy
import LockstepTesting
import LockstepVault
import Testing

/// The rotation service's refusals and its claim, on a real (SQLite) vault and no cluster: what
/// the CLI and the daemon both rely on before anything is read from stdin or sent to Kubernetes.
@Suite("Rotation service: the claim, the checks before a run, resume-or-start")
struct RotationServiceTests {
    static let actor = AuditActor(kind: .user, id: "tester")
    static let storedValue = "sk-stored-master-key-000000000001"

    struct Fixture {
        let dir: URL
        let vault: Vault
        let cluster = InMemoryCluster()
        func service(_ settings: RotationService.Settings = .init(), gateway: InMemoryGateway? = nil) -> RotationService {
            var settings = settings
            settings.engine.verifyAttempts = 2
            settings.engine.verifyDelay = .milliseconds(1)
            let gateway = gateway ?? InMemoryGateway(cluster: cluster, keySecret: RotationPolicy.SecretTarget(namespace: "litellm-system", name: "litellm-masterkey", key: "masterkey"))
            return RotationService(store: vault, gateway: { _ in gateway }, settings: settings)
        }
    }

    func withFixture(_ body: (Fixture) async throws -> Void) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("service-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let keyFile = dir.appendingPathComponent("vault.key").path
        try VaultKeyFile.generate(at: keyFile)
        let vault = try Vault.create(at: dir.appendingPathComponent("vault.db").path, key: .keyFile(keyFile), actor: Self.actor)
        let stored = try SecretBytes(utf8: Self.storedValue)
        _ = try vault.importCredential(CredentialName("litellm-master-key"), value: stored, kind: "litellm-master-key", actor: Self.actor)
        let fixture = Fixture(dir: dir, vault: vault)
        for target in try policy().targets { fixture.cluster.put(target, stored) }
        try await body(fixture)
    }

    func policy(manual: Bool = false) throws -> RotationPolicy {
        let text = KubeObjects.masterKeyPolicy(gatewayURL: "http://127.0.0.1:1", source: manual ? "manual: {}" : #"generate: {prefix: "sk-", randomBytes: 32}"#)
        let parsed = PolicyLoader.parse(text, file: "p.yaml")
        return try #require(parsed.policies.first?.0, "\(parsed.problems)")
    }

    func problem(_ body: () throws -> Void) -> ServiceProblem? {
        do { try body() } catch { return ServiceProblem(error) }
        return nil
    }

    func request(_ kind: RotationRun.Kind = .rotate, reason: String? = "scheduled", incident: String? = nil, origin: RunRequest.Origin = .commandLine) -> RunRequest {
        RunRequest(credential: "litellm-master-key", kind: kind, actor: Self.actor, reason: reason, incident: incident, origin: origin)
    }

    @Test("one claim at a time: a second is refused with 75 naming the holder; release (once, or at deinit) frees it")
    func claims() throws {
        let claims = RunClaims()
        let first = try claims.claim("cred-a")
        let refused = problem { _ = try claims.claim("cred-b") }
        #expect(refused?.code == .busy && refused?.message == "a rotation of cred-a is in progress")
        #expect(claims.current == "cred-a")
        first.release()
        first.release()
        #expect(claims.current == nil)
        do { _ = try claims.claim("cred-b") }
        #expect(claims.current == nil, "a claim nobody holds is released")
    }

    @Test("a reason or incident id that quotes a stored value: 65, named as the asker typed it, before anything else")
    func storedValueInText() async throws {
        try await withFixture { f in
            let service = f.service()
            let cli = problem { _ = try service.prepare(request(reason: "leaked \(Self.storedValue)"), policy: try policy(), valueSupplied: false) }
            #expect(cli?.code == .invalidInput && cli?.message.contains("--reason") == true, "\(String(describing: cli))")
            #expect(cli?.message.contains(Self.storedValue) == false)
            let api = problem { _ = try service.prepare(request(.revoke, reason: "incident", incident: Self.storedValue, origin: .adminAPI), policy: try policy(), valueSupplied: false) }
            #expect(api?.code == .invalidInput && api?.message.contains("incident") == true && api?.message.contains("--incident") == false)
        }
    }

    @Test("a revoke without a reason, a manual credential without its value: 64 with a hint; --gateway-url replaces the policy's URL")
    func refusals() async throws {
        try await withFixture { f in
            let service = f.service()
            let noReason = problem { _ = try service.prepare(request(.revoke, reason: ""), policy: try policy(), valueSupplied: false) }
            #expect(noReason?.code == .usage && noReason?.message == "revoke needs a reason")

            // (The policy parser refuses a policy without a gateway; `--gateway-url` replaces its URL.)
            var overridden = RotationService.Settings()
            overridden.gatewayOverride = "http://127.0.0.1:2"
            #expect(try service.prepare(request(), policy: try policy(), valueSupplied: false).gatewayURL == "http://127.0.0.1:1")
            #expect(try f.service(overridden).prepare(request(), policy: try policy(), valueSupplied: false).gatewayURL == "http://127.0.0.1:2")

            let manual = try policy(manual: true)
            let rotate = problem { _ = try service.prepare(request(), policy: manual, valueSupplied: false) }
            #expect(rotate?.code == .usage && rotate?.hint?.contains("lockstep rotate litellm-master-key --value-from-stdin") == true)
            let revoke = problem { _ = try service.prepare(request(.revoke), policy: manual, valueSupplied: false) }
            #expect(revoke?.hint?.contains("lockstep revoke litellm-master-key --reason") == true)
            let supplied = try service.prepare(request(), policy: manual, valueSupplied: true)
            #expect(supplied.needsValue && supplied.resuming == nil)

            // A source that mints its own keys takes no value, and needs none.
            let base = try policy()
            let azure = RotationPolicy(name: base.name, credential: base.credential, kind: .providerKey,
                                       source: .azure(AzureAccount(subscription: "s", resourceGroup: "g", account: "oai", tenant: "t", clientID: "c", clientSecret: try CredentialName("azure-admin"))),
                                       schedule: nil, maxAge: nil, strategy: .rolling, gateway: base.gateway, targets: base.targets, rollouts: base.rollouts, checks: base.checks)
            let minted = problem { _ = try service.prepare(request(), policy: azure, valueSupplied: true) }
            #expect(minted?.code == .usage && minted?.message.contains("minted at Azure (account oai)") == true && minted?.hint?.contains("--value-from-stdin") == true)
            #expect(try service.prepare(request(), policy: azure, valueSupplied: false).needsValue == false)

            // A reason quoting a provider's admin credential (a value in the vault like any other) is refused.
            let adminSecret = "azure-admin-client-secret-in-a-reason-01"
            _ = try f.vault.importCredential(CredentialName("azure-admin"), value: try SecretBytes(utf8: adminSecret), kind: "generic", actor: Self.actor)
            let quoted = problem { _ = try service.prepare(request(.revoke, reason: "rotating \(adminSecret) too"), policy: azure, valueSupplied: false) }
            #expect(quoted?.code == .invalidInput && quoted?.message.contains("--reason") == true)
            #expect(concealed { quoted?.message.contains(adminSecret) == false })
        }
    }

    @Test("an interrupted run is resumed, and then needs no new value, even from a manual source")
    func resumeOrStart() async throws {
        try await withFixture { f in
            let manual = try policy(manual: true)
            let service = f.service()
            #expect(try service.prepare(request(), policy: try policy(), valueSupplied: false).resuming == nil)
            try f.vault.beginRun(RotationRun(id: "run-1", credential: "litellm-master-key", kind: .rotate, policy: manual), actor: Self.actor, reason: nil)
            let prepared = try service.prepare(request(), policy: manual, valueSupplied: false)
            #expect(prepared.resuming?.id == "run-1" && !prepared.needsValue)
        }
    }

    @Test("run refuses a claim for another credential, or one already released")
    func runNeedsItsClaim() async throws {
        try await withFixture { f in
            let service = f.service()
            let other = try service.claim("another")
            await #expect(throws: ServiceProblem.self) { try await service.run(request(), policy: try policy(), on: f.cluster, claim: other) }
            other.release()
            let released = try service.claim("litellm-master-key")
            released.release()
            await #expect(throws: ServiceProblem.self) { try await service.run(request(), policy: try policy(), on: f.cluster, claim: released) }
            #expect(service.activeCredential == nil)
        }
    }

    @Test("a run through the service over the port fakes: rotated and verified; a gateway that keeps its key: rolled back, old value everywhere")
    func runsOverPortFakes() async throws {
        try await withFixture { f in
            let service = f.service()
            let claim = try service.claim("litellm-master-key")
            let report = try await service.run(request(), policy: try policy(), on: f.cluster, claim: claim)
            claim.release()
            #expect(RunOutcome(phase: report.run.phase) == .succeeded, "\(report.run.failure ?? "")")
            let current = try f.vault.value(of: "litellm-master-key")
            for target in try policy().targets {
                #expect(f.cluster.value(target).map { $0.constantTimeEquals(current) } == true, "\(target) holds the new current value")
            }

            let stuck = InMemoryGateway(cluster: f.cluster, keySecret: try policy().targets[1])
            stuck.refuseNewKeys(true)
            let second = f.service(gateway: stuck)
            let again = try second.claim("litellm-master-key")
            defer { again.release() }
            let failed = try await second.run(request(), policy: try policy(), on: f.cluster, claim: again)
            #expect(RunOutcome(phase: failed.run.phase) == .rolledBack)
            #expect(RunOutcome(phase: failed.run.phase).exitCode == .rolledBack)
            for target in try policy().targets {
                #expect(f.cluster.value(target).map { $0.constantTimeEquals(current) } == true, "\(target) holds the old value again")
            }
        }
    }

    @Test("outcomes map to exit codes and problems in one place")
    func outcomes() {
        #expect(RunOutcome(phase: .succeeded) == .succeeded && RunOutcome.succeeded.exitCode == .success)
        #expect(RunOutcome(phase: .rolledBack).exitCode == .rolledBack)
        #expect(RunOutcome(phase: .abandoned).exitCode == .notStarted)
        #expect(RunOutcome(phase: .rollbackDeliver).exitCode == .rollbackStuck)
        #expect(RunOutcome(wire: "no-such-phase") == .stopped(.preflight))
        #expect(RunOutcome.succeeded.problem(run: "r", credential: "c", failure: nil, wirePhase: "succeeded") == nil)
        let rolledBack = RunOutcome.rolledBack.problem(run: "r", credential: "c", failure: "gateway refused", wirePhase: "rolledBack")
        #expect(rolledBack?.code == .rolledBack && rolledBack?.message.contains("gateway refused") == true && rolledBack?.hint?.contains("lockstep history c") == true)
        #expect(ExitCode(error: ServiceProblem("x", hint: nil, code: .busy)) == .busy)
        #expect(ExitCode.busy.httpStatus == 503 && ExitCode.rolledBack.httpStatus == 200 && ExitCode.notFound.httpStatus == 404)
    }
}
