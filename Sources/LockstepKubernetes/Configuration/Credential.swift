/// A credential (token, private key, certificate data) that never prints.
///
/// `description`, `debugDescription` and the Mirror all show `<redacted>`, so string interpolation,
/// `dump`, a logger or an error message cannot leak it by accident. The value is reachable only
/// inside this module, where it goes into a request header or the TLS configuration.
public struct Credential: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    let bytes: [UInt8]

    /// Wraps a credential given as text (a bearer token, PEM data).
    public init(_ text: String) {
        bytes = Array(text.utf8)
    }

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    var text: String { String(decoding: bytes, as: UTF8.self) }
    var isEmpty: Bool { bytes.isEmpty }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
    public var customMirror: Mirror { Mirror(self, children: ["value": "<redacted>"], displayStyle: .struct) }
}
