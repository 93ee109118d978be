import Foundation
import LockstepScenario
import Testing

/// The rotation benchmark's arithmetic and its table: medians, ranges, overhead, targets.
@Suite struct RotationStatsTests {
    func run(failed: [String], total: Int, wall: Double, rollouts: Double) -> RotationRun {
        var t = LoadTally()
        t.total = total
        t.failed = failed.count
        for s in failed { t.byStatus[s, default: 0] += 1 }
        if !failed.isEmpty {
            t.firstFailure = Date(timeIntervalSince1970: 100)
            t.lastFailure = Date(timeIntervalSince1970: 112.5)
        }
        return RotationRun(tally: t, wallSeconds: wall, rolloutSeconds: rollouts, succeeded: true)
    }

    @Test func mediansAndRanges() {
        #expect(RotationStats.median([]) == nil)
        #expect(RotationStats.median([3, 1, 2]) == 2)
        #expect(RotationStats.median([4, 1, 3, 2]) == 2.5)
        #expect(RotationStats.summary([2.25, 1, 9]) == "2.2 (1.0–9.0)" || RotationStats.summary([2.25, 1, 9]) == "2.3 (1.0–9.0)")
        #expect(RotationStats.summary([5], digits: 0) == "5")
        #expect(RotationStats.summary([]) == "-")
    }

    @Test func windowAndOverhead() {
        let r = run(failed: ["400", "400", "connect"], total: 300, wall: 21.4, rollouts: 20.9)
        #expect(r.tally.windowSeconds == 12.5)
        #expect(abs(r.overheadSeconds - 0.5) < 1e-9)
        #expect(r.tally.statusSummary == "400=2, connect=1")
    }

    @Test func tableAndTargets() {
        var r = RotationReport.Results()
        r.repeats = 2
        r.naive = [run(failed: Array(repeating: "400", count: 90), total: 300, wall: 30, rollouts: 24),
                   run(failed: Array(repeating: "400", count: 110), total: 320, wall: 31, rollouts: 25)]
        r.together = [run(failed: Array(repeating: "400", count: 80), total: 280, wall: 22.5, rollouts: 22), run(failed: ["connect"], total: 290, wall: 23, rollouts: 22.4)]
        var ring = run(failed: [], total: 400, wall: 30, rollouts: 25)
        ring.propagationSeconds = 4.6
        ring.peakExtraGatewayMiB = 340
        r.keyRing = [ring]
        r.bridge = [run(failed: [], total: 100, wall: 4, rollouts: 3.6)]
        var quiet = LoadTally()
        quiet.total = 120
        r.revokes = [("Lockstep key-ring, real LiteLLM, propagation 1 s", RevokeRun(cliSeconds: 20.5, replicasSeconds: 21.0, succeeded: true, tally: quiet))]
        let md = RotationReport.markdown(r)
        #expect(md.contains("| 2 (2) | 310 (300–320) | 100 (90–110) | 400=200 |"), "\(md)")
        #expect(md.contains("| Lockstep key-ring, real LiteLLM, propagation 1 s | 20.5 | 21.0 | 120 | 0 | yes |"), "\(md)")
        #expect(md.contains("| 0.40 | 340 |"), "key-ring overhead excludes the propagation wait; memory shown: \(md)")
        #expect(md.contains("litellm-standin"))
        #expect(md.contains("- key-ring (1 s), 0 failed requests: met."))
        #expect(md.contains("- Bridge (stand-in), 0 failed requests: met."))
        #expect(md.contains("- Lockstep key-ring, real LiteLLM, propagation 1 s, 0 failed requests: met."))
        #expect(md.contains("fewer failures than naive (medians 40 vs 100): met"))
        #expect(md.contains("under 1 s: median 0.45 s, max 0.60 s: met"), "\(md)")
        var worse = RotationReport.Results()
        worse.naive = r.together
        worse.together = r.naive
        worse.bridge = [run(failed: ["401"], total: 10, wall: 3, rollouts: 1)]
        let w = RotationReport.markdown(worse)
        #expect(w.contains("0 failed requests: **missed** (1 failed over 1 runs)"))
        #expect(w.contains("fewer failures than naive") && w.contains("**missed**: the backend"))
        #expect(w.contains("under 1 s: median") && w.contains("**missed** where above 1 s"))
    }
}
