import Foundation

extension KubernetesClient {
    /// Reads a Lease.
    public func getLease(namespace: String, name: String) async throws -> Lease {
        try await send(APICall(method: .GET, path: Self.leasePath(namespace, name), context: Self.leaseContext("get", namespace, name, idempotent: true)),
                       as: Lease.self)
    }

    /// Creates a Lease (`.alreadyExists` when another holder created it first). Not retried: a repeat
    /// after a lost answer would report AlreadyExists for our own Lease.
    public func createLease(namespace: String, name: String, spec: Lease.Spec) async throws -> Lease {
        let lease = Lease(metadata: ObjectMeta(name: name, namespace: namespace), spec: spec)
        let call = APICall(method: .POST, path: Self.leasePath(namespace, nil), body: try JSONEncoder().encode(lease),
                           context: Self.leaseContext("create", namespace, name, idempotent: false))
        return try await send(call, as: Lease.self)
    }

    /// Replaces a Lease's spec, guarded by `lease.metadata.resourceVersion` (PUT): `.conflict` when
    /// someone else renewed or took it since it was read.
    public func updateLease(_ lease: Lease) async throws -> Lease {
        guard let namespace = lease.metadata.namespace, let name = lease.metadata.name else {
            throw KubernetesError(.invalid, message: "a Lease to update needs metadata.namespace and metadata.name")
        }
        guard lease.metadata.resourceVersion?.isEmpty == false else {
            throw KubernetesError(.invalid, object: "lease \(namespace)/\(name)", message: "refusing an unguarded update: metadata.resourceVersion is empty")
        }
        var body = lease
        body.metadata.managedFields = nil
        let call = APICall(method: .PUT, path: Self.leasePath(namespace, name), body: try JSONEncoder().encode(body),
                           context: Self.leaseContext("update", namespace, name, idempotent: true))
        return try await send(call, as: Lease.self)
    }

    static func leasePath(_ namespace: String, _ name: String?) -> String {
        "/apis/coordination.k8s.io/v1/namespaces/\(escape(namespace))/leases" + (name.map { "/" + escape($0) } ?? "")
    }

    static func leaseContext(_ verb: String, _ namespace: String, _ name: String, idempotent: Bool) -> RequestContext {
        RequestContext(verb: verb, resource: "leases", group: "coordination.k8s.io", namespace: namespace, name: name, idempotent: idempotent)
    }
}
