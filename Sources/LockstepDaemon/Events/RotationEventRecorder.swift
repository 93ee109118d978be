import LockstepCore
import LockstepKubernetes
import Logging

/// Writes Kubernetes Events about a finished rotation run onto the objects it touched: one per target
/// Secret and one per rolled Deployment, so `kubectl describe secret|deployment` shows what Lockstep did.
///
/// Events carry names, versions and the engine's failure text only — never a value (anyone who may
/// list Events in the namespace reads them). Creating them is best effort: a failure is logged and
/// counted, never thrown into the rotation.
public struct RotationEventRecorder: Sendable {
    /// How the run ended.
    public enum Outcome: String, Sendable, CaseIterable {
        /// Reason `Rotated` (Normal).
        case rotated
        /// Reason `RotationRolledBack` (Warning): the old value is back in place everywhere.
        case rolledBack
        /// Reason `RotationFailed` (Warning).
        case failed
    }

    /// Creates one Event and returns its name (``KubernetesClient/createEvent(_:)`` in production).
    public typealias CreateEvent = @Sendable (EventRecord) async throws -> String

    /// Longest message written; longer failure texts are cut (client-go's recorder cuts at 1024 too).
    static let maxMessage = 1024

    private let create: CreateEvent
    private let logger: Logger

    /// A recorder that creates Events through `client`.
    public init(client: KubernetesClient, logger: Logger = Logger(label: "lockstep.events")) {
        self.init(logger: logger) { try await client.createEvent($0) }
    }

    public init(logger: Logger = Logger(label: "lockstep.events"), create: @escaping CreateEvent) {
        self.create = create
        self.logger = logger
    }

    /// Records the outcome of a run of `credential` to `version` on every distinct Secret in `targets`
    /// and every Deployment in `rollouts`.
    /// - Parameter failure: what went wrong (rolled back or failed), one operator-readable line.
    /// - Returns: how many Events could not be created (0 when all were).
    @discardableResult
    public func record(credential: String, version: Int?, outcome: Outcome, failure: String? = nil,
                       targets: [RotationPolicy.SecretTarget], rollouts: [RotationPolicy.DeploymentRef]) async -> Int {
        let message = Self.message(credential: credential, version: version, outcome: outcome, failure: failure)
        let (reason, type) = Self.reasonAndType(outcome)
        var failures = 0
        for object in Self.involvedObjects(targets: targets, rollouts: rollouts) {
            do {
                try await _ = create(EventRecord(reason: reason, message: message, type: type, involvedObject: object))
            } catch {
                failures += 1
                logger.warning("could not create a Kubernetes Event", metadata: [
                    "object": "\(object.kind.lowercased()) \(object.namespace)/\(object.name)", "reason": "\(reason)", "error": "\(error)",
                ])
            }
        }
        return failures
    }

    static func reasonAndType(_ outcome: Outcome) -> (String, EventRecord.Kind) {
        switch outcome {
        case .rotated: ("Rotated", .normal)
        case .rolledBack: ("RotationRolledBack", .warning)
        case .failed: ("RotationFailed", .warning)
        }
    }

    static func message(credential: String, version: Int?, outcome: Outcome, failure: String?) -> String {
        let target = version.map { "\(credential) to version \($0)" } ?? credential
        let detail = failure.map { $0.split(whereSeparator: \.isNewline).joined(separator: " ") }.flatMap { $0.isEmpty ? nil : $0 }
        let text: String
        switch outcome {
        case .rotated: text = "rotated by lockstep: \(target)"
        case .rolledBack: text = "rotation of \(target) failed and was rolled back" + (detail.map { ": \($0)" } ?? "")
        case .failed: text = "rotation of \(target) failed" + (detail.map { ": \($0)" } ?? "")
        }
        return text.count <= maxMessage ? text : String(text.prefix(maxMessage - 1)) + "…"
    }

    /// Each Secret once (a policy may deliver several keys of one Secret), then each Deployment once.
    static func involvedObjects(targets: [RotationPolicy.SecretTarget], rollouts: [RotationPolicy.DeploymentRef]) -> [InvolvedObject] {
        var seen = Set<String>()
        var objects: [InvolvedObject] = []
        for target in targets where seen.insert("Secret \(target.namespace)/\(target.name)").inserted {
            objects.append(InvolvedObject(apiVersion: "v1", kind: "Secret", namespace: target.namespace, name: target.name))
        }
        for rollout in rollouts where seen.insert("Deployment \(rollout.namespace)/\(rollout.name)").inserted {
            objects.append(InvolvedObject(apiVersion: "apps/v1", kind: "Deployment", namespace: rollout.namespace, name: rollout.name))
        }
        return objects
    }
}
