import Foundation
import Synchronization

/// What one consumer pod saw, per server: attempts (new connections) and failures, with the
/// first few failures' times and causes. Written as JSON at exit; it holds no password.
public struct ConnectReport: Codable, Sendable {
    public struct Tally: Codable, Sendable, Equatable {
        public var attempts = 0
        public var failed = 0
        /// `2026-12-04T21:00:00.123Z postgres: SQLSTATE 28P01`, at most 20.
        public var firstFailures: [String] = []
        public init() {}
    }

    public let pid: Int32
    public var servers: [String: Tally]
}

/// Counts outcomes from concurrent attempts.
public final class ConnectRecorder: Sendable {
    private let state = Mutex<[String: ConnectReport.Tally]>([:])

    public init() {}

    func record(_ server: String, failure: String?) {
        state.withLock { tallies in
            var tally = tallies[server] ?? .init()
            tally.attempts += 1
            if let failure {
                tally.failed += 1
                if tally.firstFailures.count < 20 { tally.firstFailures.append("\(Date().ISO8601Format(.iso8601.time(includingFractionalSeconds: true))) \(failure)") }
            }
            tallies[server] = tally
        }
    }

    public func report() -> ConnectReport {
        ConnectReport(pid: ProcessInfo.processInfo.processIdentifier, servers: state.withLock { $0 })
    }
}

/// Opens a new connection to every target at a steady rate (attempt `i` at `start + i / rate`,
/// whether or not earlier ones have ended) until `stop`, then waits for those in flight.
public struct ConnectRunner: Sendable {
    public let targets: [ConnectTarget]
    public let perSecond: Double
    public let timeout: Duration
    public let recorder: ConnectRecorder

    public init(targets: [ConnectTarget], perSecond: Double, timeout: Duration, recorder: ConnectRecorder) {
        self.targets = targets
        self.perSecond = perSecond
        self.timeout = timeout
        self.recorder = recorder
    }

    public func run(stop: StopFlag) async {
        let clock = ContinuousClock()
        let start = clock.now
        var tick = 0
        await withTaskGroup(of: Void.self) { group in
            while !stop.isStopped {
                let due = start + .seconds(Double(tick) / perSecond)
                while !stop.isStopped, clock.now < due {
                    try? await Task.sleep(until: min(due, clock.now + .milliseconds(50)), clock: clock)
                }
                if stop.isStopped { break }
                for target in targets {
                    group.addTask { recorder.record(target.name, failure: await ConnectProbe.attempt(target, timeout: timeout)) }
                }
                tick += 1
            }
            await group.waitForAll()
        }
    }
}
