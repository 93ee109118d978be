import Foundation
import LockstepKubernetes
import Testing
@testable import LockstepDaemon

/// The election rules, driven by hand: every read and write result and every instant is chosen by
/// the test, so expiry and deadlines are exact and nothing sleeps.
@Suite("Leader election state machine (client-go semantics)")
struct LeaderElectionMachineTests {
    typealias Machine = LeaderElectionMachine<TestInstant>
    static let wall = Date(timeIntervalSince1970: 1_800_000_000)

    static func settings(_ identity: String = "pod-a") throws -> LeaseSettings {
        try LeaseSettings(namespace: "lockstep", name: "leader", identity: identity)
    }

    static func lease(holder: String?, rv: String = "10", transitions: Int? = 2, renew: Date = wall.addingTimeInterval(-3600)) -> Lease {
        Lease(metadata: ObjectMeta(name: "leader", namespace: "lockstep", resourceVersion: rv),
              spec: .init(holderIdentity: holder, leaseDurationSeconds: 15, acquireTime: renew, renewTime: renew, leaseTransitions: transitions))
    }

    /// What the server answers to an accepted write: the same spec under a new resourceVersion.
    static func accepted(_ lease: Lease, rv: String) -> Lease {
        var stored = lease
        stored.metadata.resourceVersion = rv
        return stored
    }

    static func written(_ action: Machine.Action) throws -> Lease {
        guard case .update(let lease) = action else { throw Unexpected(action: "\(action)") }
        return lease
    }

    struct Unexpected: Error { let action: String }

    /// Makes `machine` the leader at `at` through an acquire of a free Lease; returns the stored Lease.
    @discardableResult
    static func lead(_ machine: inout Machine, at t: TestInstant) throws -> Lease {
        #expect(machine.wake(now: t) == .get)
        let put = try written(machine.leaseRead(.success(lease(holder: nil)), now: t, wall: wall))
        let stored = accepted(put, rv: "11")
        #expect(machine.leaseUpdated(.success(stored), now: t, wall: wall) == .sleep(until: t.advanced(by: .seconds(2))))
        #expect(machine.isLeader(at: t))
        return stored
    }

    @Test("absent Lease: create with holder, duration, times and 0 transitions; the created Lease makes us leader")
    func createsWhenAbsent() throws {
        var m = Machine(settings: try Self.settings())
        #expect(m.wake(now: .zero) == .get)
        let action = m.leaseRead(.failure(.notFound), now: .zero, wall: Self.wall)
        let expected = Lease.Spec(holderIdentity: "pod-a", leaseDurationSeconds: 15, acquireTime: Self.wall, renewTime: Self.wall, leaseTransitions: 0)
        #expect(action == .create(expected))
        #expect(!m.isLeader(at: .zero))
        let created = Lease(metadata: ObjectMeta(name: "leader", namespace: "lockstep", resourceVersion: "1"), spec: expected)
        #expect(m.leaseCreated(.success(created), now: .at(0.1), wall: Self.wall) == .sleep(until: .at(2.1)))
        #expect(m.isLeader(at: .at(0.1)))
        #expect(m.holder == "pod-a")
    }

    @Test("create loses to another instance (AlreadyExists → conflict): re-read, not leader, retry later")
    func createConflictRereads() throws {
        var m = Machine(settings: try Self.settings())
        _ = m.wake(now: .zero)
        _ = m.leaseRead(.failure(.notFound), now: .zero, wall: Self.wall)
        #expect(m.leaseCreated(.failure(.conflict), now: .zero, wall: Self.wall) == .get)
        #expect(m.leaseRead(.success(Self.lease(holder: "pod-b")), now: .zero, wall: Self.wall) == .sleep(until: .at(2)))
        #expect(!m.isLeader(at: .zero))
        #expect(m.holder == "pod-b")
    }

    @Test("free (released) Lease: acquire sets acquireTime and renewTime, increments transitions, keeps the resourceVersion guard")
    func acquiresFreeLease() throws {
        var m = Machine(settings: try Self.settings())
        _ = m.wake(now: .zero)
        let put = try Self.written(m.leaseRead(.success(Self.lease(holder: nil, rv: "42", transitions: 3)), now: .zero, wall: Self.wall))
        #expect(put.metadata.resourceVersion == "42")
        #expect(put.spec.holderIdentity == "pod-a")
        #expect(put.spec.leaseTransitions == 4)
        #expect(put.spec.acquireTime == Self.wall)
        #expect(put.spec.renewTime == Self.wall)
        #expect(put.spec.leaseDurationSeconds == 15)
        #expect(!m.isLeader(at: .zero), "not leader before the write is accepted")
        _ = m.leaseUpdated(.success(Self.accepted(put, rv: "43")), now: .zero, wall: Self.wall)
        #expect(m.isLeader(at: .zero))
    }

