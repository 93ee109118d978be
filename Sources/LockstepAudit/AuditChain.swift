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
        guard AuditAction.isWellFormed(draft.action) else { throw AuditError(code: .invalidAction, action: draft.action) }
        var entry = AuditEntry(seq: (head?.seq ?? 0) + 1, time: time, draft: draft, prev: head?.hash ?? AuditEntry.genesis)
        let canonical = CanonicalEncoding.encode(entry)
        if SecretRegistry.shared.anySecretOccurs(in: canonical) {
            throw AuditError(code: .secretInEntry, action: draft.action)
        }
        do {
            entry.hash = try BLAKE2b.hash(canonical, outputLength: 32)
            entry.signature = try signer.sign(entry.hash)
        } catch {
            throw AuditError(code: .signingFailed, action: draft.action)
        }
        return entry
    }
}

/// The audit action vocabulary (docs/auditors-guide.md explains each).
public enum AuditAction {
    public static let vaultInitialized = "vault.initialized"
    public static let vaultRekeyed = "vault.rekeyed"
    public static let credentialImported = "credential.imported"
    public static let credentialRevoked = "credential.revoked"
    public static let rotationStarted = "rotation.started"
    public static let versionCreated = "version.created"
    public static let secretPatched = "secret.patched"
    public static let workloadRestarted = "workload.restarted"
    public static let workloadRolledOut = "workload.rolled-out"
    /// Blue-green: a gateway colour's Deployment scaled up (started) or to 0 (stopped).
    public static let workloadScaled = "workload.scaled"
    public static let checkPassed = "check.passed"
    public static let checkFailed = "check.failed"
    public static let rotationFinished = "rotation.finished"
    public static let rotationRolledBack = "rotation.rolled-back"
    public static let driftDetected = "drift.detected"

    /// Dotted lowercase words: `noun.verb[-verb]`, at most 64 characters.
    public static func isWellFormed(_ action: String) -> Bool {
        let parts = action.split(separator: ".", omittingEmptySubsequences: false)
        guard action.utf8.count <= 64, parts.count >= 2 else { return false }
        return parts.allSatisfy { p in !p.isEmpty && p.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || $0 == 45 || ($0 >= 48 && $0 <= 57) } }
    }
}
