/// How often, and how far apart, an adapter asks the provider's data plane whether a retired key
/// is refused (a provider may take a moment to propagate a deletion).
public struct RefusalChecks: Sendable {
    public let count: Int
    public let pause: Duration
    public let clock: any Clock<Duration>

    public init(count: Int = 10, pause: Duration = .seconds(1), clock: any Clock<Duration> = ContinuousClock()) {
        self.count = max(1, count)
        self.pause = pause
        self.clock = clock
    }

    /// Asks `refuses` up to `count` times, `pause` apart, until it says yes; throws a mismatch
    /// naming `done` (what was done to the key) when the provider still accepted it at the last check.
    func confirm(_ done: String, provider: String, _ refuses: () async throws -> Bool) async throws {
        for check in 1...count {
            if try await refuses() { return }
            if check < count { try await clock.sleep(for: pause) }
        }
        throw ProviderError(.mismatch, status: nil, "\(done), but \(provider) still accepted the old key after \(count) checks")
    }
}
