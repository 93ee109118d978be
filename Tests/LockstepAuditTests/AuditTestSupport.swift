import Foundation
import LockstepAudit
import LockstepCore
import LockstepCrypto

/// A signer from a fixed seed, so that golden vectors are reproducible (Ed25519 is deterministic).
func goldenSigner() throws -> SigningKeyPair {
    let seed = (0..<32).map { UInt8($0 * 7 % 256) }
    return try SigningKeyPair(seed: seed.withUnsafeBytes { try SecretBytes(copying: $0) })
}

/// The drafts behind the golden vectors: every field, escaping and optionality exercised.
let goldenDrafts: [(Int64, AuditDraft)] = [
    (1_795_000_000_000, AuditDraft(actor: AuditActor(kind: .user, id: "alice (uid 1000)"), action: AuditAction(rawValue: "vault.initialized"), detail: "format 1, key file")),
    (1_795_000_000_123, AuditDraft(actor: AuditActor(kind: .user, id: "alice (uid 1000)"), action: AuditAction(rawValue: "credential.imported"), credential: "litellm-master-key", version: 1,
                                   fingerprints: ["current": "b2k:00112233445566778899aabbccddeeff"], detail: "kind litellm-master-key; adopted as current")),
    (1_795_000_060_007, AuditDraft(actor: AuditActor(kind: .schedule, id: "litellm-master-key"), action: AuditAction(rawValue: "secret.patched"), credential: "litellm-master-key", version: 2,
                                   fingerprints: ["old": "b2k:00112233445566778899aabbccddeeff", "new": "b2k:ffeeddccbbaa99887766554433221100"],
                                   targets: [AuditTarget(namespace: "unique", name: "chat-backend-litellm", key: "LITELLM_API_KEY", resourceVersionBefore: "41", resourceVersionAfter: "57"),
                                             AuditTarget(namespace: "litellm-system", name: "litellm-masterkey", key: "masterkey", resourceVersionBefore: "12", resourceVersionAfter: "58")],
                                   outcome: .success, detail: nil)),
    (1_795_000_120_999, AuditDraft(actor: AuditActor(kind: .incident, id: "INC-2026-0042"), action: AuditAction(rawValue: "check.failed"), credential: "litellm-master-key", version: 2,
                                   targets: [AuditTarget(namespace: "litellm-system", name: "litellm")],
                                   outcome: .failure, detail: "quote \" backslash \\ tab \t newline \n bell \u{07} del \u{7f} unicode é ✓ 🔑")),
    (1_795_000_180_000, AuditDraft(actor: AuditActor(kind: .system, id: "lockstep"), action: AuditAction(rawValue: "rotation.rolled-back"), credential: "litellm-master-key", version: 2, outcome: .started)),
]

func goldenEntries() throws -> [AuditEntry] {
    let signer = try goldenSigner()
    var head: AuditHead?
    return try goldenDrafts.map { ms, draft in
        let e = try AuditChain.seal(draft, after: head, time: Timestamp(millisecondsSinceEpoch: ms), signer: signer)
        head = AuditHead(seq: e.seq, hash: e.hash)
        return e
    }
}

/// A chain of `count` entries signed by `signer`.
func makeChain(_ count: Int, signer: SigningKeyPair) throws -> [AuditEntry] {
    var head: AuditHead?
    var out: [AuditEntry] = []
    out.reserveCapacity(count)
    for i in 0..<count {
        let draft = AuditDraft(actor: AuditActor(kind: i % 3 == 0 ? .schedule : .user, id: "actor-\(i % 7)"),
                               action: [AuditAction.rotationStarted, .secretPatched, .workloadRolledOut, .checkPassed, .rotationFinished][i % 5],
                               credential: "cred-\(i % 11)", version: i / 5 + 1,
                               fingerprints: ["new": "b2k:" + Hex.encode(SecureRandom.bytes(16))],
                               targets: [AuditTarget(namespace: "ns", name: "secret-\(i % 4)", key: "KEY", resourceVersionBefore: "\(i)", resourceVersionAfter: "\(i + 1)")],
                               outcome: .success, detail: "step \(i)")
        let e = try AuditChain.seal(draft, after: head, time: Timestamp(millisecondsSinceEpoch: 1_795_000_000_000 + Int64(i) * 1000), signer: signer)
        head = AuditHead(seq: e.seq, hash: e.hash)
        out.append(e)
    }
    return out
}

func jsonLines(_ entries: [AuditEntry]) -> [ArraySlice<UInt8>] {
    entries.map { var l = AuditJSONLines.line($0); l.removeLast(); return l[...] }
}

func fixture(_ name: String) throws -> Data {
    try Data(contentsOf: Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil)!)
}
