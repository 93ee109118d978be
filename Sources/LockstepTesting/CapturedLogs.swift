import Logging
import Synchronization

/// Log lines captured through a handler of their own, to check what is (and is not) logged:
/// the one in-memory log handler of the test suites. Each line is the level, the message, the
/// merged metadata and the error, as a reader of the log would see them.
public final class CapturedLogs: Sendable {
    private let lines = Mutex<[String]>([])

    public init() {}

    public var all: [String] { lines.withLock { $0 } }
    public var joined: String { all.joined(separator: "\n") }

    /// A logger at `trace` that writes here.
    public var logger: Logger {
        var logger = Logger(label: "lockstep.test") { _ in Handler(sink: self) }
        logger.logLevel = .trace
        return logger
    }

    public func append(_ line: String) { lines.withLock { $0.append(line) } }

    private struct Handler: LogHandler {
        let sink: CapturedLogs
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            sink.append("\(event.level) \(event.message) \(merged) \(event.error.map { "\($0)" } ?? "")")
        }
    }
}
