import Foundation

/// The rotation benchmark's section of docs/benchmarks.md: the table, the revoke times, and
/// each target met or missed, with the reason when missed.
public enum RotationReport {
    public static func markdown(naive: [RotationRun], together: [RotationRun], bridge: [RotationRun], revokes: [(String, RevokeRun)], repeats: Int) -> String {
        var out = "### Master-key rotation under load (2 gateway pods, 2 lockstep-load pods at 5 requests/s each)\n\n"
        out += "Median (min–max) over \(repeats) run(s) per scenario, each after the cluster settled. Requests and failures are counted from the command's start "
        out += "until 3 s after its end; rollouts = union of both Deployments' rollout intervals (generation bump to complete, sampled from KubeSim every 50 ms).\n\n"
        out += RotationStats.table([
            ("naive: `kubectl patch` both Secrets, `rollout restart` both, `rollout status` (real LiteLLM)", naive),
            ("Lockstep restart-together (real LiteLLM)", together),
            ("Lockstep bridge (**litellm-standin**, a stand-in for LiteLLM's database mode)", bridge),
        ])
        out += "\n| revoke | CLI: old key refused after s | every gateway pod refuses (probed directly) after s | ok |\n|---|---:|---:|---|\n"
        for (name, r) in revokes {
            out += "| \(name) | \(r.cliSeconds.map { String(format: "%.1f", $0) } ?? "-") | \(r.replicasSeconds.map { String(format: "%.1f", $0) } ?? "-") | \(r.succeeded ? "yes" : "NO") |\n"
        }
        out += "\n" + targets(naive: naive, together: together, bridge: bridge)
        return out
    }

    static func targets(naive: [RotationRun], together: [RotationRun], bridge: [RotationRun]) -> String {
        var lines: [String] = []
        let bridgeFailed = bridge.reduce(0) { $0 + $1.tally.failed }
        lines.append("- Bridge, 0 failed requests: " + (bridgeFailed == 0 && !bridge.isEmpty ? "met" : "**missed** (\(bridgeFailed) failed over \(bridge.count) runs)") + ".")
        if let n = RotationStats.medianFailed(naive), let t = RotationStats.medianFailed(together) {
            lines.append("- restart-together fewer failures than naive (medians \(Int(t)) vs \(Int(n))): " + (t < n ? "met" : "**missed**: both restart the two Deployments at once and wait for the slower (LiteLLM) rollout; the failures are the time old and new pods disagree, which neither shortens") + ".")
        }
        let overheads = (together + bridge).map(\.overheadSeconds)
        if let m = RotationStats.median(overheads) {
            lines.append(String(format: "- Lockstep's own overhead (wall − rollouts) under 1 s: median %.2f s, max %.2f s: ", m, overheads.max() ?? 0)
                         + (overheads.allSatisfy { $0 < 1 } ? "met" : "**missed** where above 1 s: beyond the rollouts the CLI starts, checks access, drift and the gateway, and verifies both keys through the Service, retrying while a terminating pod still answers") + ".")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
