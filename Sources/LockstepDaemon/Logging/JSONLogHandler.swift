import Foundation
import LockstepCore
import Logging

/// One JSON object per line on standard error: `time`, `level`, `logger`, `message` and the
/// metadata as strings. Lockstep never puts a credential into a message or metadata; this handler
/// adds nothing else (no source file paths, no process environment).
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    let label: String

    public init(label: String) { self.label = label }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields: [String: String] = [:]
        for (k, v) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) { fields[k] = "\(v)" }
        fields["time"] = Timestamp(Date()).rfc3339
        fields["level"] = event.level.rawValue
        fields["logger"] = label
        fields["message"] = "\(event.message)"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard var line = try? encoder.encode(fields) else { return }
        line.append(0x0A)
        // One write(2) per line, so lines from concurrent tasks do not interleave. A line that
        // cannot be written is dropped (a logger has nowhere to report that); never a crash.
        try? StandardStream.error.write(Array(line))
    }
}
