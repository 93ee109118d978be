import Foundation

extension ObjectStore {
    /// A registered watch: the events it must send first, then the live stream.
    public struct Subscription: Sendable {
        public let initial: [WatchEvent]
        public let events: AsyncStream<WatchEvent>
        /// The resourceVersion the initial events are consistent with.
        public let resourceVersion: Int
    }

    /// Starts a watch. With `fromResourceVersion` nil or 0 it first sends every matching object as
    /// ADDED (as the apiserver does for resourceVersion "0" or unset); otherwise it replays the history
    /// after that version, or fails with 410 Expired when those events were already dropped.
    public func watch(
        _ type: ResourceType, namespace: String?, fromResourceVersion: Int?,
        matches: @escaping @Sendable (JSONValue) -> Bool
    ) throws -> Subscription {
        let id = UUID()
        let (stream, continuation) = AsyncStream<WatchEvent>.makeStream(bufferingPolicy: .unbounded)
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.watchers.removeValue(forKey: id) }
        }
        let (subscription, closed) = try state.withLock { s in
            if s.closed { throw APIError.internalError("kubesim is shutting down", code: 503) }
            let initial: [WatchEvent]
            if let from = fromResourceVersion, from > 0 {
                if from < s.evictedThrough { throw APIError.expired(from, oldest: s.evictedThrough + 1) }
                initial = s.history.filter { event in
                    event.resourceVersion > from && event.key.type == type
                        && (namespace == nil || event.key.namespace == namespace) && matches(event.object)
                }
            } else {
                initial = s.objects
                    .filter { $0.key.type == type && (namespace == nil || $0.key.namespace == namespace) && matches($0.value) }
                    .sorted { ($0.key.namespace, $0.key.name) < ($1.key.namespace, $1.key.name) }
                    .map { WatchEvent(kind: .added, object: $0.value, key: $0.key, resourceVersion: s.resourceVersion) }
            }
            if !s.closed {
                s.watchers[id] = Watcher(type: type, namespace: namespace, matches: matches, continuation: continuation)
            }
            return (Subscription(initial: initial, events: stream, resourceVersion: s.resourceVersion), s.closed)
        }
        // Finishing runs onTermination, which takes the lock: never do it while holding it.
        if closed { continuation.finish() }
        return subscription
    }

    /// Ends every watch stream (server shutdown) and refuses new ones.
    public func closeWatches() {
        let watchers = state.withLock { s in
            s.closed = true
            defer { s.watchers.removeAll() }
            return Array(s.watchers.values)
        }
        for watcher in watchers { watcher.continuation.finish() }
    }
}
