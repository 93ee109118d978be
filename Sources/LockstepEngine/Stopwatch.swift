/// Time since it was made, on the engine's clock (`Settings.clock`): what every bounded wait of
/// the engine compares with its bound and what its reports say a step took. On a virtual clock
/// (tests) a three-minute bound is checked in milliseconds.
struct Stopwatch: Sendable {
    private let read: @Sendable () -> Duration

    init(_ clock: any Clock<Duration>) { read = Self.start(clock) }

    private static func start<C: Clock<Duration>>(_ clock: C) -> @Sendable () -> Duration {
        let start = clock.now
        return { start.duration(to: clock.now) }
    }

    var elapsed: Duration { read() }
    var milliseconds: Int64 { millis(elapsed) }
    var seconds: Double { Double(milliseconds) / 1000 }
}

extension RotationEngine {
    /// Waits `duration` on the engine's clock (never `Task.sleep` directly, so tests can run it virtually).
    func pause(_ duration: Duration) async throws {
        try await settings.clock.sleep(for: duration)
    }
}
