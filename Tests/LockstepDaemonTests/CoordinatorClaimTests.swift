import Foundation
import LockstepApp
import LockstepAudit
import LockstepCore
import LockstepEngine
import LockstepKubernetes
import LockstepTesting
import LockstepVault
import Testing
@testable import LockstepDaemon

/// "One run at a time" is claimed before the coordinator first suspends: a scheduler tick and a
/// socket request for two different credentials cannot both get past the check.
@Suite("Rotation coordinator: one run at a time")
struct CoordinatorClaimTests {
    /// Holds every `snapshot()` until two callers have arrived or the test opens it: the exact
    /// interleaving of two concurrent starts, with no timing involved.
    actor GatedLeader: LeadershipView {
        private(set) var arrivals = 0
        private var isOpen = false
        private var held: [CheckedContinuation<Void, Never>] = []

        func snapshot() async -> LeadershipSnapshot {
            arrivals += 1
            if arrivals >= 2 { open() }
            if !isOpen { await withCheckedContinuation { held.append($0) } }
            return LeadershipSnapshot(identity: "test", isLeader: true, holder: "test", observedAt: nil, lease: nil)
        }

        func open() {
            isOpen = true
            held.forEach { $0.resume() }
            held = []
        }
    }

    @Test func twoConcurrentStartsOfDifferentCredentialsCannotBothRun() async throws {
        let dir = try TestEnvironment.temporaryFolder("coordinator")
        defer { try? FileManager.default.removeItem(at: dir) }
        let policies = dir.appendingPathComponent("policies").path
        try FileManager.default.createDirectory(atPath: policies, withIntermediateDirectories: true)
        for name in ["cred-a", "cred-b"] {
            let yaml = KubeObjects.masterKeyPolicy(gatewayURL: "http://127.0.0.1:1")
                .replacingOccurrences(of: "metadata: {name: litellm-master-key}", with: "metadata: {name: \(name)}")
            try yaml.write(toFile: "\(policies)/\(name).yaml", atomically: true, encoding: .utf8)
        }
        let keyFile = dir.appendingPathComponent("vault.key").path
        try VaultKeyFile.generate(at: keyFile)
        let vault = try Vault.create(at: dir.appendingPathComponent("vault.db").path, key: .keyFile(keyFile), actor: AuditActor(kind: .user, id: "tester"))
        let leader = GatedLeader()
        // A closed port: whatever a run gets to do fails at once; this test is about who may start.
        try await KubernetesClient.withClient(KubernetesConfiguration(server: URL(string: "http://127.0.0.1:1")!), logger: quietLogger) { client in
            let coordinator = RotationCoordinator(vault: vault, cluster: KubernetesCluster(client: client), policies: try PolicySet(directory: policies),
                                                  leadership: leader, notifier: NoNotifier(), metrics: DaemonMetrics(), logger: quietLogger)
            let actor = AuditActor(kind: .user, id: "tester")
            let first = Task { try await coordinator.run(RunRequest(credential: "cred-a", kind: .rotate, actor: actor, reason: "scheduled")) }
            #expect(await eventually(timeout: .seconds(10), every: .milliseconds(5)) { await leader.arrivals >= 1 })

            let second = await Result<RunReport, any Error>(catching: { try await coordinator.run(RunRequest(credential: "cred-b", kind: .rotate, actor: actor, reason: "socket")) })
            await leader.open()
            _ = await first.result

            guard case .failure(let error) = second, let problem = error as? AdminWire.Problem else {
                Issue.record("the second start was not refused: \(second)")
                return
            }
            #expect(problem.exitCode == 75)
            #expect(problem.error == "a rotation of cred-a is in progress")
            #expect(await coordinator.activeCredential == nil)
        }
    }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
