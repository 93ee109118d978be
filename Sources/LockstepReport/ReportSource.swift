import Foundation
import LockstepAudit
import LockstepCore
import LockstepVault

/// Where the report reads the log from. Either way every entry is verified (hash, signature,
/// chain) in the same pass that folds it, and the report is refused unless the whole log verified.
public enum ReportInput: Sendable {
    /// The vault's own log, read-only and without the vault key; the public key is the vault's.
    case vault(path: String)
    /// An export (JSON Lines) and the audit public key the auditor holds; `head` is checked when given.
    case export(path: String, publicKey: [UInt8], head: AuditHead?)
}

/// Why no report was built.
public struct ReportError: Error, Sendable, CustomStringConvertible {
    public enum Code: Sendable { case notVerified, unreadable }
    public let code: Code
    public let message: String
    public let hint: String?
    public var description: String { message }
}

public enum ReportGenerator {
    /// Verifies and folds the log in one streaming pass.
    public static func build(from input: ReportInput, policies: [RotationPolicy], since: Timestamp? = nil, until: Timestamp? = nil) throws -> ComplianceReport {
        var builder = ReportBuilder(policies: policies, since: since, until: until)
        var decoder = ParallelDecoder()
        let accept: ([UInt8]) -> Void = { line in decoder.add(line) { builder.add($0) } }
        let verified: AuditVerificationReport, key: [UInt8], head: AuditHead?
        switch input {
        case .export(let path, let publicKey, let givenHead):
            var reader: AuditLineReader
            do { reader = try AuditLineReader(path: path) } catch {
                throw ReportError(code: .unreadable, message: "cannot read \(path): \(error)", hint: "check the path of the export")
            }
            verified = AuditVerifier(publicKey: publicKey).verify(reader: &reader, head: givenHead, accepted: accept)
            (key, head) = (publicKey, givenHead)
        case .vault(let path):
            let store = try AuditLogStore.open(vaultAt: path)
            key = try store.publicKey()
            verified = try store.verifyStreaming(publicKey: key, accepted: accept)
            head = nil
        }
        if let failure = verified.failure {
            throw ReportError(code: .notVerified, message: "the audit log does NOT verify: \(failure); no report is built from it",
                              hint: "entries before the first bad one verified (\(verified.entries)); run `lockstep audit verify` for the details")
        }
        decoder.flush { builder.add($0) }
        if let undecodable = decoder.failure { throw ReportError(code: .unreadable, message: "a verified entry could not be read: \(undecodable)", hint: nil) }
        guard let first = verified.firstSeq, let last = verified.lastSeq, let lastHash = verified.lastHash else {
            throw ReportError(code: .notVerified, message: "the audit log is empty: nothing to report", hint: nil)
        }
        return builder.finish(verification: ReportVerification(
            result: "verified", head: AuditHead(seq: last, hash: lastHash).description, entries: verified.entries, firstSeq: first, lastSeq: last,
            publicKey: Data(key).base64EncodedString(), headGiven: head?.description))
    }
}
