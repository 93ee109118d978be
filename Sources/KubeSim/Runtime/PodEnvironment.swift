import Foundation

/// A container's environment as the kubelet builds it at pod start: `envFrom` first, then `env`
/// (value, secretKeyRef, configMapKeyRef, fieldRef), with `$(NAME)` references expanded.
/// Values are read once: a later Secret change does not reach a running pod.
struct PodEnvironment {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// `podRoot` is the folder volume mounts are mapped under (``PodVolumes``), as `KUBESIM_POD_ROOT`.
    static func resolve(container: JSONValue, namespace: String, podName: String, port: Int, podRoot: String? = nil,
                        store: ObjectStore) throws -> [String: String] {
        var env: [String: String] = ["PORT": String(port)]
        if let podRoot { env["KUBESIM_POD_ROOT"] = podRoot }
        func data(_ type: ResourceType, _ name: String) -> [String: String]? {
            guard let object = store.get(ObjectKey(type: type, namespace: namespace, name: name)) else { return nil }
            var out: [String: String] = [:]
            for (key, value) in object["data"]?.objectValue ?? [:] {
                guard let text = value.stringValue else { continue }
                out[key] = type == .secrets ? Data(base64Encoded: text).map { String(decoding: $0, as: UTF8.self) } : text
            }
            return out
        }
        for source in container["envFrom"]?.arrayValue ?? [] {
            let prefix = source["prefix"]?.stringValue ?? ""
            for (field, type) in [("secretRef", ResourceType.secrets), ("configMapRef", .configMaps)] {
                guard let ref = source[field], let name = ref["name"]?.stringValue else { continue }
                guard let values = data(type, name) else {
                    if ref["optional"]?.boolValue == true { continue }
                    throw Failure(description: "\(type.kind.lowercased()) \"\(name)\" not found")
                }
                for (key, value) in values { env[prefix + key] = value }
            }
        }
        for variable in container["env"]?.arrayValue ?? [] {
            guard let name = variable["name"]?.stringValue else { continue }
            if let value = variable["value"]?.stringValue {
                env[name] = expand(value, env)
            } else if let from = variable["valueFrom"] {
                if let value = try valueFrom(from, data: data, namespace: namespace, podName: podName) { env[name] = value }
            } else {
                env[name] = ""
            }
        }
        return env
    }

    private static func valueFrom(
        _ from: JSONValue, data: (ResourceType, String) -> [String: String]?, namespace: String, podName: String
    ) throws -> String? {
        for (field, type) in [("secretKeyRef", ResourceType.secrets), ("configMapKeyRef", .configMaps)] {
            guard let ref = from[field], let name = ref["name"]?.stringValue, let key = ref["key"]?.stringValue else { continue }
            let optional = ref["optional"]?.boolValue == true
            guard let values = data(type, name) else {
                if optional { return nil }
                throw Failure(description: "\(type.kind.lowercased()) \"\(name)\" not found")
            }
            guard let value = values[key] else {
                if optional { return nil }
                throw Failure(description: "couldn't find key \(key) in \(type.kind) \(namespace)/\(name)")
            }
            return value
        }
        switch from.value(at: ["fieldRef", "fieldPath"])?.stringValue {
        case "metadata.name": return podName
        case "metadata.namespace": return namespace
        case "status.podIP", "status.hostIP": return "127.0.0.1"
        default: return nil
        }
    }

    /// Expands `$(NAME)` from the environment; unknown references stay as written, `$$` escapes.
    static func expand(_ text: String, _ env: [String: String]) -> String {
        var out = ""
        var rest = Substring(text)
        while let dollar = rest.firstIndex(of: "$") {
            out += rest[..<dollar]
            let after = rest[rest.index(after: dollar)...]
            if after.hasPrefix("$") {
                out += "$"
                rest = after.dropFirst()
            } else if after.hasPrefix("("), let close = after.firstIndex(of: ")") {
                let name = String(after[after.index(after: after.startIndex)..<close])
                out += env[name] ?? "$(\(name))"
                rest = after[after.index(after: close)...]
            } else {
                out += "$"
                rest = after
            }
        }
        return out + rest
    }
}
