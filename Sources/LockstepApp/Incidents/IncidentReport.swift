import LockstepCore

/// What `revoke --all` did, per credential: printed at its end, answered by the admin API, and
/// rebuilt from the audit log by `history --incident` (``IncidentReport/fold(_:incident:plan:)``).
public struct IncidentReport: Sendable, Codable, Equatable {
    public enum State: String, Sendable, Codable {
        /// Revoked, and the old value is refused at its source (the gateway, or the provider).
        case refused
        /// Revoked in Lockstep and out of every target, but the old value still works at its
        /// provider (a manual source): a person deletes it there.
        case stillValidAtSource = "still-valid-at-source"
        /// Not revoked: a person must act first (a key to mint, an admin credential without rights).
        case needsPerson = "needs-a-person"
        /// Its run failed and was rolled back: the old value is in place everywhere, still valid.
        case rolledBack = "rolled-back"
        /// Its run did not start (preflight); nothing of it changed.
        case notStarted = "not-started"
        /// Its rollback stopped: needs attention before anything else (exit 21).
        case rollbackStuck = "rollback-stuck"
        /// The incident stopped before this credential (after a stuck rollback).
        case notReached = "not-reached"
        /// Its run ended in an error that is not a run outcome (a store or API failure).
        case failed
        /// Its run was interrupted (a crash, a shutdown) and is journaled: `revoke --all` again resumes it.
        case unfinished
    }

    /// Where the old value was seen refused.
    public enum RefusedAt: String, Sendable, Codable { case gateway, provider }

    public struct Entry: Sendable, Codable, Equatable {
        public var credential: String
        public var state: State
        /// The revoke run, when one ran.
        public var run: String?
        /// From the incident's opening until the old value was seen refused at its source.
        public var refusedAfterMillis: Int64?
        public var refusedAt: RefusedAt?
        /// What went wrong or what a person must do.
        public var note: String?
    }

    public var incident: String
    public var openedAt: Timestamp
    public var closedAt: Timestamp?
    public var entries: [Entry]

    /// Every credential's old value is refused at its source.
    public var allRefused: Bool { !entries.isEmpty && entries.allSatisfy { $0.state == .refused } }

    /// The slowest refusal: the whole incident's time to every old value refused, when all are.
    public var everyOldValueRefusedAfterMillis: Int64? { allRefused ? entries.compactMap(\.refusedAfterMillis).max() : nil }

    /// 0: every old value refused. 21: a rollback is stuck. 20: a run failed and was rolled back
    /// (or ended in an error). 23: the rest is incomplete: a person must act (see the notes).
    public var exitCode: ExitCode {
        if allRefused { return .success }
        let states = Set(entries.map(\.state))
        if states.contains(.rollbackStuck) { return .rollbackStuck }
        if states.contains(.rolledBack) || states.contains(.failed) { return .rolledBack }
        return .incidentIncomplete
    }

    /// One line per credential, for `incident.closed` and the terminal.
    public var summaryLines: [String] {
        entries.map { e in
            var line = "\(e.credential): \(e.state.rawValue)"
            if let ms = e.refusedAfterMillis { line += " at the \(e.refusedAt?.rawValue ?? "source") after \(HumanDuration.seconds(ms))" }
            if let note = e.note { line += " (\(note))" }
            return line
        }
    }
}

/// Milliseconds as the incident report prints them: `12.3 s`.
enum HumanDuration {
    static func seconds(_ millis: Int64) -> String {
        let tenths = (millis + 50) / 100
        return "\(tenths / 10).\(tenths % 10) s"
    }
}

