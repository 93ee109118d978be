import Foundation
import LockstepAudit
import LockstepCore

/// The streaming fold: verified entries go in one at a time, in seq order, and a report comes
/// out. Memory grows with the credentials (their versions, runs and listed events), never with
/// the number of entries.
public struct ReportBuilder: Sendable {
    private let policies: [String: RotationPolicy]
    private let since: Timestamp?
    private let until: Timestamp?
    private var folds: [String: CredentialFold] = [:]
    private var unattachedNotifications: [ReportEvent] = []
    private var lastTime: Timestamp?

    /// `since`/`until` bound what is listed; `until` is also the report's "now" (else the last entry's time).
    public init(policies: [RotationPolicy], since: Timestamp? = nil, until: Timestamp? = nil) {
        self.policies = Dictionary(policies.map { ($0.credential.rawValue, $0) }, uniquingKeysWith: { first, _ in first })
        self.since = since
        self.until = until
    }

    /// Adds the next verified entry. Entries after `until` change nothing.
    public mutating func add(_ e: AuditEntry) {
        if let until, e.time > until { return }
        lastTime = e.time
        let listed = since.map { e.time >= $0 } ?? true
        guard let name = e.credential else {
            if e.action == .notificationFailed, listed { unattachedNotifications.append(CredentialFold.event(e)) }
            return
        }
        folds[name, default: CredentialFold(name: name)].apply(e, listed: listed, since: since)
    }

    /// The report, stating the verification it stands on.
    public func finish(verification: ReportVerification) -> ComplianceReport {
        let now = until ?? lastTime ?? Timestamp(millisecondsSinceEpoch: 0)
        let names = Set(folds.keys).union(policies.keys).sorted()
        let credentials = names.map { name in
            CredentialEvaluation(fold: folds[name] ?? CredentialFold(name: name), policy: policies[name], since: since, now: now).report()
        }
        return ComplianceReport(verification: verification, window: ReportWindow(since: since?.rfc3339, until: now.rfc3339),
                                summary: ReportSummary(credentials, folds: folds, policies: policies, now: now),
                                credentials: credentials, notificationFailures: unattachedNotifications)
    }
}
