import Foundation
import LockstepKubernetes
import LockstepTesting
import Synchronization
import Testing
@testable import LockstepDaemon

/// The elector on a clock the test moves: the production timings (lease 15 s, renew deadline
/// 10 s, retry 2 s) play out in milliseconds, and the moments of expiry and takeover are checked
/// to the step, which the KubeSim suite (real time, short timings) can only bound loosely.
@Suite("LeaderElector on a manual clock")
struct LeaderElectorClockTests {
    static let retry = Duration.seconds(2)

    static func settings(_ identity: String) throws -> LeaseSettings {
        try LeaseSettings(namespace: "lockstep", name: "lockstep-leader", identity: identity,
                          leaseDuration: .seconds(15), renewDeadline: .seconds(10), retryPeriod: retry)
    }

    // Quiescence: an elector between attempts sleeps until its next retry (at most `retry` away);
    // one in the middle of a Lease call sleeps only in the call's bound (the renew deadline away).
    // Counting only the sleepers due within `retry` waits until each has finished its attempt.

    /// One Lease in memory, with the apiserver's optimistic concurrency (resourceVersion, 409).
    final class MemoryLease: Sendable {
        private let lease = Mutex<Lease?>(nil)
        private let version = Mutex(0)

        func get() throws -> Lease {
            guard let l = lease.withLock({ $0 }) else { throw LeaseStoreError.notFound }
            return l
        }

        func create(_ spec: Lease.Spec) throws -> Lease {
            try lease.withLock { stored in
                guard stored == nil else { throw LeaseStoreError.conflict }
                let created = Lease(metadata: ObjectMeta(name: "lockstep-leader", namespace: "lockstep", resourceVersion: next()), spec: spec)
                stored = created
                return created
            }
        }

        func update(_ new: Lease) throws -> Lease {
            try lease.withLock { stored in
                guard let current = stored, current.metadata.resourceVersion == new.metadata.resourceVersion else { throw LeaseStoreError.conflict }
                var written = new
                written.metadata.resourceVersion = next()
                stored = written
                return written
            }
        }

        private func next() -> String { version.withLock { $0 += 1; return String($0) } }
    }

    /// One elector's view of the Lease: it can be cut off (a killed process) or made to hang
    /// (a network that answers nothing); a hanging call waits until it is cancelled.
    final class Link: LeaseStore {
        enum Mode { case up, cut, hang }
        let lease: MemoryLease
        private let mode = Mutex(Mode.up)
        init(_ lease: MemoryLease) { self.lease = lease }
        func set(_ m: Mode) { mode.withLock { $0 = m } }
        private func pass() async throws {
            switch mode.withLock({ $0 }) {
            case .up: return
            case .cut: throw LeaseStoreError.other("process killed")
            case .hang: try await Task.sleep(for: .seconds(600)); throw LeaseStoreError.other("hung")
            }
        }
        func get() async throws -> Lease { try await pass(); return try lease.get() }
        func create(_ spec: Lease.Spec) async throws -> Lease { try await pass(); return try lease.create(spec) }
        func update(_ l: Lease) async throws -> Lease { try await pass(); return try lease.update(l) }
    }

    /// Runs an elector until `stop` is called; `stop` returns once `run()` has returned (30 s bound).
    static func start(_ elector: LeaseElector<ManualClock>) -> @Sendable () async -> Bool {
        let finished = Finished()
        let task = Task {
            try? await elector.run()
            finished.flag.withLock { $0 = true }
        }
        return {
            task.cancel()
            return await eventually(timeout: .seconds(30), every: .milliseconds(5)) { finished.flag.withLock { $0 } }
        }
    }

    final class Finished: Sendable { let flag = Mutex(false) }

