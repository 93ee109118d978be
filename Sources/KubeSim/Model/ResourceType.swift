/// One kind of API object KubeSim serves, with what discovery says about it.
public struct ResourceType: Sendable, Hashable {
    public let group: String
    public let version: String
    public let plural: String
    public let singular: String
    public let kind: String
    public let namespaced: Bool
    public let shortNames: [String]
    public let verbs: [String]
    /// Subresources served under `<plural>/<name>/<subresource>`.
    public let subresources: [String]

    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
    public var listKind: String { kind + "List" }
    /// Whether writes to `spec` bump `metadata.generation` (objects with a spec/status split).
    public var hasGeneration: Bool { kind == "Deployment" }

    static let readWrite = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]

    public static let secrets = ResourceType(
        group: "", version: "v1", plural: "secrets", singular: "secret", kind: "Secret",
        namespaced: true, shortNames: [], verbs: readWrite, subresources: [])
    public static let configMaps = ResourceType(
        group: "", version: "v1", plural: "configmaps", singular: "configmap", kind: "ConfigMap",
        namespaced: true, shortNames: ["cm"], verbs: readWrite, subresources: [])
    public static let events = ResourceType(
        group: "", version: "v1", plural: "events", singular: "event", kind: "Event",
        namespaced: true, shortNames: ["ev"], verbs: readWrite, subresources: [])
    public static let deployments = ResourceType(
        group: "apps", version: "v1", plural: "deployments", singular: "deployment", kind: "Deployment",
        namespaced: true, shortNames: ["deploy"], verbs: readWrite, subresources: ["status", "scale"])
    public static let leases = ResourceType(
        group: "coordination.k8s.io", version: "v1", plural: "leases", singular: "lease", kind: "Lease",
        namespaced: true, shortNames: [], verbs: readWrite, subresources: [])
    public static let selfSubjectAccessReviews = ResourceType(
        group: "authorization.k8s.io", version: "v1", plural: "selfsubjectaccessreviews",
        singular: "selfsubjectaccessreview", kind: "SelfSubjectAccessReview",
        namespaced: false, shortNames: [], verbs: ["create"], subresources: [])

    /// Read-only view of the controller's pods (not stored).
    public static let pods = ResourceType(
        group: "", version: "v1", plural: "pods", singular: "pod", kind: "Pod",
        namespaced: true, shortNames: ["po"], verbs: ["get", "list"], subresources: ["log"])

    /// Every resource type, in discovery order.
    public static let all: [ResourceType] = [secrets, configMaps, events, pods, deployments, leases, selfSubjectAccessReviews]

    /// Stored (as opposed to virtual) resource types.
    public static let stored: [ResourceType] = [secrets, configMaps, events, deployments, leases]

    public static func find(group: String, version: String, plural: String) -> ResourceType? {
        all.first { $0.group == group && $0.version == version && $0.plural == plural }
    }

    public static func find(apiVersion: String, kind: String) -> ResourceType? {
        all.first { $0.apiVersion == apiVersion && $0.kind == kind }
    }
}
