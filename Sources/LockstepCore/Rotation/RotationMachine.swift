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
        case .stage: return .stageBridgeKey
        case .deliver: return .patchSecret(run.targets[run.cursor], .new)
        case .roll: return rollAction(.new)
        case .verify: return verifyActions[run.cursor]
        case .promote: return .promote
        case .cleanup: return .removeBridgeKey
        case .rollbackDeliver: return .patchSecret(run.targets[run.patchedCount - 1 - run.cursor], .old)
        case .rollbackRoll: return rollAction(.old)
        case .rollbackVerify:
            // Provider keys are not gateway keys: the old one is proven by model health again.
            return run.providerModels.isEmpty ? .verifyAccepted(.old) : .verifyProviderHealth(run.providerModels)
        case .rollbackCleanup: return .removeBridgeKey
        case .markFailed: return .markFailed
        case .succeeded, .rolledBack, .abandoned: return nil
        }
    }

    /// `restart-together` restarts every Deployment first and then waits for each, so that the
    /// window in which gateway and backend hold different keys is as short as possible. The
    /// other strategies roll one Deployment completely before the next (bridge: the backend is
    /// on the new key before the gateway drops the old one): cursor 2i restarts rollout i,
    /// 2i+1 waits for it.
    private func rollAction(_ value: RotationValue) -> RotationAction {
        let n = run.rollouts.count
        let together = run.strategy == .restartTogether
        let isRestart = together ? run.cursor < n : run.cursor % 2 == 0
        let ref = together ? run.rollouts[run.cursor % n] : run.rollouts[run.cursor / 2]
        if isRestart {
            let version = run.newVersion ?? 0
            return .restartDeployment(ref, value == .new ? .forward(version: version) : .rollback(failedVersion: version))
        }
        return .waitForRollout(ref)
    }

    private var verifyActions: [RotationAction] {
        // A provider key is checked where it is used: the gateway's health of the models that
        // read it. The master key is checked by the gateway's auth.
        if !run.providerModels.isEmpty { return [.verifyProviderHealth(run.providerModels)] }
        var actions: [RotationAction] = [.verifyAccepted(.new)]
        if run.verifyOldRefused { actions.append(.verifyOldRefused) }
        return actions
    }

    /// The engine carried out `action` successfully. `newVersion` comes with `createVersion`.
    public mutating func succeeded(_ action: RotationAction, newVersion: Int? = nil) {
        guard action == next() else { return } // a stale report (e.g. replayed after a crash) changes nothing
        switch run.phase {
        case .preflight:
            enter(.create)
        case .create:
            run.newVersion = newVersion ?? run.newVersion
            enter(run.strategy == .bridge ? .stage : .deliver)
        case .stage:
            run.bridgeStaged = true
            enter(.deliver)
        case .deliver:
            run.patchedCount = run.cursor + 1
            advance(within: run.targets.count, then: run.rollouts.isEmpty ? .verify : .roll)
        case .roll:
            run.rolled = true
            advance(within: run.rollouts.count * 2, then: .verify)
        case .verify:
            advance(within: verifyActions.count, then: .promote)
        case .promote:
            enter(run.bridgeStaged ? .cleanup : .succeeded)
        case .cleanup:
            enter(.succeeded)
        case .rollbackDeliver:
            advance(within: run.patchedCount, then: run.rolled ? .rollbackRoll : .rollbackVerify)
        case .rollbackRoll:
            advance(within: run.rollouts.count * 2, then: .rollbackVerify)
        case .rollbackVerify:
            enter(run.bridgeStaged ? .rollbackCleanup : .markFailed)
        case .rollbackCleanup:
            enter(.markFailed)
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
        if isRollback || run.phase == .markFailed {
            run.rollbackFailure = reason
            return
        }
        if run.phase == .cleanup {
            // The new value is current and verified; a leftover bridge key is reported, not rolled back.
            run.failure = "bridge key not removed: \(reason)"
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
            run.patchedCount = run.cursor + 1
            enter(.rollbackDeliver)
        case .roll:
            run.rolled = true
            enter(run.patchedCount > 0 ? .rollbackDeliver : .rollbackRoll)
        case .verify, .promote:
            enter(.rollbackDeliver)
        default:
            break
        }
    }

    private var isRollback: Bool {
        [.rollbackDeliver, .rollbackRoll, .rollbackVerify, .rollbackCleanup].contains(run.phase)
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
