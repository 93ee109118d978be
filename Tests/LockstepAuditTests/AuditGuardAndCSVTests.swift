import Foundation
import LockstepAudit
import LockstepCore
import LockstepCrypto
import Testing

@Suite struct AuditGuardAndCSVTests {
    @Test func refusesAnEntryThatContainsALiveSecret() async throws {
        let signer = try SigningKeyPair.generate()
        let value = "sk-live-\(Hex.encode(SecureRandom.bytes(8)))"
        do {
            let held = try Array(value.utf8).withUnsafeBytes { try SecretBytes(copying: $0) }
            #expect(throws: AuditError(code: .secretInEntry, action: "check.failed")) {
                try AuditChain.seal(AuditDraft(actor: AuditActor(kind: .system, id: "t"), action: AuditAction(rawValue: "check.failed"), detail: "gateway said: invalid key \(value)"),
                                    after: nil, time: Timestamp(millisecondsSinceEpoch: 0), signer: signer)
            }
            withExtendedLifetime(held) {}
        }
        // Once the secret is released, the same text is allowed (nothing secret left to leak).
        // Released means gone from the registry: a check running on another thread holds every
        // live secret for its duration, so the release can land a moment later (bounded wait).
        let text = Array("gateway said: invalid key \(value)".utf8)
        let deadline = ContinuousClock.now + .seconds(10)
        while SecretRegistry.shared.anySecretOccurs(in: text), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(1)) }
        #expect(!SecretRegistry.shared.anySecretOccurs(in: text), "the released secret left the registry")
        _ = try AuditChain.seal(AuditDraft(actor: AuditActor(kind: .system, id: "t"), action: AuditAction(rawValue: "check.failed"), detail: "gateway said: invalid key \(value)"),
                                after: nil, time: Timestamp(millisecondsSinceEpoch: 0), signer: signer)
    }

    @Test func refusesMalformedActionNames() throws {
        let signer = try SigningKeyPair.generate()
        for bad in ["", "nodot", "Upper.case", "a..b", "spaces in.it"] {
            #expect(throws: AuditError.self) {
                try AuditChain.seal(AuditDraft(actor: AuditActor(kind: .system, id: "t"), action: AuditAction(rawValue: bad)), after: nil, time: Timestamp(millisecondsSinceEpoch: 0), signer: signer)
            }
        }
    }

    @Test func csvQuotesAndNeutralisesFormulas() throws {
        let e = try goldenEntries()[3]
        let row = AuditCSV.row(e)
        #expect(row.hasPrefix("4,2026-11-18T"))
        #expect(row.contains("\"quote \"\" backslash"))
        var formula = e
        formula.detail = "=HYPERLINK(\"http://x\")"
        #expect(AuditCSV.row(formula).contains("\"'=HYPERLINK("))
        #expect(AuditCSV.header.split(separator: ",").count == 14)
    }

    @Test func timestampsRoundTripAndParse() {
        let t = Timestamp(millisecondsSinceEpoch: 1_795_000_000_123)
        #expect(Timestamp(rfc3339: t.rfc3339) == t)
        #expect(Timestamp(rfc3339: "2026-11-29")?.rfc3339 == "2026-11-29T00:00:00.000Z")
        #expect(Timestamp(rfc3339: "2026-11-29T10:00:00+01:00")?.rfc3339 == "2026-11-29T09:00:00.000Z")
        #expect(Timestamp(rfc3339: "2026-11-29T10:00:00.5Z")?.millisecondsSinceEpoch.isMultiple(of: 500) == true)
        #expect(Timestamp(rfc3339: "yesterday") == nil)
        #expect(Timestamp(rfc3339: "2026-13-01") == nil)
        #expect(Timestamp(millisecondsSinceEpoch: 951_782_400_000).rfc3339 == "2000-02-29T00:00:00.000Z")
    }
}
