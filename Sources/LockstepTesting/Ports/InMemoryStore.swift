import LockstepCore
import LockstepCrypto
import Synchronization

/// The store ports in memory, for fast engine tests: the SQLite vault's rules without a file —
/// one pending version per run (created again after a crash it is the same one), promotion that
/// retires the older previous, one active run per credential, fail-closed audit (a draft that
/// quotes a stored value is refused, and nothing of its change is kept). Values are copied in,
/// never printed. The SQLite vault stays the store of the end-to-end suites.
public final class InMemoryStore: IncidentStore {
    struct Version {
        var record: VersionRecord
        let value: SecretBytes
        let runID: String?
    }

    struct State {
        var credentials: [String: (kind: String, versions: [Version])] = [:]
        var runs: [String: RotationRun] = [:]
        var audit: [AuditDraft] = []
        /// When each entry of `audit` was written (the store's clock).
        var auditTimes: [Timestamp] = []
    }

    private let state = Mutex(State())
    private let fingerprintKey: SecretBytes
    private let clock: any WallClock

    public init(clock: any WallClock = SystemClock()) throws {
        fingerprintKey = try SecretBytes.random(count: 32)
        self.clock = clock
    }

    /// Adds a credential whose current version 1 holds `value` (what `credential import` does).
    public func importCredential(_ name: String, value: SecretBytes, kind: String) throws {
        let fingerprint = try self.fingerprint(of: value)
        let now = clock.now()
        state.withLock { s in
            s.credentials[name] = (kind, [Version(record: VersionRecord(credential: name, version: 1, state: .current, source: .imported, createdAt: now,
                                                                         updatedAt: now, fingerprint: fingerprint), value: value, runID: nil)])
        }
    }

    /// Every audit draft recorded, in order.
    public var auditTrail: [AuditDraft] { state.withLock { $0.audit } }

    // MARK: SecretStore

    public func credential(_ name: String) throws -> CredentialRecord {
        try state.withLock { s in
            guard let c = s.credentials[name] else { throw StoreRefusal("no credential named \(name)") }
            return CredentialRecord(name: name, kind: c.kind, createdAt: c.versions[0].record.createdAt, versions: c.versions.map(\.record).reversed())
        }
    }

    public func value(of credential: String, version: Int?) throws -> SecretBytes {
        try state.withLock { s in
            guard let versions = s.credentials[credential]?.versions else { throw StoreRefusal("no credential named \(credential)") }
            let found = version.map { v in versions.first { $0.record.version == v } } ?? versions.first { $0.record.state == .current }
            guard let found else { throw StoreRefusal("\(credential) has no \(version.map { "version \($0)" } ?? "current version")") }
            return found.value
        }
    }

    public func fingerprint(of value: SecretBytes) throws -> String {
        "b2k:" + Hex.encode(try BLAKE2b.keyedHash(secret: value, key: fingerprintKey, outputLength: 16))
    }

    public func createPendingVersion(credential: String, value: SecretBytes, source: VersionSource, runID: String, actor: AuditActor) throws -> VersionRecord {
        try ValueRules.validate(value)
        let fingerprint = try self.fingerprint(of: value)
        let now = clock.now()
        return try state.withLock { s in
            guard var c = s.credentials[credential] else { throw StoreRefusal("no credential named \(credential)") }
            if let existing = c.versions.first(where: { $0.runID == runID }) { return existing.record }
            if c.versions.contains(where: { $0.record.state == .current && $0.record.fingerprint == fingerprint }) {
                throw StoreRefusal("the new value of \(credential) equals its current value")
            }
            let next = (c.versions.map(\.record.version).max() ?? 0) + 1
            let record = VersionRecord(credential: credential, version: next, state: .pending, source: source, createdAt: now, updatedAt: now, fingerprint: fingerprint)
            try append(&s, AuditDraft(actor: actor, action: .versionCreated, credential: credential, version: next, fingerprints: ["new": fingerprint],
                                           outcome: .success, detail: "run \(runID); source \(source.rawValue); pending"))
            c.versions.append(Version(record: record, value: value, runID: runID))
            s.credentials[credential] = c
            return record
        }
    }

