import Foundation
import LockstepAudit
import LockstepCore
import LockstepCrypto
import Testing

/// The `hash` and `sig` members are part of the export form too: upper-case hex and a Base64
/// signature with other unused bits decode to the same bytes, but the line is then not the one
/// Lockstep wrote. Found by the audit fuzz target (docs/fuzzing.md).
@Suite struct CanonicalTailTests {
    @Test func upperCaseHexInTheHashIsRefused() throws {
        let signer = try SigningKeyPair.generate()
        let chain = try makeChain(3, signer: signer)
        var lines = jsonLines(chain)
        let line = String(decoding: lines[1], as: UTF8.self)
        let hash = Hex.encode(chain[1].hash)
        let letter = try #require(hash.firstIndex { $0.isLetter })
        let changed = hash.replacingCharacters(in: letter...letter, with: hash[letter].uppercased())
        lines[1] = ArraySlice(Array(line.replacingOccurrences(of: "\"hash\":\"\(hash)\"", with: "\"hash\":\"\(changed)\"").utf8))
        #expect(lines[1] != jsonLines(chain)[1])
        let f = AuditVerifier(publicKey: signer.publicKey).verify(lines: lines).failure
        #expect(f?.kind == .malformed && f?.line == 2, "\(String(describing: f))")
    }

    @Test func aSignatureWithOtherUnusedBase64BitsIsRefused() throws {
        let signer = try SigningKeyPair.generate()
        let chain = try makeChain(3, signer: signer)
        var lines = jsonLines(chain)
        let line = String(decoding: lines[2], as: UTF8.self)
        // 64 bytes in Base64: the last character before `==` carries 4 unused bits.
        let sig = try #require(line.range(of: "==\"}")).lowerBound
        let last = line.index(before: sig)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        let value = try #require(alphabet.firstIndex(of: line[last]))
        let twin = alphabet[(value & ~0x0F) | ((value + 1) & 0x0F)]
        var changed = line
        changed.replaceSubrange(last...last, with: String(twin))
        #expect(Data(base64Encoded: String(changed[changed.index(last, offsetBy: -87)...changed.index(last, offsetBy: 2)])) ==
                Data(base64Encoded: String(line[line.index(last, offsetBy: -87)...line.index(last, offsetBy: 2)])), "the same signature bytes")
        lines[2] = ArraySlice(Array(changed.utf8))
        let f = AuditVerifier(publicKey: signer.publicKey).verify(lines: lines).failure
        #expect(f?.kind == .malformed && f?.line == 3, "\(String(describing: f))")
    }
}
