import CSodiumReference
import Foundation
import LockstepAudit
import LockstepCore
import LockstepCrypto

/// `audit verify` of a 100,000-entry export against a raw loop of libsodium BLAKE2b-256 and
/// Ed25519 verify over the same entries' canonical bytes (no parsing, no chain bookkeeping).
func auditBench(entries count: Int) throws -> String {
    let signer = try SigningKeyPair.generate()
    var head: AuditHead?
    var lines: [ArraySlice<UInt8>] = []
    var canonical: [[UInt8]] = []
    var signatures: [[UInt8]] = []
    lines.reserveCapacity(count)
    for i in 0..<count {
        let draft = AuditDraft(actor: AuditActor(kind: .schedule, id: "policy-\(i % 50)"), action: .secretPatched, credential: "credential-\(i % 50)", version: i / 50 + 1,
                               fingerprints: ["old": "b2k:" + Hex.encode(SecureRandom.bytes(16)), "new": "b2k:" + Hex.encode(SecureRandom.bytes(16))],
                               targets: [AuditTarget(namespace: "litellm-system", name: "litellm-masterkey", key: "masterkey", resourceVersionBefore: "\(i)", resourceVersionAfter: "\(i + 1)")],
                               outcome: .success, detail: "patched in lockstep")
        let e = try AuditChain.seal(draft, after: head, time: Timestamp(millisecondsSinceEpoch: 1_795_000_000_000 + Int64(i)), signer: signer)
        head = AuditHead(seq: e.seq, hash: e.hash)
        var l = AuditJSONLines.line(e)
        l.removeLast()
        lines.append(l[...])
        canonical.append(CanonicalEncoding.encode(e))
        signatures.append(e.signature)
    }
    let bytes = lines.reduce(0) { $0 + $1.count + 1 }
    let pk = signer.publicKey
    var ok = true
    let raw = medianMillis(3) {
        var hash = [UInt8](repeating: 0, count: 32)
        for i in 0..<count {
            _ = crypto_generichash(&hash, 32, canonical[i], UInt64(canonical[i].count), nil, 0)
            if crypto_sign_verify_detached(signatures[i], hash, 32, pk) != 0 { ok = false }
        }
    }
    var reportOK = true
    let serial = medianMillis(3) { reportOK = reportOK && AuditVerifier(publicKey: pk, parallel: false).verify(lines: lines).ok }
    let parallel = medianMillis(3) { reportOK = reportOK && AuditVerifier(publicKey: pk).verify(lines: lines).ok }
    precondition(ok && reportOK, "benchmark log did not verify")
    let cores = ProcessInfo.processInfo.activeProcessorCount
    return """
    | verify \(count) entries (\(bytes / 1_048_576) MiB JSON Lines) | median ms | entries/s | vs raw |
    |---|---:|---:|---:|
    | raw loop: BLAKE2b-256 + Ed25519 verify, 1 thread, pre-encoded bytes | \(fmt(raw, 0)) | \(fmt(Double(count) / raw * 1000, 0)) | 1.00× |
    | `AuditVerifier` 1 thread (check the line shape, hash the written bytes, verify, chain) | \(fmt(serial, 0)) | \(fmt(Double(count) / serial * 1000, 0)) | \(fmt(raw / serial, 2))× |
    | `AuditVerifier` on all \(cores) cores (what `lockstep audit verify` runs) | \(fmt(parallel, 0)) | \(fmt(Double(count) / parallel * 1000, 0)) | \(fmt(raw / parallel, 2))× |

    Target ≥ 0.8 of raw: \(raw / parallel >= 0.8 ? "met" : "NOT met") as shipped (\(fmt(raw / parallel, 2))×); single-threaded \(fmt(raw / serial, 2))×.

    """
}
