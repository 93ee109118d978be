import Foundation
import LockstepCore
import Testing

/// The journal's stored shape is the one earlier releases wrote (phase name, a cursor relative to
/// the phase, flat change flags): runs they journaled resume here at the same action, runs
/// journaled here stay readable by them, and a position outside the run's plan is refused.
@Suite struct RunJournalTests {
    /// A run as the release before typed steps journaled it (synthesized `Codable` of its flat fields).
    static func journal(strategy: String, phase: String, cursor: Int, patched: Int, rolled: Bool, staged: Bool, extra: String = "") -> Data {
        Data("""
        {"id":"run-7","credential":"litellm-master-key","kind":"rotate","strategy":"\(strategy)",
         "targets":[{"namespace":"unique","name":"chat-backend-litellm","key":"LITELLM_API_KEY"},
                    {"namespace":"litellm-system","name":"litellm-masterkey","key":"masterkey"}],
         "rollouts":[{"namespace":"unique","name":"backend"},{"namespace":"litellm-system","name":"litellm"}],
         "verifyOldRefused":true,"providerModels":[],"newVersion":2,"phase":"\(phase)","cursor":\(cursor),
         "patchedCount":\(patched),"rolled":\(rolled),"bridgeStaged":\(staged)\(extra)}
        """.utf8)
    }

    static let ring = #","ring":{"namespace":"litellm-system","name":"litellm-keyring","key":"keys"}"#

    @Test func aKeyRingRunInItsSecondSegmentResumesAtTheGatewaysSecret() throws {
        let data = Self.journal(strategy: "key-ring", phase: "deliver", cursor: 0, patched: 1, rolled: true, staged: true,
                                extra: Self.ring + #","segment":1,"rolledCount":1"#)
        let run = try JSONDecoder().decode(RotationRun.self, from: data)
        #expect(run.step == .deliver(segment: 1, target: 1))
        #expect(run.changes == RunChanges(patchedTargets: 1, restartedRollouts: 1, staged: true))
        #expect(RotationMachine(run: run).next() == .patchSecret(run.targets[1], .new))
    }

    @Test func aRunJournaledBeforeSegmentsRollsBackEveryRolloutItRestarted() throws {
        // No `segment`, no `rolledCount`: `rolled` meant every rollout.
        let data = Self.journal(strategy: "restart-together", phase: "rollbackRoll", cursor: 0, patched: 2, rolled: true, staged: false)
        let run = try JSONDecoder().decode(RotationRun.self, from: data)
        #expect(run.step == .rollbackRoll(action: 0))
        #expect(run.changes.restartedRollouts == 2)
        #expect(RotationMachine(run: run).next() == .restartDeployment(run.rollouts[1], .rollback(failedVersion: 2)), "the gateway goes back first")
    }

    @Test func aRollbackDeliveryCountsDownFromTheLastTargetPatched() throws {
        let data = Self.journal(strategy: "bridge", phase: "rollbackDeliver", cursor: 1, patched: 2, rolled: false, staged: true)
        let run = try JSONDecoder().decode(RotationRun.self, from: data)
        #expect(run.step == .rollbackDeliver(target: 0))
        #expect(RotationMachine(run: run).next() == .patchSecret(run.targets[0], .old))
    }

    /// Downgrade: what this release writes is the shape the earlier one reads.
    @Test func aTypedStepIsWrittenInTheEarlierShape() throws {
        var run = try JSONDecoder().decode(RotationRun.self, from: Self.journal(strategy: "key-ring", phase: "deliver", cursor: 0, patched: 1,
                                                                               rolled: true, staged: true, extra: Self.ring + #","segment":1,"rolledCount":1"#))
        run.step = .deliver(segment: 1, target: 1)
        let written = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(run)) as? [String: Any])
        #expect(written["phase"] as? String == "deliver" && written["cursor"] as? Int == 0 && written["segment"] as? Int == 1)
        #expect(written["patchedCount"] as? Int == 1 && written["rolled"] as? Bool == true && written["rolledCount"] as? Int == 1)
        #expect(written["bridgeStaged"] as? Bool == true && written["immediate"] == nil)
    }

    @Test(arguments: [
        ("stage", 7, 0), // key-ring stages two actions
        ("rollbackDeliver", 0, 3), // more targets patched than the run has
        ("rollbackDeliver", 2, 2), // counts down past the first target
        ("verify", -1, 2),
    ])
    func aPositionOutsideThePlanIsRefusedAsCorrupt(_ phase: String, _ cursor: Int, _ patched: Int) {
        let data = Self.journal(strategy: "key-ring", phase: phase, cursor: cursor, patched: patched, rolled: false, staged: true, extra: Self.ring)
        do {
            _ = try JSONDecoder().decode(RotationRun.self, from: data)
            Issue.record("\(phase) #\(cursor) with \(patched) patched was accepted")
        } catch DecodingError.dataCorrupted(let context) {
            #expect(context.debugDescription.contains("run-7 stands at \(phase) #\(cursor), outside its plan"), "\(context.debugDescription)")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }
}
