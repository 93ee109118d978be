import Foundation
import LockstepCore
import Testing

/// The blue-green strategy in an in-memory world: two gateway colours whose pods start with
/// their Secret's key (or do not exist at 0 replicas), and a backend whose pods start with the
/// key and gateway URL of its Secret. A backend pod fails when the colour it calls has no pod or
/// a pod with another key.
struct ColourWorld {
    var colourSecret: [RotationValue?] = [.old, .old]
    /// The key the colour's pods started with; nil: scaled to 0, no pod.
    var colourPods: [RotationValue?] = [.old, nil]
    /// The backend Secret: key and the colour its URL names.
    var backendSecret: (key: RotationValue, colour: Int) = (.old, 0)
    var backendRunning: (key: RotationValue, colour: Int) = (.old, 0)
    var backendRolling: (key: RotationValue, colour: Int)?
    var versions: [String: String] = ["old": "current"]
    var refusedWindows = 0
    let active = 0

    func index(_ role: ColourRole) -> Int { role == .active ? active : 1 - active }

    mutating func perform(_ action: RotationAction) -> Bool {
        defer { if !backendServed { refusedWindows += 1 } }
        switch action {
        case .preflight: return backendSecret == (.old, 0) && colourPods[1] == nil
        case .createVersion: versions["new"] = "pending"; return true
        case .patchColourSecret(let role, let v): colourSecret[index(role)] = v; return true
        case .startColour(let role, let v):
            colourPods[index(role)] = colourSecret[index(role)]
            return colourPods[index(role)] == v
        case .stopColour(let role): colourPods[index(role)] = nil; return true
        case .verifyColour(let role, let v): return colourPods[index(role)] == v
        case .patchSecret(_, let v): backendSecret = (v, v == .new ? index(.idle) : index(.active)); return true
        case .restartDeployment: backendRolling = backendSecret; return true
        case .waitForRollout:
            if let r = backendRolling { backendRunning = r }
            backendRolling = nil
            return true
        case .promote: versions["new"] = "current"; versions["old"] = "previous"; return true
        case .markFailed: versions["new"] = "failed"; versions["old"] = "current"; return true
        default: return false // no other action belongs to blue-green
        }
    }

    /// Every backend pod (settled or rolling) calls a colour that has pods, all with its key.
    var backendServed: Bool {
        ([backendRunning] + (backendRolling.map { [$0] } ?? [])).allSatisfy { colourPods[$0.colour] == $0.key }
    }
}

func blueGreenPolicy() -> RotationPolicy {
    func colour(_ name: String) -> RotationPolicy.BlueGreen.Colour {
        .init(name: name, deployment: .init(namespace: "litellm-system", name: "litellm-\(name)"),
              secret: .init(namespace: "litellm-system", name: "litellm-\(name)-masterkey", key: "masterkey"), url: "http://litellm-\(name):4000")
    }
    return RotationPolicy(name: "m", credential: try! CredentialName("litellm-master-key"), kind: .litellmMasterKey,
                          source: .generate(prefix: "sk-", randomBytes: 32), schedule: nil, maxAge: nil, strategy: .blueGreen, gateway: nil,
                          targets: [.init(namespace: "unique", name: "chat-backend-litellm", key: "LITELLM_API_KEY")],
                          rollouts: [.init(namespace: "unique", name: "backend")], checks: .init(newKeyAccepted: true, oldKeyRefused: true),
                          blueGreen: .init(colours: [colour("blue"), colour("green")], endpointKey: "LITELLM_BASE_URL"))
}

/// Drives a blue-green run to its end with `fault` at step `at` (0: none).
func driveBlueGreen(kind: RotationRun.Kind = .rotate, fault: Fault?, at faultStep: Int) throws -> (RotationRun, ColourWorld, [RotationAction]) {
    var world = ColourWorld()
    var machine = RotationMachine(run: RotationRun(id: "r1", credential: "litellm-master-key", kind: kind, policy: blueGreenPolicy()))
    var trace: [RotationAction] = []
    func report(_ action: RotationAction) {
        machine.succeeded(action, newVersion: action == .createVersion ? 2 : nil, colours: action == .preflight ? ColourFacts(active: 0, replicas: 2) : nil)
    }
    while let action = machine.next() {
        guard trace.count < 200 else { throw CancellationError() } // bounded: a loop here is a bug
        trace.append(action)
        if trace.count == faultStep, let fault {
            switch fault {
            case .fails:
                machine.failed(action, reason: "injected")
            case .landsThenFails:
                _ = world.perform(action)
                machine.failed(action, reason: "injected")
            case .crashAfter:
                _ = world.perform(action)
                // Only the journal survives; the resumed process repeats the action.
                machine = RotationMachine(run: try JSONDecoder().decode(RotationRun.self, from: try JSONEncoder().encode(machine.run)))
            }
            continue
        }
        if world.perform(action) { report(action) } else { machine.failed(action, reason: "check did not hold: \(action)") }
    }
    return (machine.run, world, trace)
}

