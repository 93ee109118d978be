import Foundation
import LockstepCrypto

/// A Secret as read from the API. Values stay base64 inside and are decoded only on request,
/// into ``SecretBytes``; the type prints its keys, never its values.
public struct Secret: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public let metadata: ObjectMeta
    public let type: String?
    public let immutable: Bool
    private let data: [String: String]

    init(_ decoded: Wire) {
        metadata = decoded.metadata
        type = decoded.type
        immutable = decoded.immutable ?? false
        data = decoded.data ?? [:]
    }

    /// The names of the keys under `data`, sorted.
    public var keys: [String] { data.keys.sorted() }

    public var resourceVersion: String { metadata.resourceVersion ?? "" }

    /// The decoded value of `key`, nil when the key is absent.
    public func value(forKey key: String) throws -> SecretBytes? {
        guard let encoded = data[key] else { return nil }
        guard var bytes = Data(base64Encoded: encoded).map(Array.init) else {
            throw KubernetesError(.decoding, object: "secret \(metadata.namespace ?? "")/\(metadata.name ?? "")",
                                  message: "key \(key) is not base64")
        }
        return try SecretBytes.take(&bytes)
    }

    public var description: String {
        "Secret(\(metadata.namespace ?? "")/\(metadata.name ?? ""), resourceVersion \(resourceVersion), keys [\(keys.joined(separator: ", "))], values <redacted>)"
    }

    public var debugDescription: String { description }
    public var customMirror: Mirror {
        Mirror(self, children: ["metadata": metadata, "keys": keys, "data": "<redacted>"], displayStyle: .struct)
    }

    /// The JSON shape of a Secret.
    struct Wire: Decodable, Sendable {
        var metadata: ObjectMeta
        var type: String?
        var immutable: Bool?
        var data: [String: String]?
    }
}
