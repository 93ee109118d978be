import Foundation

extension APIServer {
    /// A watch: initial events, then live ones, as JSON lines; bookmarks when asked for; ends after
    /// `timeoutSeconds` (default 30 min) or when the server stops.
    func watch(_ request: APIRequest, _ path: Route.ResourcePath) throws -> APIResponse {
        var selector = try Selector(labelSelector: request.query["labelSelector"], fieldSelector: request.query["fieldSelector"])
        if let name = path.name {
            selector = Selector(labels: selector.labels, fields: selector.fields + [.equals("metadata.name", name)])
        }
        let sendInitialEvents = request.flag("sendInitialEvents")
        let requested = Int(request.query["resourceVersion"] ?? "")
        let from = sendInitialEvents ? nil : requested
        let matches = selector.matches
        let subscription = try store.watch(path.type, namespace: path.namespace, fromResourceVersion: from, matches: { matches($0) })
        let timeout = Duration.seconds(Int(request.query["timeoutSeconds"] ?? "") ?? 1800)
        let bookmarkInterval = request.flag("allowWatchBookmarks") ? configuration.bookmarkInterval : nil
        let type = path.type

        let table = TableView.wanted(request) ? tableView(request, path.type) : nil
        let firstRow = Locked(true)
        let render: @Sendable (WatchEvent) -> String = { event in
            guard let table else { return event.jsonLine }
            let withColumns = firstRow.withLock { first in
                defer { first = false }
                return first
            }
            let object = table.table([event.object], resourceVersion: String(event.resourceVersion), withColumns: withColumns)
            return JSONValue.object(["type": .string(event.kind.rawValue), "object": object]).jsonString + "\n"
        }
        let (lines, output) = AsyncStream<String>.makeStream(bufferingPolicy: .unbounded)
        let lastSent = Locked(subscription.resourceVersion)
        for event in subscription.initial { output.yield(render(event)) }
        if sendInitialEvents {
            output.yield(Self.bookmark(type, resourceVersion: subscription.resourceVersion, initialEventsEnd: true))
        }
        let pump = Task {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await event in subscription.events {
                        output.yield(render(event))
                        lastSent.withLock { $0 = max($0, event.resourceVersion) }
                    }
                }
                group.addTask { try? await Task.sleep(for: timeout) }
                if let bookmarkInterval {
                    group.addTask {
                        while !Task.isCancelled {
                            try? await Task.sleep(for: bookmarkInterval)
                            if Task.isCancelled { break }
                            output.yield(Self.bookmark(type, resourceVersion: lastSent.withLock { $0 }, initialEventsEnd: false))
                        }
                    }
                }
                // The first task to end (store closed, timeout) ends the watch.
                await group.next()
                group.cancelAll()
            }
            output.finish()
        }
        output.onTermination = { _ in pump.cancel() }
        return .stream(lines)
    }

    static func bookmark(_ type: ResourceType, resourceVersion: Int, initialEventsEnd: Bool) -> String {
        var metadata: JSONValue = ["resourceVersion": .string(String(resourceVersion))]
        if initialEventsEnd { metadata["annotations"] = ["k8s.io/initial-events-end": "true"] }
        let object: JSONValue = ["kind": .string(type.kind), "apiVersion": .string(type.apiVersion), "metadata": metadata]
        return JSONValue.object(["type": "BOOKMARK", "object": object]).jsonString + "\n"
    }
}
