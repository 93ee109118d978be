import Foundation
import LockstepCore
import Testing

/// An in-memory world for the pure state machine: Secrets, Deployments that capture their
/// Secret at roll time (as pods read env at start), and a gateway that accepts the master key
/// its pods started with, plus a bridge (virtual) key. Only for these unit tests; the engine's
/// integration tests use KubeSim and real LiteLLM.
struct World {
    var secrets: [RotationPolicy.SecretTarget: RotationValue]
    var running: [RotationPolicy.DeploymentRef: RotationValue] // what the settled pods started with
    /// A restarted Deployment: the value its new pods start with, while the old pods still serve.
    var rolling: [RotationPolicy.DeploymentRef: RotationValue] = [:]
    var bridgeKey = false
    /// Key-ring strategy: the ring holds the new key (propagated to every pod at once here).
    var ring = false
    var versions: [String: String] = ["old": "current"]
    let gateway: RotationPolicy.DeploymentRef
    let gatewaySecret: RotationPolicy.SecretTarget
    /// Steps after which some backend pod's key was refused by some gateway pod.
    var refusedWindows = 0

    /// Carries out an action; returns false when it fails on its own merits (a check that does not hold).
    mutating func perform(_ action: RotationAction) -> Bool {
        defer { if !backendAccepted { refusedWindows += 1 } }
        switch action {
        case .preflight: return secrets.values.allSatisfy { $0 == .old }
        case .createVersion: versions["new"] = "pending"; return true
        case .stageBridgeKey: bridgeKey = true; return true
        case .stageKeyRing: ring = true; return true
        case .awaitKeyRing: return ring
        case .surgeGateway, .restoreGatewaySurge: return true
        case .awaitGatewayShare: return rolling[gateway] == .new || running[gateway] == .new
        case .clearKeyRing: ring = false; return true
        case .patchSecret(let t, let v): secrets[t] = v; return true
        case .restartDeployment(let d, _): rolling[d] = secrets[d.namespace == gateway.namespace ? gatewaySecret : backendSecret]!; return true
        case .waitForRollout(let d):
            if let v = rolling.removeValue(forKey: d) { running[d] = v }
            return true
        case .verifyAccepted(let v): return accepts(v)
        case .verifyOldRefused: return !acceptedAnywhere(.old)
        case .verifyAtGatewayPods: return accepts(.new) && !acceptedAnywhere(.old)
        case .verifyProviderHealth: return true
        case .patchColourSecret, .startColour, .stopColour, .verifyColour: return false // blue-green: BlueGreenMachineTests
        case .removeBridgeKey: bridgeKey = false; return true
        case .retireOldAtSource, .awaitOldPodsStopped: return false // a provider source: ProviderSourcePlanTests
        case .promote: versions["new"] = "current"; versions["old"] = "previous"; return true
        case .markFailed: versions["new"] = "failed"; versions["old"] = "current"; return true
        }
    }

    var backendSecret: RotationPolicy.SecretTarget { secrets.keys.first { $0 != gatewaySecret }! }
    var backend: RotationPolicy.DeploymentRef { running.keys.first { $0 != gateway }! }

    /// The master keys the pods of `d` hold now: settled ones, and those of a rollout in progress.
    func serving(_ d: RotationPolicy.DeploymentRef) -> Set<RotationValue> { Set([running[d]!] + (rolling[d].map { [$0] } ?? [])) }

    private func podAccepts(_ master: RotationValue, _ v: RotationValue) -> Bool { master == v || (v == .new && (bridgeKey || ring)) }

    /// Every gateway pod accepts `v`.
    func accepts(_ v: RotationValue) -> Bool { serving(gateway).allSatisfy { podAccepts($0, v) } }
    /// Some gateway pod accepts `v`.
    func acceptedAnywhere(_ v: RotationValue) -> Bool { serving(gateway).contains { podAccepts($0, v) } }
    /// Every key a backend pod sends is accepted by every gateway pod: no failed request.
    var backendAccepted: Bool { serving(backend).allSatisfy(accepts) }
}

