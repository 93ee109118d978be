import Foundation
import LockstepCore
import LockstepCrypto

/// One entry of the audit log, as signed. `hash` is BLAKE2b-256 over `CanonicalEncoding.encode`
/// of every field but `hash` and `signature`; `signature` is Ed25519 over `hash`.
public struct AuditEntry: Sendable, Equatable {
    /// Format version of the canonical encoding. Changing the encoding means a new number.
    public static let formatVersion = 1

    public var seq: UInt64
    public var time: Timestamp
    public var actor: AuditActor
    public var action: AuditAction
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
