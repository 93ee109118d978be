/// One change to a stored object, as a watch streams it.
public struct WatchEvent: Sendable {
    public enum Kind: String, Sendable { case added = "ADDED", modified = "MODIFIED", deleted = "DELETED", bookmark = "BOOKMARK", error = "ERROR" }

    public let kind: Kind
    public let object: JSONValue
    public let key: ObjectKey
    public let resourceVersion: Int

    /// The JSON line a watch response carries: `{"type":"ADDED","object":{...}}`.
    public var jsonLine: String {
        JSONValue.object(["type": .string(kind.rawValue), "object": object]).jsonString + "\n"
    }
}