func masterKeyPolicy(strategy: RotationPolicy.Strategy) -> RotationPolicy {
    let ring = RotationPolicy.KeyRing(secret: .init(namespace: "litellm-system", name: "litellm-keyring", key: "keys"))
    let backendSecret = RotationPolicy.SecretTarget(namespace: "unique", name: "chat-backend-litellm", key: "LITELLM_API_KEY")
    let gatewaySecret = RotationPolicy.SecretTarget(namespace: "litellm-system", name: "litellm-masterkey", key: "masterkey")
    return RotationPolicy(name: "m", credential: try! CredentialName("litellm-master-key"), kind: .litellmMasterKey,
                          source: .generate(prefix: "sk-", randomBytes: 32), schedule: nil, maxAge: nil, strategy: strategy,
                          gateway: .init(url: "http://gw", models: []), targets: [backendSecret, gatewaySecret],
                          rollouts: [.init(namespace: "unique", name: "backend"), .init(namespace: "litellm-system", name: "litellm")],
                          checks: .init(newKeyAccepted: true, oldKeyRefused: true), keyRing: strategy == .keyRing ? ring : nil)
}

func freshWorld(_ policy: RotationPolicy) -> World {
    World(secrets: Dictionary(uniqueKeysWithValues: policy.targets.map { ($0, .old) }),
          running: Dictionary(uniqueKeysWithValues: policy.rollouts.map { ($0, .old) }),
          gateway: policy.rollouts[1], gatewaySecret: policy.targets[1])
}

enum Fault: CustomStringConvertible {
    /// The action does not happen and reports failure.
    case fails
    /// The action happens, then reports failure (a timeout after the write landed).
    case landsThenFails
    /// The action happens, then the process dies before recording it.
    case crashAfter
    var description: String { switch self { case .fails: "fails"; case .landsThenFails: "lands-then-fails"; case .crashAfter: "crash-after" } }
}

/// Drives a run to its end, injecting `fault` at step `at` (and, optionally, once more during rollback).
func drive(_ policy: RotationPolicy, kind: RotationRun.Kind = .rotate, immediate: Bool = false, fault: Fault?, at faultStep: Int,
           rollbackFaultAt: Int? = nil) throws -> (RotationRun, World, [RotationAction]) {
    var world = freshWorld(policy)
    var machine = RotationMachine(run: RotationRun(id: "r1", credential: "litellm-master-key", kind: kind, policy: policy, immediate: immediate))
    var trace: [RotationAction] = []
    var step = 0, rollbackSteps = 0
    var rollbackFaultUsed = false
    while let action = machine.next() {
        step += 1
        guard step < 200 else { throw CancellationError() } // bounded: a loop here is a bug
        trace.append(action)
        let inRollback = [.rollbackDeliver, .rollbackRoll, .rollbackVerify, .rollbackCleanup, .markFailed].contains(machine.run.phase)
        if inRollback { rollbackSteps += 1 }
        if inRollback, let r = rollbackFaultAt, r == rollbackSteps, !rollbackFaultUsed {
            rollbackFaultUsed = true
            machine.failed(action, reason: "injected during rollback")
            #expect(machine.run.rollbackFailure != nil)
            #expect(machine.next() == action, "a failed rollback step must be retried, not skipped")
            continue
        }
        if step == faultStep, let fault {
            switch fault {
            case .fails:
                machine.failed(action, reason: "injected at step \(step)")
                continue
            case .landsThenFails:
                _ = world.perform(action)
                machine.failed(action, reason: "injected at step \(step)")
                continue
            case .crashAfter:
                _ = world.perform(action)
                // The process dies: only the journal survives. Resume from it.
                let journal = try JSONEncoder().encode(machine.run)
                machine = RotationMachine(run: try JSONDecoder().decode(RotationRun.self, from: journal))
                continue
            }
        }
        let vnew = action == .createVersion ? 2 : nil
        if world.perform(action) { machine.succeeded(action, newVersion: vnew) } else { machine.failed(action, reason: "check did not hold: \(action)") }
        // Every step survives the journal unchanged: a resumed run stands exactly where this one does.
        let journaled = try JSONDecoder().decode(RotationRun.self, from: try JSONEncoder().encode(machine.run))
        #expect(journaled == machine.run, "step \(machine.run.step) after \(action) changed in the journal")
    }
    return (machine.run, world, trace)
}

