/// The rotation protocol of DESIGN.md §5 as a pure state machine: `next` says what to do,
/// `succeeded` and `failed` move the run on. No I/O, no clock, no randomness; the engine
/// journals `run` after every transition.
///
/// Invariant: a run ends `succeeded` (new value everywhere, verified), `rolledBack` (old
/// value everywhere, verified) or `abandoned` (nothing was changed). A failure while rolling
/// back leaves the run in its rollback phase with `rollbackFailure` set: loud, and resumable
/// by calling `next` again.
public struct RotationMachine: Sendable {
    public private(set) var run: RotationRun

    public init(run: RotationRun) { self.run = run }

    /// The action to carry out now, or nil when the run is finished.
    public func next() -> RotationAction? {
        switch run.phase {
        case .preflight: return .preflight
        case .create: return .createVersion
        case .stage: return plan.stage[run.cursor]
        case .deliver: return .patchSecret(run.targets[segment.targets.lowerBound + run.cursor], .new)
        case .roll: return rollActions[run.cursor]
        case .verify: return plan.verify[run.cursor]
        case .promote: return .promote
        case .cleanup: return plan.cleanup[run.cursor]
        case .rollbackRestore: return .startColour(.active, .old)
        case .rollbackDeliver: return .patchSecret(run.targets[run.patchedCount - 1 - run.cursor], .old)
        case .rollbackRoll: return rollbackRollActions[run.cursor]
        case .rollbackVerify: return plan.rollbackVerify
        case .rollbackCleanup: return plan.rollbackCleanup[run.cursor]
        case .markFailed: return .markFailed
        case .succeeded, .rolledBack, .abandoned: return nil
        }
    }

    /// The strategy's plan: what each phase does (the machine itself has no strategy branches).
    public var plan: StrategyPlan { StrategyPlan.of(run) }

    private var segment: (targets: Range<Int>, rollouts: Range<Int>) {
        let all = plan.segments
        return all[min(run.segment ?? 0, all.count - 1)]
    }

    /// The roll phase of the current segment, onto the new version.
    private var rollActions: [RotationAction] {
        plan.rollActions(Array(run.rollouts[segment.rollouts]), intent: .forward(version: run.newVersion ?? 0))
    }

    /// The rollback's rolls: the Deployments that were (possibly) restarted, last first.
    private var rollbackRollActions: [RotationAction] {
        plan.rollActions(run.rollbackRollouts, intent: .rollback(failedVersion: run.newVersion ?? 0))
    }

    /// The engine carried out `action` successfully. `newVersion` comes with `createVersion`;
    /// `colours` with a blue-green run's `preflight`.
    public mutating func succeeded(_ action: RotationAction, newVersion: Int? = nil, colours: ColourFacts? = nil) {
        guard action == next() else { return } // a stale report (e.g. replayed after a crash) changes nothing
        noteRetirement(action)
        switch run.phase {
        case .preflight:
            if let colours {
                run.colourSwitch?.active = colours.active
                run.colourSwitch?.replicas = colours.replicas
            }
            enter(.create)
        case .create:
            run.newVersion = newVersion ?? run.newVersion
            if plan.stage.isEmpty { enterSegment(0) } else { enter(.stage) }
        case .stage:
            run.bridgeStaged = true
            run.cursor += 1
            if run.cursor >= plan.stage.count { enterSegment(0) }
        case .deliver:
            run.patchedCount = segment.targets.lowerBound + run.cursor + 1
            run.cursor += 1
            if run.cursor >= segment.targets.count { segment.rollouts.isEmpty ? enterSegment((run.segment ?? 0) + 1) : enter(.roll) }
        case .roll:
            noteRestart(action)
            run.cursor += 1
            if run.cursor >= rollActions.count { enterSegment((run.segment ?? 0) + 1) }
        case .verify:
            advance(within: plan.verify.count, then: .promote)
        case .promote:
            enter(run.bridgeStaged && !plan.cleanup.isEmpty ? .cleanup : .succeeded)
        case .cleanup:
            advance(within: plan.cleanup.count, then: .succeeded)
        case .rollbackRestore:
            enter(run.patchedCount > 0 ? .rollbackDeliver : run.rolled ? .rollbackRoll : .rollbackVerify)
        case .rollbackDeliver:
            advance(within: run.patchedCount, then: run.rolled ? .rollbackRoll : .rollbackVerify)
        case .rollbackRoll:
            advance(within: rollbackRollActions.count, then: .rollbackVerify)
        case .rollbackVerify:
            enter(run.bridgeStaged && !plan.rollbackCleanup.isEmpty ? .rollbackCleanup : .markFailed)
        case .rollbackCleanup:
            advance(within: plan.rollbackCleanup.count, then: .markFailed)
        case .markFailed:
            run.rollbackFailure = nil
            enter(.rolledBack)
        case .succeeded, .rolledBack, .abandoned:
            break
        }
        if !isRollback { run.rollbackFailure = nil }
    }

