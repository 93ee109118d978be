/// How a run is stored in the journal. The shape is the one journals have always had — a phase
/// name, a `cursor` whose meaning depends on the phase, and flat change flags — so that a run
/// journaled by an earlier release resumes in this one and the other way round. It is read into
/// typed steps (`RunStep`, `RunChanges`) here and nowhere else, and a journal whose position
/// lies outside the run's plan is refused as corrupt instead of crashing the machine later.
extension RotationRun: Codable {
    private struct Stored: Codable {
        var id: String
        var credential: String
        var kind: Kind
        var strategy: RotationPolicy.Strategy
        var targets: [RotationPolicy.SecretTarget]
        var rollouts: [RotationPolicy.DeploymentRef]
        var verifyOldRefused: Bool
        var providerModels: [String]
        var newVersion: Int?
        var phase: Phase
        var cursor: Int
        var patchedCount: Int
        var rolled: Bool
        var bridgeStaged: Bool
        var ring: RotationPolicy.SecretTarget?
        /// Absent in journals written before runs had segments: segment 0.
        var segment: Int?
        /// Absent in journals written before it existed: then `rolled` means every rollout.
        var rolledCount: Int?
        var immediate: Bool?
        /// Absent in journals written before sources could retire a key: false.
        var retiresAtSource: Bool?
        var colourSwitch: ColourSwitch?
        var failure: String?
        var rollbackFailure: String?
    }

    public init(from decoder: any Decoder) throws {
        let s = try Stored(from: decoder)
        id = s.id
        credential = s.credential
        kind = s.kind
        strategy = s.strategy
        targets = s.targets
        rollouts = s.rollouts
        verifyOldRefused = s.verifyOldRefused
        providerModels = s.providerModels
        ring = s.ring
        immediate = s.immediate ?? false
        retiresAtSource = s.retiresAtSource ?? false
        newVersion = s.newVersion
        colourSwitch = s.colourSwitch
        failure = s.failure
        rollbackFailure = s.rollbackFailure
        changes = RunChanges(patchedTargets: s.patchedCount, restartedRollouts: s.rolledCount ?? (s.rolled ? s.rollouts.count : 0), staged: s.bridgeStaged)
        step = .preflight
        let segments = StrategyPlan.of(self).segments
        let segment = min(max(s.segment ?? 0, 0), segments.count - 1)
        step = switch s.phase {
        case .preflight: .preflight
        case .create: .create
        case .stage: .stage(action: s.cursor)
        case .deliver: .deliver(segment: segment, target: segments[segment].targets.lowerBound + s.cursor)
        case .roll: .roll(segment: segment, action: s.cursor)
        case .verify: .verify(action: s.cursor)
        case .promote: .promote
        case .cleanup: .cleanup(action: s.cursor)
        case .rollbackRestore: .rollbackRestore
        case .rollbackDeliver: .rollbackDeliver(target: s.patchedCount - 1 - s.cursor)
        case .rollbackRoll: .rollbackRoll(action: s.cursor)
        case .rollbackVerify: .rollbackVerify
        case .rollbackCleanup: .rollbackCleanup(action: s.cursor)
        case .markFailed: .markFailed
        case .succeeded: .succeeded
        case .rolledBack: .rolledBack
        case .abandoned: .abandoned
        }
        guard (0...targets.count).contains(changes.patchedTargets), (0...rollouts.count).contains(changes.restartedRollouts),
              RotationMachine(run: self).stepIsInPlan else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription:
                "journaled run \(s.id) stands at \(s.phase.rawValue) #\(s.cursor), outside its plan (\(s.patchedCount) targets patched)"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        let segments = StrategyPlan.of(self).segments
        var segment: Int?
        let cursor: Int
        switch step {
        case .stage(let a), .verify(let a), .cleanup(let a), .rollbackRoll(let a), .rollbackCleanup(let a): cursor = a
        case .deliver(let s, let t): (segment, cursor) = (s, t - segments[s].targets.lowerBound)
        case .roll(let s, let a): (segment, cursor) = (s, a)
        case .rollbackDeliver(let t): cursor = changes.patchedTargets - 1 - t
        case .preflight, .create, .promote, .rollbackRestore, .rollbackVerify, .markFailed, .succeeded, .rolledBack, .abandoned: cursor = 0
        }
        try Stored(id: id, credential: credential, kind: kind, strategy: strategy, targets: targets, rollouts: rollouts, verifyOldRefused: verifyOldRefused,
                   providerModels: providerModels, newVersion: newVersion, phase: phase, cursor: cursor, patchedCount: changes.patchedTargets,
                   rolled: changes.restartedRollouts > 0, bridgeStaged: changes.staged, ring: ring, segment: segment,
                   rolledCount: changes.restartedRollouts, immediate: immediate ? true : nil,
                   retiresAtSource: retiresAtSource ? true : nil, colourSwitch: colourSwitch, failure: failure,
                   rollbackFailure: rollbackFailure).encode(to: encoder)
    }
}
