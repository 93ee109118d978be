/// The discovery documents kubectl reads before anything else (legacy, non-aggregated form:
/// kubectl asks for aggregated discovery first and falls back when it gets plain JSON).
enum Discovery {
    static func version(_ serverVersion: String) -> JSONValue {
        let parts = serverVersion.split(separator: ".").map(String.init)
        let major = parts.first ?? "1"
        let minor = parts.count > 1 ? parts[1] : "31"
        let patch = parts.count > 2 ? parts[2] : "0"
        return [
            "major": .string(major), "minor": .string(minor),
            "gitVersion": .string("v\(major).\(minor).\(patch)"), "gitCommit": "0000000000000000000000000000000000000000",
            "gitTreeState": "clean", "buildDate": "2024-08-13T07:28:49Z", "goVersion": "go1.22.5",
            "compiler": "gc", "platform": "linux/amd64",
        ]
    }

    static func coreVersions(serverAddress: String) -> JSONValue {
        [
            "kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": .string(serverAddress)]],
        ]
    }

    static var groupList: JSONValue {
        let groups: [JSONValue] = Route.groups.map { g in
            let version: JSONValue = ["groupVersion": .string("\(g.group)/\(g.version)"), "version": .string(g.version)]
            return ["name": .string(g.group), "versions": [version], "preferredVersion": version]
        }
        return ["kind": "APIGroupList", "apiVersion": "v1", "groups": .array(groups)]
    }

    static func resourceList(group: String, version: String) -> JSONValue {
        var resources: [JSONValue] = []
        for type in ResourceType.all where type.group == group && type.version == version {
            resources.append([
                "name": .string(type.plural), "singularName": .string(type.singular), "namespaced": .bool(type.namespaced),
                "kind": .string(type.kind), "verbs": .array(type.verbs.map(JSONValue.string)),
                "shortNames": .array(type.shortNames.map(JSONValue.string)),
            ])
            for sub in type.subresources {
                let isScale = sub == "scale"
                var entry: JSONValue = [
                    "name": .string("\(type.plural)/\(sub)"), "singularName": "", "namespaced": .bool(type.namespaced),
                    "kind": .string(isScale ? "Scale" : type.kind), "verbs": sub == "log" ? ["get"] : ["get", "patch", "update"],
                ]
                if isScale {
                    entry["group"] = "autoscaling"
                    entry["version"] = "v1"
                }
                resources.append(entry)
            }
        }
        if group.isEmpty {
            resources.append([
                "name": "namespaces", "singularName": "namespace", "namespaced": false, "kind": "Namespace",
                "verbs": ["get", "list"], "shortNames": ["ns"],
            ])
        }
        let groupVersion = group.isEmpty ? version : "\(group)/\(version)"
        return ["kind": "APIResourceList", "apiVersion": "v1", "groupVersion": .string(groupVersion), "resources": .array(resources)]
    }

    static var rootPaths: JSONValue {
        var paths: [JSONValue] = ["/api", "/api/v1", "/apis", "/healthz", "/livez", "/readyz", "/version"]
        for g in Route.groups { paths.append(.string("/apis/\(g.group)/\(g.version)")) }
        return ["paths": .array(paths)]
    }
}
