import Foundation
import LockstepAudit
import LockstepCore
import LockstepCrypto
import Testing

/// Golden vectors pin the canonical encoding, hashes and signatures of format version 1.
/// If one of these fails, the format changed: every signature already written would stop
/// verifying. Do not regenerate the fixtures; add a new format version instead.
@Suite struct GoldenVectorTests {
    @Test func canonicalEncodingMatchesTheFixture() throws {
        let expected = try fixture("golden-canonical.txt")
        let actual = try goldenEntries().map { CanonicalEncoding.encode($0) + [10] }.flatMap { $0 }
        #expect(String(decoding: actual, as: UTF8.self) == String(decoding: expected, as: UTF8.self))
    }

    @Test func signedJSONLinesMatchTheFixture() throws {
        let expected = try fixture("golden.jsonl")
        let actual = try goldenEntries().flatMap { AuditJSONLines.line($0) }
        #expect(String(decoding: actual, as: UTF8.self) == String(decoding: expected, as: UTF8.self))
    }

    @Test func fixtureVerifiesWithTheGoldenPublicKey() throws {
        let key = Hex.decode(String(decoding: try fixture("golden-public-key.hex"), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))!
        #expect(key == (try goldenSigner()).publicKey)
        let lines = Array(try fixture("golden.jsonl")).split(separator: 10)
        let report = AuditVerifier(publicKey: key).verify(lines: lines)
        #expect(report.ok)
        #expect(report.entries == goldenDrafts.count)
    }

    @Test func hashIsBLAKE2b256OfTheCanonicalBytes() throws {
        for e in try goldenEntries() {
            #expect(e.hash == (try BLAKE2b.hash(CanonicalEncoding.encode(e), outputLength: 32)))
        }
    }

    @Test func decodeOfALineRoundTrips() throws {
        for e in try goldenEntries() {
            var line = AuditJSONLines.line(e)
            line.removeLast()
            #expect(try AuditJSONLines.decode(line) == e)
        }
    }
}
