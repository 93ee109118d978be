import Foundation

/// Who writes and how, for managedFields and fault injection.
public struct WriteContext: Sendable {
    public var manager: String
    /// `Update` or `Apply`, as in managedFields.
    public var operation: String
    /// The fields the request set, in FieldsV1 form; nil records no managedFields entry.
    public var fieldsSet: JSONValue?
    public var subresource: String?
    public var now: Date

    public init(manager: String, operation: String = "Update", fieldsSet: JSONValue? = nil, subresource: String? = nil, now: Date = Date()) {
        self.manager = manager
        self.operation = operation
        self.fieldsSet = fieldsSet
        self.subresource = subresource
        self.now = now
    }

    /// Writes by KubeSim's own controllers.
    static func controller(_ name: String, subresource: String? = nil) -> WriteContext {
        WriteContext(manager: name, subresource: subresource)
    }
}