@Suite struct BlueGreenMachineTests {
    /// The order of the issue: the idle colour starts with the new key, then the backend moves
    /// (key and URL together) and rolls, then the old colour stops; its Secret gets the new key last.
    @Test func happyPathOrder() throws {
        let policy = blueGreenPolicy()
        let (run, world, trace) = try driveBlueGreen(fault: nil, at: 0)
        #expect(run.phase == .succeeded && run.failure == nil)
        #expect(trace == [.preflight, .createVersion, .patchColourSecret(.idle, .new), .startColour(.idle, .new),
                          .patchSecret(policy.targets[0], .new), .restartDeployment(policy.rollouts[0], .forward(version: 2)), .waitForRollout(policy.rollouts[0]),
                          .verifyColour(.idle, .new), .stopColour(.active), .promote, .patchColourSecret(.active, .new)])
        #expect(world.colourPods == [nil, .new] && world.colourSecret == [.new, .new])
        #expect(world.backendRunning == (.new, 1) && world.refusedWindows == 0)
        #expect(run.colourSwitch?.active == 0 && run.colourSwitch?.replicas == 2 && run.colourSwitch?.retired == true)
    }

    /// A fault at every step, with and without a crash: the run ends with the backend on the new
    /// colour and key, or back on the old ones, and no backend request is ever refused, rollback included.
    @Test(arguments: [Fault.fails, .landsThenFails, .crashAfter])
    func aFaultAtEveryStepEndsConsistentWithNoRefusedRequest(_ fault: Fault) throws {
        let steps = try driveBlueGreen(fault: nil, at: 0).2.count
        for at in 1...steps {
            let (run, world, trace) = try driveBlueGreen(fault: fault, at: at)
            let label = "\(fault) at step \(at) (\(trace[at - 1]))"
            #expect(world.refusedWindows == 0, "\(label): \(world.refusedWindows) steps with refused requests")
            switch run.phase {
            case .succeeded:
                #expect(world.backendRunning == (.new, 1) && world.colourPods == [nil, .new], "\(label)")
                #expect(world.versions["new"] == "current", "\(label)")
            case .rolledBack:
                #expect(world.backendRunning == (.old, 0) && world.backendSecret == (.old, 0), "\(label)")
                #expect(world.colourPods == [.old, nil] && world.colourSecret == [.old, .old], "\(label): colours \(world.colourPods) \(world.colourSecret)")
                #expect(world.versions == ["new": "failed", "old": "current"] && run.failure != nil, "\(label)")
            case .abandoned:
                #expect(at <= 2 && world.colourPods == [.old, nil] && world.backendRunning == (.old, 0), "\(label)")
            default:
                Issue.record("\(label): ended in \(run.phase)")
            }
            if fault == .crashAfter { #expect(run.phase == .succeeded, "\(label): idempotent steps finish after a crash") }
        }
    }

    /// Stopping the old colour failed after it landed: the rollback starts it again before the
    /// backend moves back to it.
    @Test func aRollbackAfterTheOldColourStoppedStartsItFirst() throws {
        let steps = try driveBlueGreen(fault: nil, at: 0).2
        let stop = try #require(steps.firstIndex(of: .stopColour(.active)))
        let (run, world, trace) = try driveBlueGreen(fault: .landsThenFails, at: stop + 1)
        #expect(run.phase == .rolledBack && world.refusedWindows == 0)
        let restore = try #require(trace.firstIndex(of: .startColour(.active, .old)))
        let backBack = try #require(trace.firstIndex(of: .patchSecret(blueGreenPolicy().targets[0], .old)))
        #expect(restore < backBack)
        #expect(Array(trace.suffix(4)) == [.verifyColour(.active, .old), .stopColour(.idle), .patchColourSecret(.idle, .old), .markFailed])
    }

    @Test func revokeChecksTheOldKeyRefusedAndTheRunJournalsTheColours() throws {
        let (run, _, trace) = try driveBlueGreen(kind: .revoke, fault: nil, at: 0)
        #expect(run.phase == .succeeded && run.verifyOldRefused && trace.contains(.stopColour(.active)))
        let decoded = try JSONDecoder().decode(RotationRun.self, from: try JSONEncoder().encode(run))
        #expect(decoded.colourSwitch == run.colourSwitch && decoded.colourSwitch?.colour(.idle)?.name == "green")
    }

    @Test func thePlanNamesTheColourSteps() {
        let plan = RotationPlan.steps(for: blueGreenPolicy(), kind: .rotate, newVersion: 2)
        #expect(plan.contains(.startColour(.idle, .new)) && plan.contains(.stopColour(.active)) && plan.last == .patchColourSecret(.active, .new))
    }
}
