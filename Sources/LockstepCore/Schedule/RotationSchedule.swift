import Foundation
import LockstepCrypto

/// When a credential is next due: a period after the last successful rotation (`every`) or the
/// next cron time after it, pushed later by a fixed per-credential jitter, and then to the next
/// moment the allowed window is open.
public struct RotationSchedule: Sendable, Equatable {
    public enum Trigger: Sendable, Equatable {
        case every(PolicyDuration)
        case cron(CronExpression, TimeZone)
    }

    public let trigger: Trigger
    public let window: RotationWindow?
    public let jitter: PolicyDuration?

    public init(trigger: Trigger, window: RotationWindow? = nil, jitter: PolicyDuration? = nil) {
        self.trigger = trigger
        self.window = window
        self.jitter = jitter
    }

    /// The jitter offset for `credential`: a stable value in [0, jitter) derived from its name,
    /// so credentials sharing a policy shape do not all rotate at once, and the plan is
    /// predictable (the same every time it is computed).
    public func jitterOffset(for credential: String) -> Int64 {
        guard let jitter, jitter.seconds > 0 else { return 0 }
        let digest = (try? BLAKE2b.hash(Array("lockstep-jitter|\(credential)".utf8), outputLength: 16)) ?? [UInt8](repeating: 0, count: 16)
        let n = digest.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return Int64(n % UInt64(jitter.seconds))
    }

    /// When `credential`, last rotated successfully at `lastRotation` (nil: never), is next due.
    /// Never earlier than the trigger says; nil only if no allowed time exists within years.
    public func nextDue(lastRotation: Date?, credential: String, now: Date) -> Date? {
        let offset = TimeInterval(jitterOffset(for: credential))
        guard let last = lastRotation else {
            return window.map { $0.nextOpen(atOrAfter: now) } ?? now
        }
        switch trigger {
        case .every(let period):
            let candidate = last.addingTimeInterval(TimeInterval(period.seconds) + offset)
            guard let window else { return candidate }
            return window.nextOpen(atOrAfter: candidate)
        case .cron(let cron, let tz):
            var after = last
            for _ in 0..<10_000 {
                guard let fire = cron.next(after: after, in: tz) else { return nil }
                let candidate = fire.addingTimeInterval(offset)
                if window?.contains(candidate) ?? true { return candidate }
                after = fire
            }
            return nil
        }
    }
}
