import LockstepTesting
import Foundation
import KubeSim
import LockstepKubernetes
import ServiceLifecycle
import Synchronization
import Testing
@testable import LockstepDaemon

/// Two electors with real Kubernetes clients against KubeSim, with short timings
/// (lease 2 s, renew deadline 1.5 s, retry 0.3 s). Waits are bounded polls with deadlines.
@Suite("LeaderElector against KubeSim", .serialized)
struct LeaderElectorKubeSimTests {
    static func settings(_ identity: String) throws -> LeaseSettings {
        try LeaseSettings(namespace: "lockstep", name: "lockstep-leader", identity: identity,
                          leaseDuration: .seconds(2), renewDeadline: .milliseconds(1500), retryPeriod: .milliseconds(300))
    }

    /// A store that can be cut off, as a killed process stops writing: every call fails from then on.
    final class CuttableStore: LeaseStore {
        let inner: KubernetesLeaseStore
        private let isCut = Mutex(false)
        init(_ inner: KubernetesLeaseStore) { self.inner = inner }
        func cut() { isCut.withLock { $0 = true } }
        private func check() throws { if isCut.withLock({ $0 }) { throw LeaseStoreError.other("process killed") } }
        func get() async throws -> Lease { try check(); return try await inner.get() }
        func create(_ spec: Lease.Spec) async throws -> Lease { try check(); return try await inner.create(spec) }
        func update(_ lease: Lease) async throws -> Lease { try check(); return try await inner.update(lease) }
    }

    static func leaders(_ electors: [LeaderElector]) async -> Int {
        var count = 0
        for elector in electors where await elector.snapshot().isLeader { count += 1 }
        return count
    }

    static func storedLease(_ sim: RunningKubeSim) -> JSONValue? {
        sim.get(.leases, namespace: "lockstep", name: "lockstep-leader")
    }

