import Foundation
import LockstepCore

/// A wall clock that moves only when read (a fixed step per reading) or told to jump: the
/// fixture log gets the same times on every run, whatever the machine's speed.
final class SteppingClock: WallClock, @unchecked Sendable {
    private let lock = NSLock()
    private var millis: Int64
    private let step: Int64

    init(start: Timestamp, stepMillis: Int64 = 250) {
        millis = start.millisecondsSinceEpoch
        step = stepMillis
    }

    func now() -> Timestamp {
        lock.lock(); defer { lock.unlock() }
        millis += step
        return Timestamp(millisecondsSinceEpoch: millis)
    }

    /// Moves to `t` (never backwards).
    func jump(to t: Timestamp) {
        lock.lock(); defer { lock.unlock() }
        millis = max(millis, t.millisecondsSinceEpoch)
    }
}
