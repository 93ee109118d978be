import Foundation

/// Server-side printing: the `meta.k8s.io/v1` Table that `kubectl get` asks for
/// (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`), with the columns of the real printers.
struct TableView {
    let type: ResourceType
    let includeObject: String
    let now: Date

    static func wanted(_ request: APIRequest) -> Bool {
        (request.headers[.accept] ?? "").contains("as=Table")
    }

    struct Column {
        let name: String
        let type: String
        let format: String
        let priority: Int
        let cell: (JSONValue) -> JSONValue
    }

    var columns: [Column] {
        func int(_ path: [String]) -> (JSONValue) -> JSONValue { { .int(Int64($0.value(at: path)?.intValue ?? 0)) } }
        let name = Column(name: "Name", type: "string", format: "name", priority: 0) { $0.value(at: ["metadata", "name"]) ?? "" }
        let age = Column(name: "Age", type: "string", format: "", priority: 0) { object in
            .string(Self.age(of: object, now: now))
        }
        switch type.kind {
        case "Secret":
            return [name, Column(name: "Type", type: "string", format: "", priority: 0) { $0["type"] ?? "" },
                    Column(name: "Data", type: "integer", format: "", priority: 0) { .int(Int64($0["data"]?.objectValue?.count ?? 0)) }, age]
        case "ConfigMap":
            return [name, Column(name: "Data", type: "integer", format: "", priority: 0) {
                .int(Int64(($0["data"]?.objectValue?.count ?? 0) + ($0["binaryData"]?.objectValue?.count ?? 0)))
            }, age]
        case "Deployment":
            return [
                name,
                Column(name: "Ready", type: "string", format: "", priority: 0) { d in
                    .string("\(d.value(at: ["status", "readyReplicas"])?.intValue ?? 0)/\(d.value(at: ["spec", "replicas"])?.intValue ?? 0)")
                },
                Column(name: "Up-to-date", type: "integer", format: "", priority: 0, cell: int(["status", "updatedReplicas"])),
                Column(name: "Available", type: "integer", format: "", priority: 0, cell: int(["status", "availableReplicas"])),
                age,
                Column(name: "Containers", type: "string", format: "", priority: 1) { d in
                    .string(Self.containers(d).compactMap { $0["name"]?.stringValue }.joined(separator: ","))
                },
                Column(name: "Images", type: "string", format: "", priority: 1) { d in
                    .string(Self.containers(d).compactMap { $0["image"]?.stringValue }.joined(separator: ","))
                },
                Column(name: "Selector", type: "string", format: "", priority: 1) { d in
                    let labels = d.value(at: ["spec", "selector", "matchLabels"])?.objectValue ?? [:]
                    return .string(labels.keys.sorted().map { "\($0)=\(labels[$0]?.stringValue ?? "")" }.joined(separator: ","))
                },
            ]
        case "Pod":
            return [
                name,
                Column(name: "Ready", type: "string", format: "", priority: 0) { p in
                    let statuses = p.value(at: ["status", "containerStatuses"])?.arrayValue ?? []
                    return .string("\(statuses.filter { $0["ready"] == true }.count)/\(statuses.count)")
                },
                Column(name: "Status", type: "string", format: "", priority: 0) { p in
                    let state = p.value(at: ["status", "containerStatuses"])?.arrayValue?.first?["state"]
                    return state?.value(at: ["waiting", "reason"]) ?? state?.value(at: ["terminated", "reason"]) ?? p.value(at: ["status", "phase"]) ?? ""
                },
                Column(name: "Restarts", type: "integer", format: "", priority: 0) { p in
                    p.value(at: ["status", "containerStatuses"])?.arrayValue?.first?["restartCount"] ?? 0
                },
                age,
                Column(name: "IP", type: "string", format: "", priority: 1) { $0.value(at: ["status", "podIP"]) ?? "" },
            ]
        case "Lease":
            return [name, Column(name: "Holder", type: "string", format: "", priority: 0) { $0.value(at: ["spec", "holderIdentity"]) ?? "" }, age]
        case "Event":
            return [
                Column(name: "Last Seen", type: "string", format: "", priority: 0) { .string(Self.age(of: $0, now: now)) },
                Column(name: "Type", type: "string", format: "", priority: 0) { $0["type"] ?? "" },
                Column(name: "Reason", type: "string", format: "", priority: 0) { $0["reason"] ?? "" },
                Column(name: "Object", type: "string", format: "", priority: 0) { e in
                    .string("\((e.value(at: ["involvedObject", "kind"])?.stringValue ?? "").lowercased())/\(e.value(at: ["involvedObject", "name"])?.stringValue ?? "")")
                },
                Column(name: "Message", type: "string", format: "", priority: 0) { $0["message"] ?? "" },
            ]
        default:
            return [name, age]
        }
    }

    /// A Table of `objects`; `withColumns` false leaves out the column definitions (later watch events).
    func table(_ objects: [JSONValue], resourceVersion: String?, withColumns: Bool = true) -> JSONValue {
        let columns = self.columns
        let definitions: [JSONValue] = withColumns ? columns.map {
            ["name": .string($0.name), "type": .string($0.type), "format": .string($0.format), "description": "", "priority": .int(Int64($0.priority))]
        } : []
        let rows: [JSONValue] = objects.map { object in
            var row: JSONValue = ["cells": .array(columns.map { $0.cell(object) })]
            switch includeObject {
            case "None": break
            case "Object": row["object"] = object
            default:
                row["object"] = ["kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": object["metadata"] ?? [:]]
            }
            return row
        }
        var metadata: JSONValue = [:]
        if let resourceVersion { metadata["resourceVersion"] = .string(resourceVersion) }
        return ["kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": metadata,
                "columnDefinitions": .array(definitions), "rows": .array(rows)]
    }

    private static func containers(_ d: JSONValue) -> [JSONValue] {
        d.value(at: ["spec", "template", "spec", "containers"])?.arrayValue ?? []
    }

    static func age(of object: JSONValue, now: Date) -> String {
        let formatter = ISO8601DateFormatter()
        guard let text = object.value(at: ["metadata", "creationTimestamp"])?.stringValue, let created = formatter.date(from: text) else {
            return "<unknown>"
        }
        return humanDuration(now.timeIntervalSince(created))
    }

    /// `duration.HumanDuration` from k8s.io/apimachinery.
    static func humanDuration(_ interval: TimeInterval) -> String {
        let seconds = Int(interval)
        if seconds < -1 { return "<invalid>" }
        if seconds < 0 { return "0s" }
        if seconds < 120 { return "\(seconds)s" }
        let minutes = seconds / 60
        if minutes < 10 { return seconds % 60 == 0 ? "\(minutes)m" : "\(minutes)m\(seconds % 60)s" }
        if minutes < 180 { return "\(minutes)m" }
        let hours = minutes / 60
        if hours < 8 { return minutes % 60 == 0 ? "\(hours)h" : "\(hours)h\(minutes % 60)m" }
        if hours < 48 { return "\(hours)h" }
        if hours < 192 { return hours % 24 == 0 ? "\(hours / 24)d" : "\(hours / 24)d\(hours % 24)h" }
        if hours < 24 * 365 * 2 { return "\(hours / 24)d" }
        if hours < 24 * 365 * 8 { return (hours / 24) % 365 == 0 ? "\(hours / 24 / 365)y" : "\(hours / 24 / 365)y\((hours / 24) % 365)d" }
        return "\(hours / 24 / 365)y"
    }
}