    @Test("two electors: exactly one leads at every sampled moment, and it is the holder in the Lease")
    func exactlyOneLeads() async throws {
        // A longer renew deadline than the other tests: on a machine starved by parallel builds a
        // renewal can be seconds late, and then "no leader for a while" is the correct answer.
        // Two leaders at once would be a bug at any load.
        let timings = { (identity: String) in
            try LeaseSettings(namespace: "lockstep", name: "lockstep-leader", identity: identity,
                              leaseDuration: .seconds(5), renewDeadline: .seconds(4), retryPeriod: .milliseconds(300))
        }
        try await withHTTPKubeSim { sim in
            let clientA = try makeClient(sim), clientB = try makeClient(sim)
            let a = LeaderElector(settings: try timings("pod-a"), client: clientA, logger: quietLogger)
            let b = LeaderElector(settings: try timings("pod-b"), client: clientB, logger: quietLogger)
            let runA = Task { try await a.run() }, runB = Task { try await b.run() }
            #expect(await eventually(timeout: .seconds(20), every: .milliseconds(20)) { await Self.leaders([a, b]) == 1 })
            var counts: [Int: Int] = [:]
            let end = ContinuousClock.now.advanced(by: .seconds(3))
            while ContinuousClock.now < end {
                counts[await Self.leaders([a, b]), default: 0] += 1
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(counts.values.reduce(0, +) > 10)
            #expect(counts[2] == nil, "two leaders at once: \(counts)")
            #expect(counts[0] == nil, "no leader for a while: \(counts)")
            let leader = await a.snapshot().isLeader ? "pod-a" : "pod-b"
            #expect(Self.storedLease(sim)?["spec"]?["holderIdentity"]?.stringValue == leader)
            #expect(await a.snapshot().holder == leader)
            #expect(await b.snapshot().holder == leader)
            runA.cancel(); runB.cancel()
            _ = await (runA.result, runB.result)
            try await clientA.close(); try await clientB.close()
        }
    }

    @Test("a killed leader (no release) is replaced after about leaseDuration + retryPeriod, never earlier than the expiry allows")
    func killedLeaderIsReplaced() async throws {
        try await withHTTPKubeSim { sim in
            let clientA = try makeClient(sim), clientB = try makeClient(sim)
            let storeA = CuttableStore(KubernetesLeaseStore(client: clientA, settings: try Self.settings("pod-a")))
            let a = LeaderElector(settings: try Self.settings("pod-a"), store: storeA, logger: quietLogger)
            let b = LeaderElector(settings: try Self.settings("pod-b"), client: clientB, logger: quietLogger)
            let runA = Task { try await a.run() }
            #expect(await eventually(timeout: .seconds(20), every: .milliseconds(20)) { await a.snapshot().isLeader })
            let runB = Task { try await b.run() }
            #expect(await eventually(timeout: .seconds(20), every: .milliseconds(20)) { await b.snapshot().holder == "pod-a" })

            storeA.cut()
            runA.cancel()
            let killed = ContinuousClock.now
            _ = await runA.result
            var overlap = false
            let tookOver = await eventually(timeout: .seconds(6), every: .milliseconds(20)) {
                if await Self.leaders([a, b]) > 1 { overlap = true }
                return await b.snapshot().isLeader
            }
            let elapsed = ContinuousClock.now - killed
            #expect(tookOver)
            #expect(!overlap)
            #expect(elapsed < .milliseconds(2300) + .milliseconds(1200), "lease 2 s + retry 0.3 s, with slack for a loaded machine")
            #expect(elapsed > .seconds(1), "a standby must wait for the lease to expire as it observed it")
            #expect(Self.storedLease(sim)?["spec"]?["holderIdentity"]?.stringValue == "pod-b")
            #expect(Self.storedLease(sim)?["spec"]?["leaseTransitions"]?.intValue == 1)
            runB.cancel()
            _ = await runB.result
            try await clientA.close(); try await clientB.close()
        }
    }

    @Test("graceful shutdown releases the Lease: the standby leads within about one retry period")
    func gracefulReleaseHandsOver() async throws {
        try await withHTTPKubeSim { sim in
            let clientA = try makeClient(sim), clientB = try makeClient(sim)
            let logs = CapturedLogs()
            let a = LeaderElector(settings: try Self.settings("pod-a"), client: clientA, logger: logs.logger)
            let b = LeaderElector(settings: try Self.settings("pod-b"), client: clientB, logger: quietLogger)
            let group = ServiceGroup(configuration: .init(services: [a], gracefulShutdownSignals: [], logger: quietLogger))
            let runA = Task { try await group.run() }
            #expect(await eventually(timeout: .seconds(20), every: .milliseconds(20)) { await a.snapshot().isLeader })
            let runB = Task { try await b.run() }
            #expect(await eventually(timeout: .seconds(20), every: .milliseconds(20)) { await b.snapshot().holder == "pod-a" })

            let changes = await a.changes()
            await group.triggerGracefulShutdown()
            let released = ContinuousClock.now
            try await runA.value
            #expect(await !a.snapshot().isLeader)
            #expect(await eventually(timeout: .seconds(10), every: .milliseconds(20)) { await b.snapshot().isLeader })
            let elapsed = ContinuousClock.now - released
            #expect(elapsed < .milliseconds(1500), "retry 0.3 s with slack for a loaded machine; without the release it takes at least 1.7 s")
            #expect(Self.storedLease(sim)?["spec"]?["leaseTransitions"]?.intValue == 1, "created by pod-a (0), released (kept), taken by pod-b (+1)")

            // The stream told a subscriber that pod-a stopped leading, and ended with run().
            var seen: [Bool] = []
            for await snapshot in changes { seen.append(snapshot.isLeader) }
            #expect(seen.first == true)
            #expect(seen.last == false)
            // Transitions are logged, with the Lease and identity.
            for line in ["became leader", "stopped leading", "released the lease"] {
                #expect(logs.all.contains { $0.contains(line) && $0.contains("lockstep/lockstep-leader") && $0.contains("pod-a") }, "\(line)")
            }
            runB.cancel()
            _ = await runB.result
            try await clientA.close(); try await clientB.close()
        }
    }

    @Test("waitUntilLeader returns once leading, and throws when cancelled while a standby")
    func waitUntilLeader() async throws {
        try await withHTTPKubeSim { sim in
            let clientA = try makeClient(sim), clientB = try makeClient(sim)
            let a = LeaderElector(settings: try Self.settings("pod-a"), client: clientA, logger: quietLogger)
            let b = LeaderElector(settings: try Self.settings("pod-b"), client: clientB, logger: quietLogger)
            let runA = Task { try await a.run() }
            try await a.waitUntilLeader()
            #expect(await a.snapshot().isLeader)
            let runB = Task { try await b.run() }
            let waiter = Task { try await b.waitUntilLeader() }
            try await Task.sleep(for: .milliseconds(400))
            waiter.cancel()
            await #expect(throws: CancellationError.self) { try await waiter.value }
            runA.cancel(); runB.cancel()
            _ = await (runA.result, runB.result)
            try await clientA.close(); try await clientB.close()
        }
    }
}
