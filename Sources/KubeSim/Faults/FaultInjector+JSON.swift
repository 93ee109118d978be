/// The JSON form of faults used by `POST /kubesim/faults` and `GET /kubesim/faults`.
///
/// ```json
/// {"conflicts": [{"resource": "secrets", "namespace": "ns", "name": "s1", "count": 2}],
///  "serverErrors": {"count": 3, "code": 503, "verbs": ["patch"], "resources": ["secrets"]},
///  "latencyMilliseconds": 200,
///  "stuckRollouts": [{"namespace": "ns", "name": "gateway"}],
///  "crashingPods": [{"namespace": "ns", "name": "gateway"}]}
/// ```
extension FaultInjector {
    /// Adds the faults a JSON document describes (fields left out are unchanged).
    public func apply(_ json: JSONValue) throws {
        for conflict in json["conflicts"]?.arrayValue ?? [] {
            guard let plural = conflict["resource"]?.stringValue,
                  let type = ResourceType.stored.first(where: { $0.plural == plural }),
                  let name = conflict["name"]?.stringValue
            else { throw APIError.badRequest("conflicts[] needs a stored \"resource\" plural and a \"name\"") }
            let key = ObjectKey(type: type, namespace: conflict["namespace"]?.stringValue ?? "default", name: name)
            injectConflicts(key, count: conflict["count"]?.intValue ?? 1)
        }
        if let errors = json["serverErrors"], errors != .null {
            injectServerErrors(ServerErrors(
                count: errors["count"]?.intValue ?? 1, code: errors["code"]?.intValue ?? 500,
                verbs: errors["verbs"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                resources: errors["resources"]?.arrayValue?.compactMap(\.stringValue) ?? []))
        }
        if let ms = json["latencyMilliseconds"]?.intValue { setLatency(.milliseconds(ms)) }
        for ref in json["stuckRollouts"]?.arrayValue ?? [] {
            setStuckRollout(namespace: ref["namespace"]?.stringValue ?? "default", name: ref["name"]?.stringValue ?? "",
                            ref["enabled"]?.boolValue ?? true)
        }
        for ref in json["crashingPods"]?.arrayValue ?? [] {
            setCrashingPods(namespace: ref["namespace"]?.stringValue ?? "default", name: ref["name"]?.stringValue ?? "",
                            ref["enabled"]?.boolValue ?? true)
        }
    }

    /// The faults currently armed.
    public var snapshot: JSONValue {
        state.withLock { s in
            func refs(_ set: Set<String>) -> JSONValue {
                .array(set.sorted().map { ref in
                    let parts = ref.split(separator: "/", maxSplits: 1).map(String.init)
                    return ["namespace": .string(parts[0]), "name": .string(parts.count > 1 ? parts[1] : "")]
                })
            }
            let conflicts: [JSONValue] = s.conflicts.map { key, count in
                ["resource": .string(key.type.plural), "namespace": .string(key.namespace), "name": .string(key.name), "count": .int(Int64(count))]
            }
            var out: JSONValue = [
                "conflicts": .array(conflicts),
                "latencyMilliseconds": .int(Int64(s.latency.components.seconds * 1000 + s.latency.components.attoseconds / 1_000_000_000_000_000)),
                "stuckRollouts": refs(s.stuckRollouts), "crashingPods": refs(s.crashingPods),
            ]
            if let e = s.serverErrors {
                out["serverErrors"] = ["count": .int(Int64(e.count)), "code": .int(Int64(e.code)),
                                       "verbs": .array(e.verbs.map(JSONValue.string)), "resources": .array(e.resources.map(JSONValue.string))]
            }
            return out
        }
    }
}
