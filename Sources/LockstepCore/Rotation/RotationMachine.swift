/// The rotation protocol of DESIGN.md §5 as a pure state machine: `next` says what to do,
/// `succeeded` and `failed` move the run on. No I/O, no clock, no randomness; the engine
/// journals `run` after every transition.
///
/// Invariant: a run ends `succeeded` (new value everywhere, verified), `rolledBack` (old
/// value everywhere, verified) or `abandoned` (nothing was changed). A failure while rolling
/// back leaves the run in its rollback step with `rollbackFailure` set: loud, and resumable
/// by calling `next` again.
public struct RotationMachine: Sendable {
    public private(set) var run: RotationRun

    public init(run: RotationRun) { self.run = run }

    /// The strategy's plan: what each phase does (the machine itself has no strategy branches).
    public var plan: StrategyPlan { StrategyPlan.of(run) }

    /// The action to carry out now, or nil when the run is finished.
    public func next() -> RotationAction? {
        switch run.step {
        case .preflight: .preflight
        case .create: .createVersion
        case .stage(let a): plan.stage[a]
        case .deliver(_, let t): .patchSecret(run.targets[t], .new)
        case .roll(let s, let a): rollActions(segment: s)[a]
        case .verify(let a): plan.verify[a]
        case .promote: .promote
        case .cleanup(let a): plan.cleanup[a]
        case .rollbackRestore: .startColour(.active, .old)
        case .rollbackDeliver(let t): .patchSecret(run.targets[t], .old)
        case .rollbackRoll(let a): rollbackRollActions[a]
        case .rollbackVerify: plan.rollbackVerify
        case .rollbackCleanup(let a): plan.rollbackCleanup[a]
        case .markFailed: .markFailed
        case .succeeded, .rolledBack, .abandoned: nil
        }
    }

    /// Whether the run's step names an action that exists in its plan (a journal read from disk
    /// is checked with this before the machine walks it).
    public var stepIsInPlan: Bool {
        let segments = plan.segments
        switch run.step {
        case .stage(let a): return plan.stage.indices.contains(a)
        case .deliver(let s, let t): return segments.indices.contains(s) && segments[s].targets.contains(t)
        case .roll(let s, let a): return segments.indices.contains(s) && rollActions(segment: s).indices.contains(a)
        case .verify(let a): return plan.verify.indices.contains(a)
        case .cleanup(let a): return plan.cleanup.indices.contains(a)
        case .rollbackDeliver(let t): return (0..<run.changes.patchedTargets).contains(t)
        case .rollbackRoll(let a): return rollbackRollActions.indices.contains(a)
        case .rollbackCleanup(let a): return plan.rollbackCleanup.indices.contains(a)
        case .preflight, .create, .promote, .rollbackRestore, .rollbackVerify, .markFailed, .succeeded, .rolledBack, .abandoned: return true
        }
    }

    /// Segment `s`'s roll actions, onto the new version.
    private func rollActions(segment s: Int) -> [RotationAction] {
        plan.rollActions(Array(run.rollouts[plan.segments[s].rollouts]), intent: .forward(version: run.newVersion ?? 0))
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
        switch run.step {
        case .preflight:
            if let colours {
                run.colourSwitch?.active = colours.active
                run.colourSwitch?.replicas = colours.replicas
            }
            run.step = .create
        case .create:
            run.newVersion = newVersion ?? run.newVersion
            run.step = plan.stage.isEmpty ? start(segment: 0) : .stage(action: 0)
        case .stage(let a):
            run.changes.staged = true
            run.step = a + 1 < plan.stage.count ? .stage(action: a + 1) : start(segment: 0)
        case .deliver(let s, let t):
            run.changes.patchedTargets = t + 1
            let segment = plan.segments[s]
            run.step = t + 1 < segment.targets.upperBound ? .deliver(segment: s, target: t + 1)
                : segment.rollouts.isEmpty ? start(segment: s + 1) : .roll(segment: s, action: 0)
        case .roll(let s, let a):
            noteRestart(action)
            run.step = a + 1 < rollActions(segment: s).count ? .roll(segment: s, action: a + 1) : start(segment: s + 1)
        case .verify(let a):
            run.step = a + 1 < plan.verify.count ? .verify(action: a + 1) : .promote
        case .promote:
            run.step = (run.changes.staged || plan.cleanupUnstaged) && !plan.cleanup.isEmpty ? .cleanup(action: 0) : .succeeded
        case .cleanup(let a):
            run.step = a + 1 < plan.cleanup.count ? .cleanup(action: a + 1) : .succeeded
        case .rollbackRestore:
            run.step = undoDeliveries()
        case .rollbackDeliver(let t):
            run.step = t > 0 ? .rollbackDeliver(target: t - 1) : undoRestarts()
        case .rollbackRoll(let a):
            run.step = a + 1 < rollbackRollActions.count ? .rollbackRoll(action: a + 1) : .rollbackVerify
        case .rollbackVerify:
            run.step = run.changes.staged && !plan.rollbackCleanup.isEmpty ? .rollbackCleanup(action: 0) : .markFailed
        case .rollbackCleanup(let a):
            run.step = a + 1 < plan.rollbackCleanup.count ? .rollbackCleanup(action: a + 1) : .markFailed
        case .markFailed:
            run.rollbackFailure = nil
            run.step = .rolledBack
        case .succeeded, .rolledBack, .abandoned:
            break
        }
        if !run.step.isRollback { run.rollbackFailure = nil }
    }

