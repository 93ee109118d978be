import LockstepCore
import LockstepCrypto

/// Errors writing to the audit log. Writing fails closed: the caller's action must not happen.
public struct AuditError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// The entry's text contains the value of a secret this process holds.
        case secretInEntry
        /// The entry could not be hashed or signed.
        case signingFailed
        /// An action name outside the documented vocabulary.
        case invalidAction
    }

    public let code: Code
    public let action: String

    public init(code: Code, action: String) {
        self.code = code
        self.action = action
    }

    public var description: String {
        switch code {
        case .secretInEntry: "refused to write audit entry \(action): its text contains a secret value"
        case .signingFailed: "could not sign audit entry \(action)"
        case .invalidAction: "invalid audit action \"\(action)\""
        }
    }
}

/// Appends entries to a hash chain: computes seq, prev, hash and signature for a draft.
public enum AuditChain {
    /// Seals `draft` as entry `head.seq + 1` (or 1 after genesis), chained to `head.hash`.
    /// Refuses an entry whose canonical text contains any live secret (`SecretRegistry`).
    public static func seal(_ draft: AuditDraft, after head: AuditHead?, time: Timestamp, signer: SigningKeyPair) throws -> AuditEntry {
        guard draft.action.isWellFormed else { throw AuditError(code: .invalidAction, action: draft.action.rawValue) }
        var entry = AuditEntry(seq: (head?.seq ?? 0) + 1, time: time, draft: draft, prev: head?.hash ?? AuditEntry.genesis)
        let canonical = CanonicalEncoding.encode(entry)
        if SecretRegistry.shared.anySecretOccurs(in: canonical) {
            throw AuditError(code: .secretInEntry, action: draft.action.rawValue)
        }
        do {
            entry.hash = try BLAKE2b.hash(canonical, outputLength: 32)
            entry.signature = try signer.sign(entry.hash)
        } catch {
            throw AuditError(code: .signingFailed, action: draft.action.rawValue)
        }
        return entry
    }
}
