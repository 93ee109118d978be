import Foundation

/// One measured master-key rotation under load.
public struct RotationRun: Sendable, Equatable {
    public var tally: LoadTally
    /// From the first command to the last one's exit.
    public var wallSeconds: Double
    /// The union of the Deployments' rollout intervals (generation bump to complete).
    public var rolloutSeconds: Double
    public var succeeded: Bool
    /// Peak resident memory of the gateway pods above their level at the start, in MiB (nil: not sampled).
    public var peakExtraGatewayMiB: Double?

    public init(tally: LoadTally, wallSeconds: Double, rolloutSeconds: Double, succeeded: Bool, peakExtraGatewayMiB: Double? = nil) {
        self.tally = tally
        self.wallSeconds = wallSeconds
        self.rolloutSeconds = rolloutSeconds
        self.succeeded = succeeded
        self.peakExtraGatewayMiB = peakExtraGatewayMiB
    }

    /// key-ring: how long the ring took to reach every gateway pod (the kubelet's propagation).
    public var propagationSeconds = 0.0

    /// What the rotating tool itself added: the wall time outside the rollouts and the propagation.
    public var overheadSeconds: Double { wallSeconds - rolloutSeconds - propagationSeconds }
}

/// A revoke: how long until the old key was refused.
public struct RevokeRun: Sendable, Equatable {
    /// As the CLI reports it (`old key refused … after`), from the run's start.
    public var cliSeconds: Double?
    /// From the command's start until every ready gateway pod refused the old key, probed directly.
    public var replicasSeconds: Double?
    public var succeeded: Bool
    /// The backend's requests and failures from the command's start until 3 s after its end.
    public var tally: LoadTally?

    public init(cliSeconds: Double?, replicasSeconds: Double?, succeeded: Bool, tally: LoadTally? = nil) {
        self.cliSeconds = cliSeconds
        self.replicasSeconds = replicasSeconds
        self.succeeded = succeeded
        self.tally = tally
    }
}

/// Medians and ranges over repeated runs, and the Markdown for docs/benchmarks.md.
public enum RotationStats {
    /// The median (mean of the middle two for an even count); nil when empty.
    public static func median(_ values: [Double]) -> Double? {
        let s = values.sorted()
        guard !s.isEmpty else { return nil }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    /// `median (min–max)`, one decimal; `-` when empty; just the value for one run.
    public static func summary(_ values: [Double], digits: Int = 1) -> String {
        guard let m = median(values), let lo = values.min(), let hi = values.max() else { return "-" }
        let f = { (v: Double) in String(format: "%.\(digits)f", v) }
        return values.count == 1 ? f(m) : "\(f(m)) (\(f(lo))–\(f(hi)))"
    }

    /// Seconds covered by intervals sorted by start (overlaps counted once).
    static func unionSeconds(_ intervals: [(Date, Date)]) -> Double {
        var total = 0.0
        var current: (Date, Date)?
        for iv in intervals {
            if let c = current, iv.0 <= c.1 { current = (c.0, max(c.1, iv.1)); continue }
            if let c = current { total += c.1.timeIntervalSince(c.0) }
            current = iv
        }
        if let c = current { total += c.1.timeIntervalSince(c.0) }
        return total
    }

    /// The results table: one row per scenario, median (min–max) over its runs.
    public static func table(_ scenarios: [(name: String, runs: [RotationRun])]) -> String {
        var out = "| scenario | runs (ok) | requests sent | failed requests | failures by status (all runs) | failure window s | wall s | rollouts s | overhead s (wall − rollouts) | peak extra gateway memory MiB |\n"
        out += "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|\n"
        for (name, runs) in scenarios {
            var byStatus: [String: Int] = [:]
            for r in runs { byStatus.merge(r.tally.byStatus, uniquingKeysWith: +) }
            let statuses = byStatus.isEmpty ? "none" : byStatus.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
            out += "| \(name) | \(runs.count) (\(runs.filter(\.succeeded).count)) | \(summary(runs.map { Double($0.tally.total) }, digits: 0)) | "
            out += "\(summary(runs.map { Double($0.tally.failed) }, digits: 0)) | \(statuses) | \(summary(runs.map(\.tally.windowSeconds))) | "
            out += "\(summary(runs.map(\.wallSeconds))) | \(summary(runs.map(\.rolloutSeconds))) | \(summary(runs.map(\.overheadSeconds), digits: 2)) | "
            out += "\(summary(runs.compactMap(\.peakExtraGatewayMiB), digits: 0)) |\n"
        }
        return out
    }

    /// Median failed requests of a scenario's runs (for the targets).
    public static func medianFailed(_ runs: [RotationRun]) -> Double? { median(runs.map { Double($0.tally.failed) }) }
}