extension IncidentReport {
    /// What the audit log says of incident `incident`, given its entries (actor `incident:ID`,
    /// oldest first): opened at its first `incident.opened`; per credential its last revoke run
    /// and when its old value was seen refused. `plan`: the credentials in order (nil: those the
    /// log names, in the order they first appear). Credentials without a run are `not-reached`,
    /// unless the last `incident.closed` listed them otherwise (its notes are kept as written).
    public static func fold(_ events: [AuditedEvent], incident: String, plan: [String]? = nil) -> IncidentReport? {
        guard let opened = events.first(where: { $0.action == .incidentOpened }) else { return nil }
        var order: [String] = plan ?? []
        var entries: [String: Entry] = [:]
        var closedAt: Timestamp?
        var closedNotes: [String: String] = [:]
        for e in events {
            switch e.action {
            case .incidentOpened:
                closedAt = nil
            case .incidentClosed:
                closedAt = e.time
                closedNotes = ClosedDetail.lines(e.detail)
            default:
                guard let c = e.credential else { continue }
                if e.action == .rotationStarted {
                    if !order.contains(c) { order.append(c) }
                    entries[c] = Entry(credential: c, state: .unfinished, run: RunEntryText.runID(e.detail), note: "the run was interrupted: revoke --all again resumes it")
                }
                guard var entry = entries[c] else { continue }
                apply(e, to: &entry, openedAt: opened.time)
                entries[c] = entry
            }
        }
        let all = order.map { c -> Entry in
            if let e = entries[c] { return e }
            // Not run: the closing entry says why (a person must act), else the incident stopped first.
            let note = closedNotes[c]
            return Entry(credential: c, state: note?.hasPrefix(State.needsPerson.rawValue) == true ? .needsPerson : .notReached, note: note)
        }
        return IncidentReport(incident: incident, openedAt: opened.time, closedAt: closedAt, entries: all)
    }

    /// One entry of a credential's revoke run.
    private static func apply(_ e: AuditedEvent, to entry: inout Entry, openedAt: Timestamp) {
        if e.showsOldValueRefused {
            entry.refusedAfterMillis = e.time.millisecondsSinceEpoch - openedAt.millisecondsSinceEpoch
            entry.refusedAt = e.action == .providerKeyRetired ? .provider : .gateway
        }
        switch e.action {
        case .rotationFinished, .credentialRevoked:
            // Promoted. Refused already (the gateway's check comes before promotion), or refused
            // later at the provider (its retire comes after), or never, by Lockstep (manual).
            entry.state = entry.refusedAfterMillis == nil ? .stillValidAtSource : .refused
            entry.note = entry.refusedAfterMillis == nil ? "the old key still works at its provider until a person deletes it there" : nil
        case .providerKeyRetired where e.outcome == .success && entry.refusedAfterMillis != nil:
            entry.state = .refused
            entry.note = nil
        case .providerKeyRetired where e.outcome == .failure:
            entry.note = "retiring the old key at its provider failed: \(RunEntryText.message(e.detail))"
        case .checkFailed where entry.state == .unfinished && RunEntryText.message(e.detail).hasPrefix("preflight"):
            entry.state = .notStarted
            entry.note = RunEntryText.message(e.detail)
        case .rotationRolledBack:
            entry.state = .rolledBack
            entry.note = RunEntryText.message(e.detail)
        default:
            break
        }
    }
}

/// The `incident.closed` detail: `revoke --all closed: ` and one `CREDENTIAL: STATE …` per line,
/// `; ` apart. A credential name has no `:` or `;`.
enum ClosedDetail {
    static let prefix = "revoke --all closed: "

    static func text(_ report: IncidentReport) -> String {
        prefix + report.summaryLines.map { $0.replacingOccurrences(of: "; ", with: ", ") }.joined(separator: "; ")
    }

    /// Credential → what followed its name.
    static func lines(_ detail: String?) -> [String: String] {
        guard let detail, detail.hasPrefix(prefix) else { return [:] }
        var out: [String: String] = [:]
        for part in detail.dropFirst(prefix.count).components(separatedBy: "; ") {
            guard let colon = part.firstIndex(of: ":") else { continue }
            out[String(part[..<colon])] = String(part[part.index(after: colon)...]).trimmingCharacters(in: [" "])
        }
        return out
    }
}
