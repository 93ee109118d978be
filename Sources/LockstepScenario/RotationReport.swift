import Foundation

/// The rotation benchmark's section of docs/benchmarks.md: the table, the revoke times, and
/// each target met or missed, with the reason when missed.
public enum RotationReport {
    /// The measured runs of one benchmark.
    public struct Results: Sendable {
        public var naive: [RotationRun] = []
        /// restart-together, gateway first (real LiteLLM).
        public var together: [RotationRun] = []
        /// key-ring with the volume propagation delay of 1 s (real LiteLLM).
        public var keyRing: [RotationRun] = []
        /// key-ring with a 30 s propagation delay (real LiteLLM).
        public var keyRingSlow: [RotationRun] = []
        /// bridge on litellm-standin.
        public var bridge: [RotationRun] = []
        /// blue-green: two gateway Deployments, the idle one started for the run (real LiteLLM).
        public var blueGreen: [RotationRun] = []
        public var revokes: [(name: String, run: RevokeRun)] = []
        public var repeats = 1
        public init() {}
    }

    public static func markdown(_ r: Results) -> String {
        var out = "### Master-key rotation under load (2 gateway pods, 2 lockstep-load pods at 5 requests/s each)\n\n"
        out += "Median (min–max) over \(r.repeats) run(s) per scenario, each after the cluster settled. Requests and failures are counted from the command's start "
        out += "until 3 s after its end; rollouts = union of both Deployments' rollout intervals (generation bump to complete, sampled from KubeSim every 50 ms); "
        out += "peak extra gateway memory = the gateway pods' resident memory (every process of each pod) above its level at the start, sampled every 250 ms. "
        out += "The backend (lockstep-load) sends a request again when it got no HTTP answer at all (a closed connection, or none within 3 s), as the OpenAI SDKs do; a refused key (400/401) is never retried.\n\n"
        out += RotationStats.table([
            ("naive: `kubectl patch` both Secrets, `rollout restart` both, `rollout status` (real LiteLLM)", r.naive),
            ("Lockstep restart-together, gateway first (real LiteLLM)", r.together),
            ("Lockstep key-ring, volume propagation 1 s (real LiteLLM)", r.keyRing),
            ("Lockstep key-ring, volume propagation 30 s (real LiteLLM)", r.keyRingSlow),
            ("Lockstep blue-green, two gateway Deployments, nothing installed (real LiteLLM)", r.blueGreen),
            ("Lockstep bridge (**litellm-standin**, a stand-in for LiteLLM's database mode)", r.bridge),
        ].filter { !$0.1.isEmpty })
        out += "\n| revoke | CLI: old key refused after s | every gateway pod refuses (probed directly) after s | backend requests | failed | ok |\n|---|---:|---:|---:|---:|---|\n"
        for (name, v) in r.revokes {
            out += "| \(name) | \(v.cliSeconds.map { String(format: "%.1f", $0) } ?? "-") | \(v.replicasSeconds.map { String(format: "%.1f", $0) } ?? "-") | "
            out += "\(v.tally.map { String($0.total) } ?? "-") | \(v.tally.map { "\($0.failed)\($0.failed > 0 ? " (\($0.statusSummary))" : "")" } ?? "-") | \(v.succeeded ? "yes" : "NO") |\n"
        }
        out += "\n" + targets(r)
        return out
    }

    static func targets(_ r: Results) -> String {
        var lines: [String] = []
        func zero(_ name: String, _ runs: [RotationRun]) {
            guard !runs.isEmpty else { return }
            let failed = runs.reduce(0) { $0 + $1.tally.failed }
            lines.append("- \(name), 0 failed requests: " + (failed == 0 ? "met" : "**missed** (\(failed) failed over \(runs.count) runs)") + ".")
        }
        zero("key-ring (1 s)", r.keyRing)
        zero("key-ring (30 s)", r.keyRingSlow)
        zero("blue-green", r.blueGreen)
        zero("Bridge (stand-in)", r.bridge)
        for (name, v) in r.revokes where name.contains("key-ring") || name.contains("blue-green") {
            guard let t = v.tally else { continue }
            lines.append("- \(name), 0 failed requests: " + (t.failed == 0 ? "met" : "**missed** (\(t.failed) failed)") + ".")
        }
        if let n = RotationStats.medianFailed(r.naive), let t = RotationStats.medianFailed(r.together) {
            lines.append("- restart-together (gateway first) fewer failures than naive (medians \(Int(t)) vs \(Int(n))): "
                + (t < n ? "met" : "**missed**: the backend still switches while most gateway pods hold the old key") + ".")
        }
        let overheads = (r.together + r.keyRing + r.blueGreen + r.bridge).map(\.overheadSeconds)
        if let m = RotationStats.median(overheads) {
            lines.append(String(format: "- Lockstep's own overhead (wall − rollouts) under 1 s: median %.2f s, max %.2f s: ", m, overheads.max() ?? 0)
                         + (overheads.allSatisfy { $0 < 1 } ? "met" : "**missed** where above 1 s: beyond the rollouts the CLI starts, checks access, drift and the gateway, "
                            + "waits for the key ring to reach every pod (key-ring: the propagation delay is part of it), waits for the stopped colour's pods to end "
                            + "(blue-green: their preStop sleep and shutdown are not a rollout) and verifies the keys through the Service and at each pod") + ".")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