    @Test("another holder is respected until leaseDuration after this instance saw the record change, whatever its renewTime says")
    func respectsHolderUntilObservedExpiry() throws {
        var m = Machine(settings: try Self.settings())
        // renewTime an hour old: a remote-clock judgement would take over at once.
        let held = Self.lease(holder: "pod-b", rv: "5")
        _ = m.wake(now: .zero)
        #expect(m.leaseRead(.success(held), now: .zero, wall: Self.wall) == .sleep(until: .at(2)))
        _ = m.wake(now: .at(14.9))
        #expect(m.leaseRead(.success(held), now: .at(14.9), wall: Self.wall) == .sleep(until: .at(16.9)))
        #expect(!m.isLeader(at: .at(14.9)))

        // pod-b renews at 10 s as we see it: the expiry clock restarts from that observation.
        var renewed = held
        renewed.metadata.resourceVersion = "6"
        renewed.spec.renewTime = Self.wall
        var n = Machine(settings: try Self.settings())
        _ = n.wake(now: .zero)
        _ = n.leaseRead(.success(held), now: .zero, wall: Self.wall)
        _ = n.wake(now: .at(10))
        _ = n.leaseRead(.success(renewed), now: .at(10), wall: Self.wall)
        _ = n.wake(now: .at(16))
        #expect(n.leaseRead(.success(renewed), now: .at(16), wall: Self.wall) == .sleep(until: .at(18)))
        _ = n.wake(now: .at(24.9))
        #expect(n.leaseRead(.success(renewed), now: .at(24.9), wall: Self.wall) == .sleep(until: .at(26.9)))
        _ = n.wake(now: .at(25))
        let put = try Self.written(n.leaseRead(.success(renewed), now: .at(25), wall: Self.wall))
        #expect(put.spec.holderIdentity == "pod-a")
    }

    @Test("after expiry the Lease is taken over: one more transition, new acquireTime, guarded by the observed resourceVersion")
    func takesOverAfterExpiry() throws {
        var m = Machine(settings: try Self.settings())
        let held = Self.lease(holder: "pod-b", rv: "7", transitions: 5)
        _ = m.wake(now: .zero)
        _ = m.leaseRead(.success(held), now: .zero, wall: Self.wall)
        _ = m.wake(now: .at(15))
        let later = Self.wall.addingTimeInterval(15)
        let put = try Self.written(m.leaseRead(.success(held), now: .at(15), wall: later))
        #expect(put.metadata.resourceVersion == "7")
        #expect(put.spec.holderIdentity == "pod-a")
        #expect(put.spec.leaseTransitions == 6)
        #expect(put.spec.acquireTime == later)
        _ = m.leaseUpdated(.success(Self.accepted(put, rv: "8")), now: .at(15), wall: later)
        #expect(m.isLeader(at: .at(15)))
    }

    @Test("409 on the acquiring PUT: someone else won — re-read, not leader, and no second write in the same attempt")
    func conflictOnUpdate() throws {
        var m = Machine(settings: try Self.settings())
        _ = m.wake(now: .zero)
        _ = try Self.written(m.leaseRead(.success(Self.lease(holder: nil)), now: .zero, wall: Self.wall))
        #expect(m.leaseUpdated(.failure(.conflict), now: .zero, wall: Self.wall) == .get)
        #expect(!m.isLeader(at: .zero))
        // Even a re-read that looks free only records what was seen: the next try is a retry period away.
        #expect(m.leaseRead(.success(Self.lease(holder: "pod-b", rv: "12")), now: .zero, wall: Self.wall) == .sleep(until: .at(2)))
        #expect(m.holder == "pod-b")
        #expect(!m.isLeader(at: .at(1)))
    }

    @Test("409 on a renewal: the leader stops leading at once")
    func conflictOnRenewStopsLeading() throws {
        var m = Machine(settings: try Self.settings())
        let stored = try Self.lead(&m, at: .zero)
        _ = m.wake(now: .at(2))
        _ = try Self.written(m.leaseRead(.success(stored), now: .at(2), wall: Self.wall))
        #expect(m.leaseUpdated(.failure(.conflict), now: .at(2), wall: Self.wall) == .get)
        #expect(!m.isLeader(at: .at(2)))
    }

    @Test("renewals keep acquireTime and transitions; a failed renewal keeps leading until renewDeadline, then stops")
    func renewDeadline() throws {
        var m = Machine(settings: try Self.settings())
        let stored = try Self.lead(&m, at: .zero)
        _ = m.wake(now: .at(2))
        let renewal = try Self.written(m.leaseRead(.success(stored), now: .at(2), wall: Self.wall.addingTimeInterval(2)))
        #expect(renewal.spec.acquireTime == stored.spec.acquireTime)
        #expect(renewal.spec.leaseTransitions == stored.spec.leaseTransitions)
        #expect(renewal.spec.renewTime == Self.wall.addingTimeInterval(2))
        let renewed = Self.accepted(renewal, rv: "12")
        _ = m.leaseUpdated(.success(renewed), now: .at(2.5), wall: Self.wall)

        // From here every call fails: the deadline runs from when the last good renewal was *sent* (2 s).
        var t = TestInstant.at(4.5)
        while t < .at(12) {
            #expect(m.wake(now: t) == .get)
            _ = m.leaseRead(.failure(.other("HTTP 503")), now: t, wall: Self.wall)
            t = t.advanced(by: .seconds(2))
        }
        #expect(m.isLeader(at: .at(11.999)))
        #expect(!m.isLeader(at: .at(12)))
        _ = m.wake(now: .at(12))
        #expect(m.lossReason?.contains("renew deadline") == true)
        // Safety: a standby that saw the renewal no earlier than it was sent waits until 2 s + 15 s.
        #expect(TestInstant.at(12) < TestInstant.at(2).advanced(by: try Self.settings().leaseDuration))
    }

