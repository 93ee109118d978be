import Foundation

extension APIServer {
    /// `get` and `list` of the controller's pods; every other verb is refused, as KubeSim does not store pods.
    func pods(_ request: APIRequest, _ path: Route.ResourcePath, verb: String) async throws -> APIResponse {
        guard verb == "get" || verb == "list", let source = podSource.value else {
            throw APIError.methodNotAllowed(request.method)
        }
        let selector = try Selector(labelSelector: request.query["labelSelector"], fieldSelector: request.query["fieldSelector"])
        let pods = await source(path.namespace).filter(selector.matches)
        let table = TableView.wanted(request) ? tableView(request, .pods) : nil
        if let name = path.name {
            guard let pod = pods.first(where: { $0.value(at: ["metadata", "name"])?.stringValue == name }) else {
                throw APIError.notFound(.pods, name)
            }
            if path.subresource == "log" { return .text(log(of: pod, tailLines: request.query["tailLines"].flatMap { Int($0) })) }
            return .json(table?.table([pod], resourceVersion: nil) ?? pod)
        }
        let resourceVersion = String(store.resourceVersion)
        if let table { return .json(table.table(pods, resourceVersion: resourceVersion)) }
        return .json(["kind": "PodList", "apiVersion": "v1", "metadata": ["resourceVersion": .string(resourceVersion)], "items": .array(pods)])
    }

    /// A process pod's output (simulated pods have none), optionally only the last lines.
    private func log(of pod: JSONValue, tailLines: Int?) -> String {
        guard let path = pod.value(at: ["metadata", "annotations", PodView.logAnnotation])?.stringValue,
              let text = try? String(contentsOfFile: path, encoding: .utf8) else { return "" }
        guard let tailLines else { return text }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        return lines.suffix(max(0, tailLines)).map { $0 + "\n" }.joined()
    }
}
