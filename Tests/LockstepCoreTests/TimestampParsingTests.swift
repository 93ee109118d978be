import LockstepCore
import Testing

/// RFC 3339 as audit exports, `--since` and `--until` carry it: 0 to 9 fractional digits, of
/// which milliseconds are kept. Found by the audit fuzz target: 4 or more digits trapped
/// (an invalid range), so a mutated export crashed `audit verify`.
@Suite struct TimestampParsingTests {
    @Test(arguments: [("2026-11-18T11:06:40Z", 0), ("2026-11-18T11:06:40.1Z", 100), ("2026-11-18T11:06:40.12Z", 120), ("2026-11-18T11:06:40.123Z", 123),
                      ("2026-11-18T11:06:40.1234Z", 123), ("2026-11-18T11:06:40.123456789Z", 123)])
    func fractionalDigitsGiveMilliseconds(text: String, millis: Int64) throws {
        let t = try #require(Timestamp(rfc3339: text))
        #expect(t.millisecondsSinceEpoch % 1000 == millis)
    }

    @Test func tenFractionalDigitsAreRefused() {
        #expect(Timestamp(rfc3339: "2026-11-18T11:06:40.1234567890Z") == nil)
    }
}