    @Test("a Lease call that hangs: leadership lapses at the renew deadline, while the call still hangs, and the call is given up at its own bound")
    func hangingRenewal() async throws {
        let clock = ManualClock()
        let link = Link(MemoryLease())
        let elector = LeaseElector(settings: try Self.settings("pod-a"), store: link, clock: clock, logger: quietLogger)
        let stop = Self.start(elector)
        #expect(await eventually(timeout: .seconds(30), every: .milliseconds(5)) { await elector.snapshot().isLeader }, "acquired at 0 s")
        #expect(await clock.waitForSleepers(1, wakingWithin: Self.retry), "asleep until the next renewal")

        link.set(.hang)
        clock.advance(by: .seconds(2)) // the renewal starts and hangs; its bound sleeps until 12 s
        #expect(await clock.waitForSleepers(1), "the hanging call's bound")
        clock.advance(by: .seconds(7)) // 9 s: within the renew deadline of the last renewal (0 s)
        #expect(await elector.snapshot().isLeader)
        clock.advance(by: .seconds(1)) // 10 s: the renew deadline
        #expect(await elector.snapshot().isLeader == false, "leadership must lapse at the deadline, not when the call ends")
        #expect(clock.sleeperCount == 1, "the call is still waiting for its bound")

        link.set(.up)
        clock.advance(by: .seconds(2)) // 12 s: the bound ends the call, which failed; retry at 14 s
        #expect(await clock.waitForSleepers(1, wakingWithin: Self.retry), "asleep until the retry")
        #expect(await elector.snapshot().isLeader == false)
        clock.advance(by: .seconds(2)) // 14 s: the next attempt re-acquires
        #expect(await eventually(timeout: .seconds(30), every: .milliseconds(5)) { await elector.snapshot().isLeader },
                "the same holder renews once the Lease answers again")
        #expect(await stop(), "run() returned after cancellation")
    }

    @Test("the leader stops writing: it stops leading at its renew deadline, the standby takes over one lease duration after it last saw a change, and never are there two leaders")
    func standbyTakesOver() async throws {
        let clock = ManualClock()
        let lease = MemoryLease()
        let linkA = Link(lease), linkB = Link(lease)
        let a = LeaseElector(settings: try Self.settings("pod-a"), store: linkA, clock: clock, logger: quietLogger)
        let b = LeaseElector(settings: try Self.settings("pod-b"), store: linkB, clock: clock, logger: quietLogger)
        let stopA = Self.start(a)
        #expect(await eventually(timeout: .seconds(30), every: .milliseconds(5)) { await a.snapshot().isLeader })
        #expect(await clock.waitForSleepers(1, wakingWithin: Self.retry))
        let stopB = Self.start(b)
        #expect(await clock.waitForSleepers(2, wakingWithin: Self.retry), "the standby read the Lease held by pod-a and sleeps")
        #expect(await b.snapshot().holder == "pod-a")

        linkA.set(.cut) // at 0 s, right after pod-a's last write
        var aStopped: Duration?, bLeads: Duration?
        for _ in 0..<30 {
            clock.advance(by: .seconds(1))
            #expect(await clock.waitForSleepers(2, wakingWithin: Self.retry), "both electors asleep again at \(clock.elapsed)")
            let (la, lb) = (await a.snapshot().isLeader, await b.snapshot().isLeader)
            #expect(!(la && lb), "two leaders at \(clock.elapsed)")
            if !la, aStopped == nil { aStopped = clock.elapsed }
            if lb, bLeads == nil { bLeads = clock.elapsed }
            if bLeads != nil { break }
        }
        #expect(aStopped == .seconds(10), "pod-a stops leading at its renew deadline")
        // pod-b saw the record change last at 0 s and wakes every 2 s: it takes over at its first
        // wake 15 s or more after that, one step later when a wake met a bound still pending.
        let takeover = try #require(bLeads, "pod-b never took over")
        #expect(takeover >= .seconds(15) && takeover <= .seconds(18), "took over at \(takeover)")
        #expect(await b.snapshot().holder == "pod-b")
        linkA.set(.up)
        #expect(await stopA())
        #expect(await stopB())
    }
}