    /// The engine could not carry out `action`. Before anything changed the run is abandoned;
    /// after, it rolls back; during a rollback the step stays pending with `rollbackFailure`.
    public mutating func failed(_ action: RotationAction, reason: String) {
        guard action == next() else { return }
        noteRetirement(action)
        if run.step.isRollback || run.step == .markFailed {
            run.rollbackFailure = reason
            return
        }
        if case .cleanup = run.step {
            // The new value is current and verified; a leftover bridge key is reported, not rolled
            // back. A ring left full holds only the new key, which is the master key by now.
            run.failure = "\(plan.cleanupLeftover): \(reason)"
            run.step = .succeeded
            return
        }
        run.failure = reason
        switch run.step {
        case .preflight, .create:
            run.step = .abandoned
        case .stage:
            run.changes.staged = true // it may exist: remove it to be sure
            run.step = .rollbackCleanup(action: 0)
        case .deliver(_, let t):
            // The failed patch may have landed (a timeout after the write): restore it too.
            run.changes.patchedTargets = t + 1
            run.step = .rollbackDeliver(target: t)
        case .roll:
            noteRestart(action) // the failed restart may have landed
            run.step = undoDeliveries()
        case .verify, .promote:
            run.step = plan.restoresColour && run.colourSwitch?.retired == true ? .rollbackRestore : undoDeliveries()
        default:
            break
        }
    }

    /// The first step of segment `index`: its deliveries, else its rollouts; past the last
    /// segment, the checks.
    private func start(segment index: Int) -> RunStep {
        let segments = plan.segments
        guard index < segments.count else { return plan.verify.isEmpty ? .promote : .verify(action: 0) }
        if let first = segments[index].targets.first { return .deliver(segment: index, target: first) }
        if !segments[index].rollouts.isEmpty { return .roll(segment: index, action: 0) }
        return start(segment: index + 1)
    }

    /// The rollback from the last target changed down, then the restarts.
    private func undoDeliveries() -> RunStep {
        run.changes.patchedTargets > 0 ? .rollbackDeliver(target: run.changes.patchedTargets - 1) : undoRestarts()
    }

    private func undoRestarts() -> RunStep {
        run.changes.restartedRollouts > 0 ? .rollbackRoll(action: 0) : .rollbackVerify
    }

    /// Records that the rollout `action` restarts was (possibly) restarted.
    private mutating func noteRestart(_ action: RotationAction) {
        let ref: RotationPolicy.DeploymentRef
        switch action {
        case .restartDeployment(let d, _), .waitForRollout(let d): ref = d
        default: return
        }
        if let i = run.rollouts.firstIndex(of: ref) { run.changes.restartedRollouts = max(run.changes.restartedRollouts, i + 1) }
    }

    /// Blue-green: records that the active colour was (possibly) scaled to 0.
    private mutating func noteRetirement(_ action: RotationAction) {
        if action == .stopColour(.active) { run.colourSwitch?.retired = true }
    }
}
