import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat

extension KubernetesClient {
    /// Lists Deployments named `name` (fieldSelector), as kubectl does before watching.
    func listDeployments(namespace: String, name: String) async throws -> (items: [Deployment], resourceVersion: String) {
        let call = APICall(method: .GET, path: Self.deploymentPath(namespace),
                           query: [("fieldSelector", "metadata.name=\(name)")],
                           context: Self.deploymentContext("list", namespace, name))
        let list = try await send(call, as: ObjectList<Deployment>.self)
        return (list.items, list.metadata?.resourceVersion ?? "")
    }

    /// Watches Deployments named `name` from `resourceVersion`; calls `handle` per event until the
    /// server closes the stream (returns normally), `handle` returns false (stop), or an error.
    /// A 410 (as an HTTP status or an in-stream ERROR) throws `.gone`.
    ///
    /// The stream is read by a child task that is cancelled as soon as `handle` says stop: that
    /// cancels the HTTP request and closes its connection at once. Merely leaving the loop would
    /// leave the request open until the server next wrote (a bookmark, seconds later), and closing
    /// the client would wait for it.
    func watchDeployments(namespace: String, name: String, resourceVersion: String, timeoutSeconds: Int,
                          deadline: ContinuousClock.Instant,
                          handle: (WatchEvent<Deployment>) async throws -> Bool) async throws {
        let context = Self.deploymentContext("watch", namespace, name)
        let call = APICall(method: .GET, path: Self.deploymentPath(namespace), query: [
            ("fieldSelector", "metadata.name=\(name)"), ("watch", "1"), ("resourceVersion", resourceVersion),
            ("timeoutSeconds", String(timeoutSeconds)), ("allowWatchBookmarks", "true"),
        ], context: context)
        let (events, continuation) = AsyncThrowingStream<WatchEvent<Deployment>, any Error>.makeStream()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    try await self.streamDeploymentEvents(call, context: context, deadline: deadline) { continuation.yield($0) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            do {
                for try await event in events where try await !handle(event) { break }
            } catch {
                group.cancelAll()
                throw error
            }
            group.cancelAll()
        }
    }

    /// Sends the watch and yields its events until the server ends the stream; in-stream ERROR
    /// events are thrown (410 as `.gone`).
    private func streamDeploymentEvents(_ call: APICall, context: RequestContext, deadline: ContinuousClock.Instant,
                                        yield: (WatchEvent<Deployment>) -> Void) async throws {
        let request = try await makeRequest(call)
        let remaining = ContinuousClock.now.duration(to: deadline)
        guard remaining > .zero else { throw KubernetesError(.timeout, object: context.objectDescription, message: "no time left to watch") }
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, deadline: .now() + .nanoseconds(Int64(remaining.timeInterval * 1e9)), logger: logger)
        } catch {
            throw transportError(error, context: context)
        }
        guard response.status.code == 200 else {
            let body = (try? await response.body.collect(upTo: 1024 * 1024)).map { Data(buffer: $0) } ?? Data()
            if response.status.code == 401 { await credentials.invalidate() }
            throw KubernetesError.from(status: Int(response.status.code), body: body, context: context)
        }
        var splitter = LineSplitter()
        do {
            for try await chunk in response.body {
                for line in try splitter.append(Data(buffer: chunk)) {
                    let event = try decodeEvent(line, context: context)
                    if case .error(let status) = event {
                        throw KubernetesError(status.code == 410 ? .gone : .serverError, object: context.objectDescription,
                                              message: status.message ?? "watch error", status: status.code, reason: status.reason)
                    }
                    yield(event)
                }
            }
        } catch let error as KubernetesError {
            throw error
        } catch {
            throw transportError(error, context: context)
        }
    }

    private func decodeEvent(_ line: Data, context: RequestContext) throws -> WatchEvent<Deployment> {
        do {
            return try WatchEvent<Deployment>.decode(line)
        } catch let error as KubernetesError {
            throw error
        } catch {
            throw KubernetesError(.decoding, object: context.objectDescription, message: "unreadable watch event: \(Self.shape(of: error))")
        }
    }
}
