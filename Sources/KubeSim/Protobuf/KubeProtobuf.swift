import Foundation

/// Decodes the Kubernetes protobuf envelope (`k8s\0` + runtime.Unknown) for the bodies kubectl
/// 1.32+ sends as protobuf: SelfSubjectAccessReview (`auth can-i`), Secret and ConfigMap (`create`).
/// Everything else answers 415 as before.
enum KubeProtobuf {
    static let magic: [UInt8] = [0x6b, 0x38, 0x73, 0x00]

    static func decode(_ data: Data) throws -> JSONValue {
        let bytes = [UInt8](data)
        guard bytes.starts(with: magic) else { throw APIError.badRequest("protobuf body without the k8s envelope") }
        let unknown = try ProtoFields(Array(bytes.dropFirst(4)))
        let typeMeta = try unknown.message(1)
        let apiVersion = typeMeta?.string(1) ?? ""
        let kind = typeMeta?.string(2) ?? ""
        let raw = try ProtoFields(unknown.bytes(2) ?? [])
        var object: JSONValue
        switch kind {
        case "SelfSubjectAccessReview": object = try selfSubjectAccessReview(raw)
        case "Secret": object = try secret(raw)
        case "ConfigMap": object = try configMap(raw)
        default: throw APIError.unsupportedMediaType("application/vnd.kubernetes.protobuf (\(kind))")
        }
        object["apiVersion"] = .string(apiVersion)
        object["kind"] = .string(kind)
        return object
    }

    private static func objectMeta(_ fields: ProtoFields?) throws -> JSONValue {
        guard let fields else { return [:] }
        var meta: JSONValue = [:]
        for (number, name) in [(1, "name"), (2, "generateName"), (3, "namespace"), (6, "resourceVersion")] {
            if let value = fields.string(number), !value.isEmpty { meta[name] = .string(value) }
        }
        for (number, name) in [(11, "labels"), (12, "annotations")] {
            let map = try fields.map(number)
            if !map.isEmpty { meta[name] = .object(map.mapValues { .string(String(decoding: $0, as: UTF8.self)) }) }
        }
        return meta
    }

    private static func selfSubjectAccessReview(_ raw: ProtoFields) throws -> JSONValue {
        var spec: JSONValue = [:]
        let specFields = try raw.message(2)
        if let attributes = try specFields?.message(1) {
            var out: JSONValue = [:]
            for (number, name) in [(1, "namespace"), (2, "verb"), (3, "group"), (4, "version"), (5, "resource"), (6, "subresource"), (7, "name")] {
                if let value = attributes.string(number), !value.isEmpty { out[name] = .string(value) }
            }
            spec["resourceAttributes"] = out
        }
        if let attributes = try specFields?.message(2) {
            spec["nonResourceAttributes"] = ["path": .string(attributes.string(1) ?? ""), "verb": .string(attributes.string(2) ?? "")]
        }
        return ["metadata": try objectMeta(raw.message(1)), "spec": spec]
    }

    private static func secret(_ raw: ProtoFields) throws -> JSONValue {
        var object: JSONValue = ["metadata": try objectMeta(raw.message(1))]
        let data = try raw.map(2)
        if !data.isEmpty { object["data"] = .object(data.mapValues { .string(Data($0).base64EncodedString()) }) }
        if let type = raw.string(3), !type.isEmpty { object["type"] = .string(type) }
        let stringData = try raw.map(4)
        if !stringData.isEmpty { object["stringData"] = .object(stringData.mapValues { .string(String(decoding: $0, as: UTF8.self)) }) }
        if let immutable = raw.bool(5) { object["immutable"] = .bool(immutable) }
        return object
    }

    private static func configMap(_ raw: ProtoFields) throws -> JSONValue {
        var object: JSONValue = ["metadata": try objectMeta(raw.message(1))]
        let data = try raw.map(2)
        if !data.isEmpty { object["data"] = .object(data.mapValues { .string(String(decoding: $0, as: UTF8.self)) }) }
        if let immutable = raw.bool(4) { object["immutable"] = .bool(immutable) }
        return object
    }
}
