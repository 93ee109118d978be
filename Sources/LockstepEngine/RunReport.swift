import LockstepCore

/// What a run did, step by step, for the operator's screen and the incident record.
public struct RunReport: Sendable {
    public struct Step: Sendable {
        public let at: Timestamp
        public let action: String
        public let outcome: String
        public let millis: Int64
    }

    public var run: RotationRun
    public var steps: [Step] = []
    /// Revoke: time from the start of the run until the old key was refused.
    public var oldKeyRefusedAfterMillis: Int64?
    public var warnings: [String] = []
}
