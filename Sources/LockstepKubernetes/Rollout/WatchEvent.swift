import Foundation

/// One line of a watch stream: `{"type":"ADDED|MODIFIED|DELETED|BOOKMARK|ERROR","object":{...}}`.
enum WatchEvent<Object: Decodable & Sendable>: Sendable {
    case added(Object)
    case modified(Object)
    case deleted(Object)
    /// Only the resourceVersion of a bookmark is meaningful.
    case bookmark(resourceVersion: String?)
    /// An in-stream error (Status); 410 means the resourceVersion is too old.
    case error(StatusBody)

    private struct Envelope: Decodable {
        var type: String
    }

    private struct WithObject<T: Decodable>: Decodable {
        var object: T
    }

    private struct Bookmark: Decodable {
        struct Meta: Decodable { var metadata: ListMeta? }
        var object: Meta
    }

    static func decode(_ line: Data) throws -> WatchEvent {
        let decoder = JSONDecoder()
        let type = try decoder.decode(Envelope.self, from: line).type
        switch type {
        case "ADDED": return .added(try decoder.decode(WithObject<Object>.self, from: line).object)
        case "MODIFIED": return .modified(try decoder.decode(WithObject<Object>.self, from: line).object)
        case "DELETED": return .deleted(try decoder.decode(WithObject<Object>.self, from: line).object)
        case "BOOKMARK": return .bookmark(resourceVersion: try decoder.decode(Bookmark.self, from: line).object.metadata?.resourceVersion)
        case "ERROR": return .error(try decoder.decode(WithObject<StatusBody>.self, from: line).object)
        default: throw KubernetesError(.decoding, message: "unknown watch event type \(type)")
        }
    }
}

/// Splits a stream of byte chunks into lines (a JSON object per line), bounded in size.
struct LineSplitter {
    private var buffer = Data()
    /// One event is a whole object; a Deployment is a few KB. Anything far larger is not a watch stream.
    static let maximumLine = 16 * 1024 * 1024

    mutating func append(_ chunk: Data) throws -> [Data] {
        buffer.append(chunk)
        var lines: [Data] = []
        while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
            let line = buffer[buffer.startIndex..<newline]
            if !line.isEmpty { lines.append(Data(line)) }
            buffer.removeSubrange(buffer.startIndex...newline)
        }
        if buffer.count > Self.maximumLine { throw KubernetesError(.decoding, message: "watch line longer than \(Self.maximumLine) bytes") }
        return lines
    }

    /// What is left when the stream ends (a last line without newline).
    var remainder: Data? { buffer.isEmpty ? nil : buffer }
}