    @Test("a lost leader whose Lease still names it renews it again (no transition)")
    func reclaimsOwnLease() throws {
        var m = Machine(settings: try Self.settings())
        let stored = try Self.lead(&m, at: .zero)
        _ = m.wake(now: .at(20))
        #expect(!m.isLeader(at: .at(20)))
        let put = try Self.written(m.leaseRead(.success(stored), now: .at(20), wall: Self.wall))
        #expect(put.spec.leaseTransitions == stored.spec.leaseTransitions)
    }

    @Test("graceful shutdown releases: no holder, leaseDurationSeconds 1, transitions kept; not leader from that moment")
    func releaseOnShutdown() throws {
        var m = Machine(settings: try Self.settings())
        let stored = try Self.lead(&m, at: .zero)
        let released = try Self.written(m.shutdown(now: .at(1), wall: Self.wall))
        #expect(!m.isLeader(at: .at(1)))
        #expect(released.spec.holderIdentity == nil)
        #expect(released.spec.leaseDurationSeconds == 1)
        #expect(released.spec.leaseTransitions == stored.spec.leaseTransitions)
        #expect(released.metadata.resourceVersion == stored.metadata.resourceVersion)
        #expect(m.leaseUpdated(.success(Self.accepted(released, rv: "13")), now: .at(1), wall: Self.wall) == .stop)
        #expect(m.wake(now: .at(2)) == .stop)
    }

    @Test("shutdown of a standby releases nothing")
    func standbyShutdown() throws {
        var m = Machine(settings: try Self.settings())
        _ = m.wake(now: .zero)
        _ = m.leaseRead(.success(Self.lease(holder: "pod-b")), now: .zero, wall: Self.wall)
        #expect(m.shutdown(now: .at(1), wall: Self.wall) == .stop)
    }

    @Test("transitions count holder changes: a → b → a")
    func transitionsCounter() throws {
        var a = Machine(settings: try Self.settings("pod-a"))
        var b = Machine(settings: try Self.settings("pod-b"))
        _ = a.wake(now: .zero)
        let first = try #require(a.leaseRead(.failure(.notFound), now: .zero, wall: Self.wall).createdSpec)
        var stored = Lease(metadata: ObjectMeta(name: "leader", namespace: "lockstep", resourceVersion: "1"), spec: first)
        _ = a.leaseCreated(.success(stored), now: .zero, wall: Self.wall)
        let released = try Self.written(a.shutdown(now: .at(1), wall: Self.wall))
        stored = Self.accepted(released, rv: "2")
        _ = b.wake(now: .at(1))
        let byB = try Self.written(b.leaseRead(.success(stored), now: .at(1), wall: Self.wall))
        #expect(byB.spec.leaseTransitions == 1)
        stored = Self.accepted(byB, rv: "3")
        _ = b.leaseUpdated(.success(stored), now: .at(1), wall: Self.wall)
        var a2 = Machine(settings: try Self.settings("pod-a"))
        _ = a2.wake(now: .at(1))
        _ = a2.leaseRead(.success(stored), now: .at(1), wall: Self.wall)
        _ = a2.wake(now: .at(16))
        let byA = try Self.written(a2.leaseRead(.success(stored), now: .at(16), wall: Self.wall))
        #expect(byA.spec.leaseTransitions == 2)
    }

    @Test("settings: renewDeadline < leaseDuration and retryPeriod < renewDeadline, with a message that says why")
    func settingsValidation() throws {
        #expect(throws: Never.self) { try LeaseSettings(namespace: "n", name: "l", identity: "a") }
        let deadline = #expect(throws: LeaseSettingsError.self) {
            try LeaseSettings(namespace: "n", name: "l", identity: "a", leaseDuration: .seconds(10), renewDeadline: .seconds(10))
        }
        #expect(deadline?.message.contains("renewDeadline") == true)
        let retry = #expect(throws: LeaseSettingsError.self) {
            try LeaseSettings(namespace: "n", name: "l", identity: "a", renewDeadline: .seconds(2), retryPeriod: .seconds(2))
        }
        #expect(retry?.message.contains("retryPeriod") == true)
        #expect(throws: LeaseSettingsError.self) { try LeaseSettings(namespace: "n", name: "l", identity: "") }
    }
}

extension LeaderElectionMachine.Action {
    var createdSpec: Lease.Spec? {
        if case .create(let spec) = self { return spec }
        return nil
    }
}
