/// An audit action: dotted lowercase words, `noun.verb[-verb]` (docs/auditors-guide.md explains
/// each). A type, not a string, so that every module names actions from this one vocabulary;
/// an entry read back from an export may carry an action this build does not know, which is kept
/// as it was written (`init(rawValue:)`).
public struct AuditAction: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    public static let vaultInitialized = AuditAction(rawValue: "vault.initialized")
    public static let vaultRekeyed = AuditAction(rawValue: "vault.rekeyed")
    public static let credentialImported = AuditAction(rawValue: "credential.imported")
    public static let credentialRevoked = AuditAction(rawValue: "credential.revoked")
    public static let rotationStarted = AuditAction(rawValue: "rotation.started")
    public static let versionCreated = AuditAction(rawValue: "version.created")
    public static let secretPatched = AuditAction(rawValue: "secret.patched")
    public static let workloadRestarted = AuditAction(rawValue: "workload.restarted")
    public static let workloadRolledOut = AuditAction(rawValue: "workload.rolled-out")
    /// Blue-green: a gateway colour's Deployment scaled up (started) or to 0 (stopped).
    public static let workloadScaled = AuditAction(rawValue: "workload.scaled")
    public static let checkPassed = AuditAction(rawValue: "check.passed")
    public static let checkFailed = AuditAction(rawValue: "check.failed")
    public static let rotationFinished = AuditAction(rawValue: "rotation.finished")
    public static let rotationRolledBack = AuditAction(rawValue: "rotation.rolled-back")
    /// A target no longer holds the current version (found by preflight or the daemon's watch).
    public static let driftDetected = AuditAction(rawValue: "drift.detected")
    /// A new key minted at its provider by Lockstep (Azure: the idle key regenerated), written
    /// before the call; the `version.created` entry that follows records its outcome.
    public static let providerKeyMinted = AuditAction(rawValue: "provider-key.minted")
    /// The old key retired at its provider (Azure: its key regenerated; Anthropic: set
    /// `inactive`): written before the call and with its outcome after.
    public static let providerKeyRetired = AuditAction(rawValue: "provider-key.retired")
    /// `revoke --all`: an incident opened (its credentials, in the order they are revoked) or
    /// taken up again after an interruption; written before the first run.
    public static let incidentOpened = AuditAction(rawValue: "incident.opened")
    /// `revoke --all` ended: per credential, whether its old value is refused at its source, and
    /// what needs a person. Outcome `success` only when every old value is refused.
    public static let incidentClosed = AuditAction(rawValue: "incident.closed")
    /// The daemon could not deliver a webhook notification.
    public static let notificationFailed = AuditAction(rawValue: "notification.failed")

    /// Every action this build writes.
    public static let known: [AuditAction] = [
        vaultInitialized, vaultRekeyed, credentialImported, credentialRevoked, rotationStarted, versionCreated, secretPatched,
        workloadRestarted, workloadRolledOut, workloadScaled, checkPassed, checkFailed, rotationFinished, rotationRolledBack,
        driftDetected, notificationFailed, providerKeyMinted, providerKeyRetired, incidentOpened, incidentClosed,
    ]

    /// Dotted lowercase words: `noun.verb[-verb]`, at most 64 characters.
    public var isWellFormed: Bool { Self.isWellFormed(rawValue) }

    public static func isWellFormed(_ action: String) -> Bool {
        let parts = action.split(separator: ".", omittingEmptySubsequences: false)
        guard action.utf8.count <= 64, parts.count >= 2 else { return false }
        return parts.allSatisfy { p in !p.isEmpty && p.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || $0 == 45 || ($0 >= 48 && $0 <= 57) } }
    }
}