@Suite struct RotationMachineTests {
    @Test(arguments: [RotationPolicy.Strategy.restartTogether, .bridge, .keyRing])
    func happyPathEndsWithTheNewKeyEverywhere(_ strategy: RotationPolicy.Strategy) throws {
        let (run, world, trace) = try drive(masterKeyPolicy(strategy: strategy), fault: nil, at: 0)
        #expect(run.phase == .succeeded && run.failure == nil)
        #expect(world.secrets.values.allSatisfy { $0 == .new })
        #expect(world.running.values.allSatisfy { $0 == .new })
        #expect(world.accepts(.new) && !world.acceptedAnywhere(.old) && !world.bridgeKey && !world.ring)
        #expect(world.versions == ["new": "current", "old": "previous"])
        #expect(trace.first == .preflight && trace.contains(.verifyOldRefused))
        #expect(trace.contains(.stageBridgeKey) == (strategy == .bridge))
        #expect(trace.contains(.stageKeyRing) == (strategy == .keyRing))
        // The zero-failure strategies never leave a backend pod with a key some gateway pod refuses.
        if strategy != .restartTogether { #expect(world.refusedWindows == 0, "\(strategy): \(world.refusedWindows) steps with refused requests") }
    }

    /// Key-ring: the ring is written and seen by every pod before any Secret moves; the backend is
    /// delivered and rolled before the gateway's Secret is touched; the ring is emptied last.
    @Test func keyRingOrder() throws {
        let policy = masterKeyPolicy(strategy: .keyRing)
        let trace = try drive(policy, fault: nil, at: 0).2
        let backend = policy.rollouts[0], gateway = policy.rollouts[1]
        func index(_ a: RotationAction) -> Int { trace.firstIndex(of: a) ?? -1 }
        #expect(trace == [.preflight, .createVersion, .stageKeyRing, .awaitKeyRing,
                          .patchSecret(policy.targets[0], .new), .restartDeployment(backend, .forward(version: 2)), .waitForRollout(backend),
                          .patchSecret(policy.targets[1], .new), .restartDeployment(gateway, .forward(version: 2)), .waitForRollout(gateway),
                          .verifyAccepted(.new), .verifyOldRefused, .verifyAtGatewayPods, .promote, .clearKeyRing])
        #expect(index(.clearKeyRing) > index(.waitForRollout(gateway)))
    }

    /// DESIGN.md §5 and the issue's must-show: a failure at every step, with and without a
    /// crash, ends with the new key everywhere and verified, or the old key everywhere and
    /// verified, never a mixed state.
    @Test(arguments: [RotationPolicy.Strategy.restartTogether, .bridge, .keyRing], [Fault.fails, .landsThenFails, .crashAfter])
    func aFaultAtEveryStepEndsConsistent(_ strategy: RotationPolicy.Strategy, _ fault: Fault) throws {
        let policy = masterKeyPolicy(strategy: strategy)
        let steps = try drive(policy, fault: nil, at: 0).2.count
        for at in 1...steps {
            let (run, world, _) = try drive(policy, fault: fault, at: at)
            let label = "\(strategy) \(fault) at step \(at)"
            #expect(run.isFinished, "\(label): not finished")
            switch run.phase {
            case .succeeded:
                #expect(world.secrets.values.allSatisfy { $0 == .new }, "\(label)")
                #expect(world.running.values.allSatisfy { $0 == .new } && world.accepts(.new) && !world.accepts(.old), "\(label)")
                #expect(world.versions["new"] == "current", "\(label)")
                #expect(fault == .crashAfter || run.failure?.contains("not removed") == true || run.failure?.contains("not emptied") == true,
                        "\(label): a fault must leave a trace")
            case .rolledBack:
                #expect(world.secrets.values.allSatisfy { $0 == .old }, "\(label): secrets \(world.secrets)")
                #expect(world.running.values.allSatisfy { $0 == .old } && world.accepts(.old), "\(label): running \(world.running)")
                #expect(!world.bridgeKey && !world.ring, "\(label): bridge key or ring key left behind")
                #expect(world.versions == ["new": "failed", "old": "current"], "\(label)")
                #expect(run.failure != nil, "\(label)")
            case .abandoned:
                #expect(at <= 2, "\(label): abandoned after changes were made")
                #expect(world.secrets.values.allSatisfy { $0 == .old } && world.running.values.allSatisfy { $0 == .old }, "\(label)")
            default:
                Issue.record("\(label): ended in \(run.phase)")
            }
            if fault == .crashAfter { #expect(run.phase == .succeeded, "\(label): a crash with idempotent steps must still finish") }
            // Rollback included: the old key stays accepted until the backend is back on it.
            if strategy == .keyRing { #expect(world.refusedWindows == 0, "\(label): \(world.refusedWindows) steps with refused requests") }
        }
    }

    /// restart-together rolls the gateway first and waits for half of it before the backend.
    @Test func restartTogetherIsGatewayFirst() throws {
        let policy = masterKeyPolicy(strategy: .restartTogether)
        let trace = try drive(policy, fault: nil, at: 0).2
        let backend = policy.rollouts[0], gateway = policy.rollouts[1]
        let roll = trace.filter { if case .restartDeployment = $0 { return true }; if case .waitForRollout = $0 { return true }; return $0 == .awaitGatewayShare }
        #expect(roll == [.restartDeployment(gateway, .forward(version: 2)), .awaitGatewayShare, .restartDeployment(backend, .forward(version: 2)),
                         .waitForRollout(gateway), .waitForRollout(backend)])
    }

    /// `revoke --immediate` on a key-ring policy: no ring, the gateway surges, both restart at
    /// once, the surge is put back at the end or on rollback; a fault anywhere ends consistent.
    @Test(arguments: [Fault.fails, .landsThenFails, .crashAfter])
    func immediateRevoke(_ fault: Fault) throws {
        let policy = masterKeyPolicy(strategy: .keyRing)
        let (run, world, trace) = try drive(policy, kind: .revoke, immediate: true, fault: nil, at: 0)
        #expect(run.phase == .succeeded && world.accepts(.new) && !world.acceptedAnywhere(.old))
        #expect(!trace.contains(.stageKeyRing) && !trace.contains(.awaitGatewayShare))
        #expect(trace[2] == .surgeGateway && trace.last == .restoreGatewaySurge)
        let restarts = trace.indices.filter { if case .restartDeployment = trace[$0] { return true }; return false }
        let firstWait = trace.firstIndex { if case .waitForRollout = $0 { return true }; return false }!
        #expect(restarts.count == 2 && restarts.allSatisfy { $0 < firstWait }, "both sides restart before any wait")
        for at in 1...trace.count {
            let (r, w, t) = try drive(policy, kind: .revoke, immediate: true, fault: fault, at: at)
            #expect(r.isFinished, "\(fault) at \(at)")
            if r.phase == .rolledBack { #expect(w.secrets.values.allSatisfy { $0 == .old } && t.last == .markFailed && t.contains(.restoreGatewaySurge), "\(fault) at \(at)") }
            if r.phase == .succeeded { #expect(w.secrets.values.allSatisfy { $0 == .new } && !w.acceptedAnywhere(.old), "\(fault) at \(at)") }
        }
    }

    @Test func aFailingRollbackStepIsRetriedAndStillEndsRolledBack() throws {
        let policy = masterKeyPolicy(strategy: .restartTogether)
        let steps = try drive(policy, fault: nil, at: 0).2.count
        for at in 3...steps - 1 {
            for r in 1...4 {
                let (run, world, _) = try drive(policy, fault: .fails, at: at, rollbackFaultAt: r)
                guard run.phase != .succeeded else { continue }
                #expect(run.phase == .rolledBack, "fault at \(at), rollback fault at \(r): \(run.phase)")
                #expect(world.secrets.values.allSatisfy { $0 == .old } && world.accepts(.old))
                #expect(run.rollbackFailure == nil)
            }
        }
    }

    @Test func revokeRequiresTheOldKeyRefused() throws {
        var policy = masterKeyPolicy(strategy: .restartTogether)
        policy = RotationPolicy(name: policy.name, credential: policy.credential, kind: policy.kind, source: policy.source, schedule: nil, maxAge: nil,
                                strategy: .restartTogether, gateway: policy.gateway, targets: policy.targets, rollouts: policy.rollouts,
                                checks: .init(newKeyAccepted: true, oldKeyRefused: false))
        let (run, _, trace) = try drive(policy, kind: .revoke, fault: nil, at: 0)
        #expect(run.phase == .succeeded)
        #expect(trace.contains(.verifyOldRefused), "revoke checks the old key is refused even if the policy does not")
        let (plain, _, plainTrace) = try drive(policy, kind: .rotate, fault: nil, at: 0)
        #expect(plain.phase == .succeeded && !plainTrace.contains(.verifyOldRefused))
    }

    @Test func staleOrRepeatedReportsChangeNothing() {
        var m = RotationMachine(run: RotationRun(id: "r", credential: "c", kind: .rotate, policy: masterKeyPolicy(strategy: .restartTogether)))
        m.succeeded(.promote)
        #expect(m.run.phase == .preflight)
        m.succeeded(.preflight)
        m.succeeded(.preflight)
        #expect(m.run.phase == .create)
    }
}
