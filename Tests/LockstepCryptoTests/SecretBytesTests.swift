import Foundation
import LockstepCrypto
import Testing

@Suite struct SecretBytesTests {
    @Test func printsRedactedEverywhere() throws {
        let s = try secret("sk-very-secret-value")
        #expect("\(s)" == "<redacted>")
        #expect(String(describing: s) == "<redacted>")
        #expect(String(reflecting: s) == "<redacted>")
        var dumped = ""
        dump(s, to: &dumped)
        #expect(!dumped.contains("very-secret"))
        #expect(dumped.contains("<redacted>"))
        let mirror = Mirror(reflecting: s)
        #expect(mirror.children.allSatisfy { "\($0.value)" == "<redacted>" })
    }

    @Test func takeWipesTheSourceArray() throws {
        var bytes = Array("sk-wipe-me-please".utf8)
        let s = try SecretBytes.take(&bytes)
        #expect(bytes.allSatisfy { $0 == 0 })
        #expect(s.constantTimeEquals(Array("sk-wipe-me-please".utf8)))
    }

    @Test func concurrentReadersDoNotFault() async throws {
        // Protection flips to PROT_NONE only when the last reader leaves; overlapping readers
        // on several threads must never see an unreadable page.
        let s = try SecretBytes.random(count: 4096)
        await withTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    var sum = 0
                    for _ in 0..<200 { sum &+= s.withUnsafeBytes { Int($0[100]) } }
                    return sum
                }
            }
            var total = 0
            for await partial in group { total &+= partial }
            #expect(total >= 0)
        }
    }

    @Test func registryGuardsLiveSecretsOnly() throws {
        let marker = "guarded-\(Hex.encode(SecureRandom.bytes(6)))"
        do {
            let s = try secret(marker)
            #expect(SecretRegistry.shared.anySecretOccurs(in: Array("entry text \(marker) here".utf8)))
            #expect(!SecretRegistry.shared.anySecretOccurs(in: Array("entry text without it".utf8)))
            withExtendedLifetime(s) {}
        }
        // Another test's guard check may briefly hold a strong reference; allow it to finish (bounded).
        var stillGuarded = true
        for _ in 0..<100 where stillGuarded {
            stillGuarded = SecretRegistry.shared.anySecretOccurs(in: Array("entry text \(marker) here".utf8))
            if stillGuarded { usleep(10_000) }
        }
        #expect(!stillGuarded)
    }

    @Test func base64KeyRoundTripInGuardedMemory() throws {
        let key = try SecretBytes.random(count: 32)
        let text = try SecretBase64.encode(key)
        let back = try text.withUnsafeBytes { try SecretBase64.decode($0, expectedLength: 32) }
        #expect(back.constantTimeEquals(key))
        #expect(throws: CryptoError.self) {
            try Array("not base64 !!".utf8).withUnsafeBytes { try SecretBase64.decode($0, expectedLength: 32) }
        }
    }
}
