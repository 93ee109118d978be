import Foundation

/// The bodies a webhook receives. Built from a ``DaemonEvent`` only, so they can never carry a
/// credential value.
enum WebhookPayload {
    static func body(_ format: WebhookSink.Format, for event: DaemonEvent) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        switch format {
        case .json: return try encoder.encode(Generic(event))
        case .slack: return try encoder.encode(Slack(event))
        }
    }

    /// The generic JSON: every event field (null when absent, so receivers see a stable schema),
    /// `at` in RFC 3339, and `"source":"lockstep"`.
    struct Generic: Encodable {
        let event: DaemonEvent
        init(_ event: DaemonEvent) { self.event = event }

        private enum Keys: String, CodingKey { case source, kind, credential, runID, version, message, at, actor }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode("lockstep", forKey: .source)
            try c.encode(event.kind.rawValue, forKey: .kind)
            try c.encode(event.credential, forKey: .credential)
            try c.encode(event.runID, forKey: .runID)
            try c.encode(event.version, forKey: .version)
            try c.encode(event.message, forKey: .message)
            try c.encode(event.at.rfc3339, forKey: .at)
            try c.encode(event.actor, forKey: .actor)
        }
    }

    /// A Slack incoming-webhook message: `text` (the notification fallback) and one section block
    /// with mrkdwn text. Slack treats `&`, `<` and `>` as markup (`<!channel>` pings everyone), so
    /// every event field is escaped; a text object holds at most 3000 characters.
    struct Slack: Encodable {
        struct Text: Encodable { var type = "mrkdwn"; var text: String }
        struct Block: Encodable { var type = "section"; var text: Text }
        var text: String
        var blocks: [Block]

        static let maxText = 3000

        init(_ event: DaemonEvent) {
            let title = Self.title(event.kind)
            let subject = "`\(Self.escape(event.credential))`" + (event.version.map { " version \($0)" } ?? "")
            var lines = ["*\(title)*: \(subject)", Self.escape(event.message)]
            var context: [String] = []
            if let runID = event.runID { context.append("run `\(Self.escape(runID))`") }
            if let actor = event.actor { context.append("by \(Self.escape(actor))") }
            context.append("at \(event.at.rfc3339)")
            lines.append(context.joined(separator: " · "))
            text = Self.truncate("Lockstep: \(title): \(Self.escape(event.credential))" + (event.version.map { " v\($0)" } ?? "") + " — \(Self.escape(event.message))")
            blocks = [Block(text: Text(text: Self.truncate(lines.joined(separator: "\n"))))]
        }

        static func title(_ kind: DaemonEvent.Kind) -> String {
            switch kind {
            case .rotationFinished: ":white_check_mark: Rotation finished"
            case .rotationFailed: ":x: Rotation failed"
            case .rolledBack: ":leftwards_arrow_with_hook: Rotation rolled back"
            case .revoked: ":rotating_light: Credential revoked"
            case .drift: ":warning: Drift detected"
            case .overdue: ":hourglass: Rotation overdue"
            case .incidentClosed: ":rotating_light: Incident closed (revoke --all)"
            }
        }

        static func escape(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
        }

        static func truncate(_ text: String) -> String {
            text.count <= maxText ? text : String(text.prefix(maxText - 1)) + "…"
        }
    }
}
