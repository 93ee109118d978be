import Foundation
import LockstepCore
import LockstepCrypto

/// Who caused an audited action.
public struct AuditActor: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// A person at the CLI or the admin API (id: login name or uid).
        case user
        /// The daemon's scheduler (id: the policy name).
        case schedule
        /// An incident response, e.g. a revoke (id: the incident id).
        case incident
        /// Lockstep itself (recovery, migrations).
        case system
    }

    public var kind: Kind
    public var id: String

    public init(kind: Kind, id: String) {
        self.kind = kind
        self.id = id
    }
}

/// A Kubernetes object an action touched, with the resourceVersion before and after.
public struct AuditTarget: Sendable, Equatable, Codable {
    public var namespace: String
    public var name: String
    public var key: String?
    public var resourceVersionBefore: String?
    public var resourceVersionAfter: String?

    public init(namespace: String, name: String, key: String? = nil, resourceVersionBefore: String? = nil, resourceVersionAfter: String? = nil) {
        self.namespace = namespace
        self.name = name
        self.key = key
        self.resourceVersionBefore = resourceVersionBefore
        self.resourceVersionAfter = resourceVersionAfter
    }
}

/// How an audited step ended.
public enum AuditOutcome: String, Sendable, Codable, CaseIterable {
    case success, failure, started
}

/// What a caller asks to record; the chain adds seq, time, prev, hash and signature.
public struct AuditDraft: Sendable, Equatable {
    public var actor: AuditActor
    public var action: String
    public var credential: String?
    public var version: Int?
    /// Label → fingerprint (keyed BLAKE2b), e.g. `"new": "b2k:…"`. Never a value.
    public var fingerprints: [String: String]
    public var targets: [AuditTarget]
    public var outcome: AuditOutcome
    public var detail: String?

    public init(actor: AuditActor, action: String, credential: String? = nil, version: Int? = nil,
                fingerprints: [String: String] = [:], targets: [AuditTarget] = [], outcome: AuditOutcome = .success, detail: String? = nil) {
        self.actor = actor
        self.action = action
        self.credential = credential
        self.version = version
        self.fingerprints = fingerprints
        self.targets = targets
        self.outcome = outcome
        self.detail = detail
    }
}

/// One entry of the audit log, as signed. `hash` is BLAKE2b-256 over `CanonicalEncoding.encode`
/// of every field but `hash` and `signature`; `signature` is Ed25519 over `hash`.
public struct AuditEntry: Sendable, Equatable {
    /// Format version of the canonical encoding. Changing the encoding means a new number.
    public static let formatVersion = 1

    public var seq: UInt64
    public var time: Timestamp
    public var actor: AuditActor
    public var action: String
    public var credential: String?
    public var version: Int?
    public var fingerprints: [String: String]
    public var targets: [AuditTarget]
    public var outcome: AuditOutcome
    public var detail: String?
    /// Hash of the previous entry; 32 zero bytes for seq 1.
    public var prev: [UInt8]
    public var hash: [UInt8]
    public var signature: [UInt8]

    public init(seq: UInt64, time: Timestamp, draft: AuditDraft, prev: [UInt8], hash: [UInt8] = [], signature: [UInt8] = []) {
        self.seq = seq
        self.time = time
        self.actor = draft.actor
        self.action = draft.action
        self.credential = draft.credential
        self.version = draft.version
        self.fingerprints = draft.fingerprints
        self.targets = draft.targets
        self.outcome = draft.outcome
        self.detail = draft.detail
        self.prev = prev
        self.hash = hash
        self.signature = signature
    }

    /// The hash every chain starts from.
    public static let genesis = [UInt8](repeating: 0, count: 32)
}

/// `SEQ:HASH` of the last entry, kept somewhere else so that a truncated tail is detectable.
public struct AuditHead: Sendable, Equatable, CustomStringConvertible {
    public var seq: UInt64
    public var hash: [UInt8]

    public init(seq: UInt64, hash: [UInt8]) {
        self.seq = seq
        self.hash = hash
    }

    /// Parses `SEQ:HEXHASH`.
    public init?(_ text: String) {
        let parts = text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let seq = UInt64(parts[0]), let hash = Hex.decode(String(parts[1])), hash.count == 32 else { return nil }
        self.seq = seq
        self.hash = hash
    }

    public var description: String { "\(seq):\(Hex.encode(hash))" }
}