    public func promote(credential: String, newVersion: Int, revoked: Bool, actor: AuditActor, runID: String) throws {
        let now = clock.now()
        try state.withLock { s in
            guard var c = s.credentials[credential], let i = c.versions.firstIndex(where: { $0.record.version == newVersion && [.pending, .current].contains($0.record.state) }) else {
                throw StoreRefusal("credential \(credential) has no pending version \(newVersion)")
            }
            guard c.versions[i].record.state == .pending else { return } // already promoted (resumed run)
            for j in c.versions.indices {
                switch c.versions[j].record.state {
                case .previous: c.versions[j].record.state = .retired
                case .current: c.versions[j].record.state = revoked ? .revoked : .previous
                default: continue
                }
                c.versions[j].record.updatedAt = now
            }
            c.versions[i].record.state = .current
            c.versions[i].record.updatedAt = now
            try append(&s, AuditDraft(actor: actor, action: revoked ? .credentialRevoked : .rotationFinished, credential: credential, version: newVersion,
                                           outcome: .success, detail: "run \(runID); v\(newVersion) current"))
            s.credentials[credential] = c
        }
    }

    public func markFailed(credential: String, version: Int, actor: AuditActor, runID: String, reason: String) throws {
        let now = clock.now()
        try state.withLock { s in
            guard var c = s.credentials[credential] else { throw StoreRefusal("no credential named \(credential)") }
            try append(&s, AuditDraft(actor: actor, action: .rotationRolledBack, credential: credential, version: version, outcome: .failure,
                                           detail: "run \(runID); v\(version) failed; cause: \(reason)"))
            for j in c.versions.indices where c.versions[j].record.version == version && c.versions[j].record.state == .pending {
                c.versions[j].record.state = .failed
                c.versions[j].record.updatedAt = now
            }
            s.credentials[credential] = c
        }
    }

    // MARK: RunJournal

    public func beginRun(_ run: RotationRun, actor: AuditActor, reason: String?) throws {
        try state.withLock { s in
            guard s.credentials[run.credential] != nil else { throw StoreRefusal("no credential named \(run.credential)") }
            if let other = s.runs.values.first(where: { $0.credential == run.credential && !$0.isFinished }) {
                throw StoreRefusal("a rotation of \(run.credential) is already in progress (run \(other.id))")
            }
            try append(&s, AuditDraft(actor: actor, action: .rotationStarted, credential: run.credential, outcome: .started,
                                           detail: "run \(run.id); \(run.kind.rawValue)\(reason.map { "; reason: \($0)" } ?? "")"))
            s.runs[run.id] = run
        }
    }

    public func saveRun(_ run: RotationRun, audit: AuditDraft?) throws {
        try state.withLock { s in
            guard s.runs[run.id] != nil else { throw StoreRefusal("no rotation run \(run.id)") }
            if let audit { try append(&s, audit) }
            s.runs[run.id] = run
        }
    }

    public func unfinishedRuns() throws -> [RotationRun] {
        state.withLock { s in s.runs.values.filter { !$0.isFinished }.sorted { $0.id < $1.id } }
    }

    // MARK: AuditSink

    public func record(_ draft: AuditDraft) throws {
        try state.withLock { s in try append(&s, draft) }
    }

    // MARK: AuditHistory

    public func events(by actor: AuditActor) throws -> [AuditedEvent] {
        state.withLock { s in
            zip(s.audit, s.auditTimes).filter { $0.0.actor == actor }.map { d, t in
                AuditedEvent(time: t, action: d.action, credential: d.credential, outcome: d.outcome, detail: d.detail)
            }
        }
    }

    public func refuseStoredValues(in fields: [(field: String, text: String?)]) throws {
        let present = fields.compactMap { f in f.text.map { (f.field, Array($0.utf8)) } }
        let values = state.withLock { s in s.credentials.values.flatMap { $0.versions.map(\.value) } }
        for value in values {
            if let i = try SecretVariants.firstText(containing: value, in: present.map(\.1)) {
                throw StoreRefusal("refused: \(present[i].0) contains a stored value; nothing was written")
            }
        }
    }

    /// Appends `draft` unless its free text quotes a stored value (then nothing of the change is kept).
    private func append(_ s: inout State, _ draft: AuditDraft) throws {
        let texts = [draft.detail, draft.actor.id].compactMap { $0 }.map { Array($0.utf8) }
        for value in s.credentials.values.flatMap({ $0.versions.map(\.value) }) where try SecretVariants.firstText(containing: value, in: texts) != nil {
            throw StoreRefusal("refused to write audit entry \(draft.action): its text contains a stored value")
        }
        s.audit.append(draft)
        s.auditTimes.append(clock.now())
    }
}

/// What the in-memory store refuses (no value is ever in the message).
public struct StoreRefusal: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