    /// The engine could not carry out `action`. Before anything changed the run is abandoned;
    /// after, it rolls back; during a rollback the step stays pending with `rollbackFailure`.
    public mutating func failed(_ action: RotationAction, reason: String) {
        guard action == next() else { return }
        noteRetirement(action)
        if isRollback || run.phase == .markFailed {
            run.rollbackFailure = reason
            return
        }
        if run.phase == .cleanup {
            // The new value is current and verified; a leftover bridge key is reported, not rolled
            // back. A ring left full holds only the new key, which is the master key by now.
            run.failure = "\(plan.cleanupLeftover): \(reason)"
            enter(.succeeded)
            return
        }
        run.failure = reason
        switch run.phase {
        case .preflight, .create:
            enter(.abandoned)
        case .stage:
            run.bridgeStaged = true // it may exist: remove it to be sure
            enter(.rollbackCleanup)
        case .deliver:
            // The failed patch may have landed (a timeout after the write): restore it too.
            run.patchedCount = segment.targets.lowerBound + run.cursor + 1
            enter(.rollbackDeliver)
        case .roll:
            noteRestart(action) // the failed restart may have landed
            enter(run.patchedCount > 0 ? .rollbackDeliver : .rollbackRoll)
        case .verify, .promote:
            enter(plan.restoresColour && run.colourSwitch?.retired == true ? .rollbackRestore : .rollbackDeliver)
        default:
            break
        }
    }

    /// Segment `index`: its deliveries, then its rollouts; past the last segment, the checks.
    private mutating func enterSegment(_ index: Int) {
        let all = plan.segments
        guard index < all.count else {
            run.segment = all.count - 1
            enter(.verify)
            return
        }
        run.segment = index
        if !all[index].targets.isEmpty {
            enter(.deliver)
        } else if !all[index].rollouts.isEmpty {
            enter(.roll)
        } else {
            enterSegment(index + 1)
        }
    }

    /// Records that the rollout `action` restarts was (possibly) restarted.
    private mutating func noteRestart(_ action: RotationAction) {
        run.rolled = true
        let ref: RotationPolicy.DeploymentRef
        switch action {
        case .restartDeployment(let d, _), .waitForRollout(let d): ref = d
        default: return
        }
        if let i = run.rollouts.firstIndex(of: ref) { run.rolledCount = max(run.rolledCount ?? 0, i + 1) }
    }

    /// Blue-green: records that the active colour was (possibly) scaled to 0.
    private mutating func noteRetirement(_ action: RotationAction) {
        if action == .stopColour(.active) { run.colourSwitch?.retired = true }
    }

    private var isRollback: Bool {
        [.rollbackRestore, .rollbackDeliver, .rollbackRoll, .rollbackVerify, .rollbackCleanup].contains(run.phase)
    }

    private mutating func enter(_ phase: RotationRun.Phase) {
        run.phase = phase
        run.cursor = 0
    }

    private mutating func advance(within count: Int, then phase: RotationRun.Phase) {
        run.cursor += 1
        if run.cursor >= count { enter(phase) }
    }
}
