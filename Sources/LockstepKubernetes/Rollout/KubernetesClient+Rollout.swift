import Foundation

/// How a rollout wait went: the last observed progress and how many LISTs and WATCHes it took.
public struct RolloutOutcome: Sendable {
    public var progress: RolloutProgress
    /// LIST requests: 1, plus one per re-list after a 410 Gone.
    public var lists: Int
    /// WATCH requests: 1 per stream, so resumed watches (after a clean close) count too.
    public var watches: Int
}

/// Knobs for ``KubernetesClient/waitForRollout(namespace:name:options:progress:)``.
public struct RolloutWaitOptions: Sendable {
    /// Give up after this long (the rotation decides what a failed wait means).
    public var timeout: Duration
    /// `timeoutSeconds` of each watch; the server closes the stream then and the wait resumes from
    /// the last resourceVersion it saw. Kept short enough that a silently dead connection is noticed.
    public var watchTimeoutSeconds: Int
    /// Bound on LIST/WATCH requests in one wait, so a server that keeps closing streams at once
    /// cannot make the loop spin.
    public var maximumRequests: Int

    public init(timeout: Duration = .seconds(600), watchTimeoutSeconds: Int = 240, maximumRequests: Int = 1000) {
        self.timeout = timeout
        self.watchTimeoutSeconds = max(1, watchTimeoutSeconds)
        self.maximumRequests = max(2, maximumRequests)
    }
}

extension KubernetesClient {
    /// Waits until a Deployment has rolled out, deciding as `kubectl rollout status` does
    /// (see ``RolloutProgress/evaluate(_:)``): LIST by `metadata.name` field selector, then WATCH from
    /// the list's resourceVersion; a watch the server closes is resumed from the last resourceVersion
    /// seen, a 410 Gone re-lists.
    ///
    /// - Parameter progress: called with every observed change (n of m updated, available).
    /// - Throws: `.rollout` (reason `ProgressDeadlineExceeded`) when the Deployment exceeded its
    ///   progress deadline; `.timeout` when `options.timeout` passed first; `.notFound` when the
    ///   Deployment does not exist or is deleted while waiting.
    @discardableResult
    public func waitForRollout(namespace: String, name: String, options: RolloutWaitOptions = RolloutWaitOptions(),
                               progress: @Sendable (RolloutProgress) -> Void = { _ in }) async throws -> RolloutOutcome {
        let object = "deployment \(namespace)/\(name)"
        let deadline = ContinuousClock.now.advanced(by: options.timeout)
        var outcome = RolloutOutcome(progress: RolloutProgress.evaluate(Deployment(metadata: ObjectMeta(name: name))), lists: 0, watches: 0)
        var last: RolloutProgress?
        var transportFailures = 0

        // Returns true when the wait is over (complete), throws when it failed.
        func observe(_ deployment: Deployment) throws -> Bool {
            let current = RolloutProgress.evaluate(deployment)
            outcome.progress = current
            if current != last {
                last = current
                progress(current)
            }
            switch current.state {
            case .complete: return true
            case .waiting: return false
            case .failed:
                throw KubernetesError(.rollout, object: object, message: current.message, reason: "ProgressDeadlineExceeded")
            }
        }

        func timedOut() -> KubernetesError {
            KubernetesError(.timeout, object: object,
                            message: "the rollout did not finish within \(options.timeout): \(last?.message ?? "no status seen")",
                            reason: "RolloutTimeout")
        }

        relist: while outcome.lists + outcome.watches < options.maximumRequests {
            if ContinuousClock.now >= deadline { throw timedOut() }
            outcome.lists += 1
            let (items, listVersion) = try await listDeployments(namespace: namespace, name: name)
            guard let deployment = items.first else {
                throw KubernetesError(.notFound, object: object, message: "deployments.apps \"\(name)\" not found")
            }
            if try observe(deployment) { return outcome }
            var resourceVersion = listVersion

            while outcome.lists + outcome.watches < options.maximumRequests {
                let remaining = ContinuousClock.now.duration(to: deadline)
                if remaining <= .zero { throw timedOut() }
                outcome.watches += 1
                var done = false
                do {
                    let seconds = min(options.watchTimeoutSeconds, max(1, Int(remaining.timeInterval.rounded(.up))))
                    try await watchDeployments(namespace: namespace, name: name, resourceVersion: resourceVersion,
                                               timeoutSeconds: seconds, deadline: deadline) { event in
                        transportFailures = 0
                        switch event {
                        case .added(let d), .modified(let d):
                            if let rv = d.metadata.resourceVersion { resourceVersion = rv }
                            done = try observe(d)
                            return !done
                        case .deleted:
                            throw KubernetesError(.notFound, object: object, message: "the Deployment was deleted during the rollout")
                        case .bookmark(let rv):
                            if let rv { resourceVersion = rv }
                            return true
                        case .error:
                            return true  // turned into a thrown error by the watch itself
                        }
                    }
                    if done { return outcome }
                    logger.debug("watch closed by the server; resuming", metadata: ["object": "\(object)", "resourceVersion": "\(resourceVersion)"])
                } catch let error as KubernetesError where error.code == .gone {
                    logger.info("watch resourceVersion too old (410); listing again", metadata: ["object": "\(object)"])
                    continue relist
                } catch let error as KubernetesError where error.code == .timeout && ContinuousClock.now >= deadline {
                    throw timedOut()
                } catch let error as KubernetesError where [.transport, .serverError, .tooManyRequests, .unauthorized].contains(error.code) {
                    // A dropped connection or a flaky apiserver: wait a little and watch again (bounded).
                    transportFailures += 1
                    guard transportFailures < configuration.retry.maxAttempts else { throw error }
                    logger.notice("watch failed; retrying", metadata: ["object": "\(object)", "code": "\(error.code.rawValue)"])
                    try await configuration.retry.sleep(configuration.retry.delay(afterAttempt: transportFailures))
                }
            }
        }
        throw KubernetesError(.rollout, object: object, message: "gave up after \(options.maximumRequests) list/watch requests without a result")
    }
}
