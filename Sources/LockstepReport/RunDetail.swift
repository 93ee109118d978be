import Foundation
import LockstepCore

/// Reads what the vault and the engine write into an entry's `detail` about its run. The
/// formats are fixed by their writers: `rotation.started` is `run ID; KIND; strategy S[; reason: R]`
/// (Vault.beginRun), the engine's step entries are `run ID: …` (Step+Audit), the vault's own
/// `run ID; …` (version.created, promote, markFailed `…; cause: R`). A run id is
/// `CREDENTIAL-MILLIS` and a credential name has no `;` or `:`, so the id ends at the first of them.
enum RunDetail {
    static func runID(_ detail: String?) -> String? { RunEntryText.runID(detail) }

    /// The detail without its `run ID: ` / `run ID; ` prefix.
    static func message(_ detail: String?) -> String { RunEntryText.message(detail) }

    /// `rotation.started`: kind, strategy and the reason given (the reason comes last and may hold anything).
    static func started(_ detail: String?) -> (kind: String, strategy: String?, reason: String?) {
        let text = message(detail)
        var head = Substring(text)
        var reason: String?
        if let r = text.range(of: "; reason: ") {
            reason = String(text[r.upperBound...])
            head = text[..<r.lowerBound]
        } else if text.hasPrefix("reason: ") {
            reason = String(text.dropFirst(8))
            head = ""
        }
        let parts = head.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        let strategy = parts.first { $0.hasPrefix("strategy ") }.map { String($0.dropFirst(9)) }
        return (parts.first ?? "rotate", strategy, reason)
    }

    /// `rotation.rolled-back`: the cause after `cause: `, else the whole message.
    static func cause(_ detail: String?) -> String {
        let text = message(detail)
        guard let r = text.range(of: "cause: ") else { return text }
        return String(text[r.upperBound...])
    }

    /// A `check.passed` entry that saw the gateway refuse the old key (verifyOldRefused, or the
    /// key-ring check at every gateway pod), or a `provider-key.retired` one that retired it
    /// at its provider.
    static func oldKeyRefused(_ detail: String?) -> Bool { AuditedEvent.detailShowsRefusal(detail) }
}
