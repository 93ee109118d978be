import Foundation

/// Per-kind defaulting and validation, applied on every write as the apiserver's strategies do.
enum ObjectRules {
    static func normalize(_ object: inout JSONValue, type: ResourceType, old: JSONValue?) throws {
        switch type.kind {
        case "Secret": try normalizeSecret(&object, old: old)
        case "Deployment": DeploymentDefaults.apply(&object)
        default: break
        }
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    private static func normalizeSecret(_ secret: inout JSONValue, old: JSONValue?) throws {
        let name = secret.value(at: ["metadata", "name"])?.stringValue ?? ""
        // stringData is write-only: merged into data (base64) and never stored.
        if case .object(let stringData)? = secret["stringData"] {
            var data = secret["data"]?.objectValue ?? [:]
            for (key, value) in stringData {
                data[key] = .string(Data((value.stringValue ?? "").utf8).base64EncodedString())
            }
            secret["data"] = .object(data)
        }
        secret["stringData"] = nil
        if case .object(let data)? = secret["data"] {
            for (key, value) in data {
                guard let text = value.stringValue, Data(base64Encoded: text) != nil else {
                    throw APIError.badRequest("Secret in version \"v1\" cannot be handled as a Secret: illegal base64 data at input byte 0 (key \(key))")
                }
            }
        }
        if secret["type"] == nil || secret["type"]?.stringValue == "" { secret["type"] = "Opaque" }
        guard let old else { return }
        if secret["type"] != old["type"] {
            throw APIError.invalid(.secrets, name, field: "type",
                                   message: "Invalid value: \"\(secret["type"]?.stringValue ?? "")\": field is immutable")
        }
        if old["immutable"]?.boolValue == true {
            if (secret["data"] ?? [:]) != (old["data"] ?? [:]) {
                throw APIError.invalid(.secrets, name, field: "data", message: "Forbidden: field is immutable when `immutable` is set")
            }
            if secret["immutable"]?.boolValue != true {
                throw APIError.invalid(.secrets, name, field: "immutable", message: "Forbidden: field is immutable when `immutable` is set")
            }
        }
    }
}

/// The defaults the apiserver fills into an apps/v1 Deployment.
enum DeploymentDefaults {
    static func apply(_ d: inout JSONValue) {
        if d["spec"] == nil { d["spec"] = [:] }
        if d.value(at: ["spec", "replicas"]) == nil { d.setValue(1, at: ["spec", "replicas"]) }
        if d.value(at: ["spec", "revisionHistoryLimit"]) == nil { d.setValue(10, at: ["spec", "revisionHistoryLimit"]) }
        if d.value(at: ["spec", "progressDeadlineSeconds"]) == nil { d.setValue(600, at: ["spec", "progressDeadlineSeconds"]) }
        if d.value(at: ["spec", "strategy", "type"]) == nil { d.setValue("RollingUpdate", at: ["spec", "strategy", "type"]) }
        if d.value(at: ["spec", "strategy", "type"])?.stringValue == "RollingUpdate" {
            if d.value(at: ["spec", "strategy", "rollingUpdate", "maxSurge"]) == nil {
                d.setValue("25%", at: ["spec", "strategy", "rollingUpdate", "maxSurge"])
            }
            if d.value(at: ["spec", "strategy", "rollingUpdate", "maxUnavailable"]) == nil {
                d.setValue("25%", at: ["spec", "strategy", "rollingUpdate", "maxUnavailable"])
            }
        }
        let podSpec = ["spec", "template", "spec"]
        if d.value(at: podSpec + ["restartPolicy"]) == nil { d.setValue("Always", at: podSpec + ["restartPolicy"]) }
        if d.value(at: podSpec + ["terminationGracePeriodSeconds"]) == nil {
            d.setValue(30, at: podSpec + ["terminationGracePeriodSeconds"])
        }
        if d.value(at: podSpec + ["dnsPolicy"]) == nil { d.setValue("ClusterFirst", at: podSpec + ["dnsPolicy"]) }
        if d.value(at: podSpec + ["schedulerName"]) == nil { d.setValue("default-scheduler", at: podSpec + ["schedulerName"]) }
        if d.value(at: podSpec + ["securityContext"]) == nil { d.setValue([:], at: podSpec + ["securityContext"]) }
        if case .array(let containers)? = d.value(at: podSpec + ["containers"]) {
            let defaulted: [JSONValue] = containers.map { c in
                var c = c
                if c["imagePullPolicy"] == nil { c["imagePullPolicy"] = "IfNotPresent" }
                if c["terminationMessagePath"] == nil { c["terminationMessagePath"] = "/dev/termination-log" }
                if c["terminationMessagePolicy"] == nil { c["terminationMessagePolicy"] = "File" }
                if c["resources"] == nil { c["resources"] = [:] }
                return c
            }
            d.setValue(.array(defaulted), at: podSpec + ["containers"])
        }
    }
}
