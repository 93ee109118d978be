import Foundation
import LockstepCrypto

extension KubernetesClient {
    /// Reads a Secret.
    public func getSecret(namespace: String, name: String) async throws -> Secret {
        let call = APICall(method: .GET, path: Self.secretPath(namespace, name), context: Self.secretContext("get", namespace, name, idempotent: true))
        return Secret(try await send(call, as: Secret.Wire.self))
    }

    /// Reads one key's value; fails with `.notFound` when the Secret or the key is missing.
    public func readSecretValue(namespace: String, name: String, key: String) async throws -> SecretBytes {
        let secret = try await getSecret(namespace: namespace, name: name)
        guard let value = try secret.value(forKey: key) else {
            throw KubernetesError(.notFound, object: "secret \(namespace)/\(name)", message: "the Secret has no key \(key)")
        }
        return value
    }

    /// Sets one key of a Secret, guarded by the resourceVersion the caller just read:
    /// a merge patch `{"metadata":{"resourceVersion":RV},"data":{KEY:base64}}`. If anyone wrote the
    /// Secret since, the apiserver answers 409 and this throws `.conflict` at once (not retried): the
    /// caller re-reads and decides. Other keys are left alone.
    /// - Returns: the Secret's new resourceVersion (unchanged when the value was already there).
    @discardableResult
    public func patchSecretKey(namespace: String, name: String, key: String, value: SecretBytes,
                               resourceVersion: String, fieldManager: String = "lockstep") async throws -> String {
        try await patchSecretKeys(namespace: namespace, name: name, values: [key: value], resourceVersion: resourceVersion, fieldManager: fieldManager)
    }

    /// As ``patchSecretKey(namespace:name:key:value:resourceVersion:fieldManager:)``, for several
    /// keys in one patch: they change together or not at all.
    @discardableResult
    public func patchSecretKeys(namespace: String, name: String, values: [String: SecretBytes],
                                resourceVersion: String, fieldManager: String = "lockstep") async throws -> String {
        // The body necessarily holds the values (base64) until it is sent; they live only in this call.
        var data: [String: String] = [:]
        for (key, value) in values { data[key] = value.withUnsafeBytes { Data($0).base64EncodedString() } }
        let body = try JSONSerialization.data(withJSONObject: ["metadata": ["resourceVersion": resourceVersion], "data": data] as [String: Any],
                                              options: [.sortedKeys])
        data.removeAll()
        // Guarded by resourceVersion, so a repeat either applies once or answers 409: safe to retry.
        let call = APICall(method: .PATCH, path: Self.secretPath(namespace, name), query: [("fieldManager", fieldManager)],
                           body: body, contentType: "application/merge-patch+json",
                           context: Self.secretContext("patch", namespace, name, idempotent: true))
        let updated = Secret(try await send(call, as: Secret.Wire.self))
        return updated.resourceVersion
    }

    static func secretPath(_ namespace: String, _ name: String) -> String {
        "/api/v1/namespaces/\(escape(namespace))/secrets/\(escape(name))"
    }

    static func secretContext(_ verb: String, _ namespace: String, _ name: String, idempotent: Bool) -> RequestContext {
        RequestContext(verb: verb, resource: "secrets", group: "", namespace: namespace, name: name, idempotent: idempotent)
    }

    /// Percent-encodes a path segment (names are DNS labels, but a bad one must not change the path).
    static func escape(_ segment: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/?#")
        return segment.addingPercentEncoding(withAllowedCharacters: allowed) ?? segment
    }
}
