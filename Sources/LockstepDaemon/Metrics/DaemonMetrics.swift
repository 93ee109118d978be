import Foundation
import LockstepCore
import Prometheus
import Synchronization

/// The daemon's Prometheus metrics (`GET /metrics`, text format 0.0.4). One registry per daemon,
/// never the global `MetricsSystem`: tests run several daemons in one process.
public final class DaemonMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    static var age: MetricNameDescriptor { MetricNameDescriptor.lockstep("credential_age", "seconds", "Seconds since the current version became current.") }
    static var maxAge: MetricNameDescriptor { MetricNameDescriptor.lockstep("credential_max_age", "seconds", "The policy's maximum age (cryptoperiod); 0 when none.") }
    static var nextDue: MetricNameDescriptor { MetricNameDescriptor.lockstep("credential_next_due_timestamp", "seconds", "Unix time of the next scheduled rotation; 0 when none.") }
    static var version: MetricNameDescriptor { MetricNameDescriptor.lockstep("credential_current_version", "", "The current version number.") }
    static var drift: MetricNameDescriptor { MetricNameDescriptor.lockstep("credential_drift_targets", "", "Targets whose live value differs from the current version at the last drift check.") }
    static var state: MetricNameDescriptor { MetricNameDescriptor.lockstep("credential_state", "", "1 for the credential's present state, else 0.") }
    static var perCredential: [MetricNameDescriptor] { [age, maxAge, nextDue, version, drift] }
    private let rotationDuration: DurationHistogram
    private let leader: Gauge
    private let auditWritten: Counter
    private let auditHead: Gauge
    private let policyProblems: Gauge
    private let lastHead = Mutex<UInt64?>(nil)
    private let knownCredentials = Mutex<Set<String>>([])
    private let lastNotifications = Mutex(NotifierCounters())

    public init() {
        rotationDuration = registry.makeDurationHistogram(descriptor: .lockstep("rotation_duration", "seconds", "Wall time of finished rotation runs, from start to the last step."),
            buckets: [1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1200].map { .seconds($0) })
        leader = registry.makeGauge(descriptor: .lockstep("leader", "", "1 while this instance holds the leader lease, else 0."))
        auditWritten = registry.makeCounter(descriptor: .lockstep("audit_entries_written", "total", "Audit entries appended to the vault's log since this daemon started."))
        auditHead = registry.makeGauge(descriptor: .lockstep("audit_head_seq", "", "Sequence number of the newest audit entry."))
        policyProblems = registry.makeGauge(descriptor: .lockstep("policy_problems", "", "Problems found at the last policy reload (the last good set stays in force)."))
    }

    /// One finished run (`outcome`: succeeded, rolledBack, abandoned, stuck).
    public func rotationFinished(credential: String, kind: String, outcome: String, duration: Duration) {
        registry.makeCounter(descriptor: .lockstep("rotations", "total", "Rotation runs by credential, kind (rotate, revoke) and outcome."), labels: [("credential", credential), ("kind", kind), ("outcome", outcome)]).increment()
        rotationDuration.record(duration)
    }

    /// Age, maximum age, next due time and state of every credential.
    public func update(statuses: [CredentialStatus]) {
        let names = Set(statuses.map(\.credential))
        let gone = knownCredentials.withLock { known in
            let gone = known.subtracting(names)
            known = names
            return gone
        }
        for name in gone { remove(credential: name) }
        for s in statuses {
            let l = [("credential", s.credential)]
            registry.makeGauge(descriptor: Self.age, labels: l).set(to: Double(s.ageSeconds ?? 0))
            registry.makeGauge(descriptor: Self.maxAge, labels: l).set(to: Double(s.maxAgeSeconds ?? 0))
            registry.makeGauge(descriptor: Self.nextDue, labels: l)
                .set(to: Double(s.nextDue?.millisecondsSinceEpoch ?? 0) / 1000)
            registry.makeGauge(descriptor: Self.version, labels: l).set(to: Double(s.currentVersion ?? 0))
            for state in CredentialStatus.State.allCases {
                registry.makeGauge(descriptor: Self.state, labels: l + [("state", state.rawValue)])
                    .set(to: s.state == state ? 1 : 0)
            }
            if let drift = s.drift {
                registry.makeGauge(descriptor: Self.drift, labels: l)
                    .set(to: Double(drift.count))
            }
        }
    }

    private func remove(credential: String) {
        let l = [("credential", credential)]
        for d in Self.perCredential {
            registry.unregisterGauge(registry.makeGauge(descriptor: d, labels: l))
        }
        for state in CredentialStatus.State.allCases {
            registry.unregisterGauge(registry.makeGauge(descriptor: Self.state, labels: l + [("state", state.rawValue)]))
        }
    }

    public func update(leadership: LeadershipSnapshot) {
        leader.set(to: leadership.isLeader ? 1 : 0)
    }

    /// Counts entries appended since the last call (by any instance sharing the vault).
    public func update(auditHeadSeq seq: UInt64) {
        auditHead.set(to: Double(seq))
        let delta = lastHead.withLock { last -> UInt64 in
            defer { last = seq }
            guard let previous = last, seq > previous else { return 0 }
            return seq - previous
        }
        if delta > 0 { auditWritten.increment(by: Int64(delta)) }
    }

    public func update(policyProblems count: Int) { policyProblems.set(to: Double(count)) }

    /// Webhook deliveries by result (delivered, failed after the last attempt, dropped from a full queue).
    public func update(notifications now: NotifierCounters) {
        let previous = lastNotifications.withLock { last in
            defer { last = now }
            return last
        }
        for (result, delta) in [("delivered", now.delivered - previous.delivered), ("failed", now.failed - previous.failed), ("dropped", now.dropped - previous.dropped)] {
            let counter = registry.makeCounter(descriptor: .lockstep("notifications", "total", "Webhook notifications by result."), labels: [("result", result)])
            if delta > 0 { counter.increment(by: Int64(delta)) }
        }
    }

    public func render() -> String { registry.emitToString() }
}

extension MetricNameDescriptor {
    static func lockstep(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "lockstep", metricName: metric, unitName: unit, helpText: help)
    }
}
