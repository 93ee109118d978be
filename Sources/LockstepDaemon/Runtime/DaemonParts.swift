import Foundation
import LockstepAudit
import LockstepCore
import LockstepKubernetes
import LockstepPolicy
import LockstepVault
import Logging
import ServiceLifecycle

/// Builds the optional parts from the configuration: the leader lease, the webhook notifier and
/// the Kubernetes Event recorder.
enum DaemonParts {
    static func leadership(_ config: DaemonConfiguration, identity: String, client: KubernetesClient, logger: Logger) throws -> (view: any LeadershipView, service: (any Service)?) {
        guard config.lease != nil else {
            logger.warning("no lease configured: this instance assumes it is the only one; never run two replicas like this")
            return (SoleLeader(identity: identity), nil)
        }
        // TODO(lease): LeaderElector
        return (SoleLeader(identity: identity), nil)
    }

    static func notifier(_ config: DaemonConfiguration, client: KubernetesClient, vault: Vault, metrics: DaemonMetrics, identity: String, logger: Logger) throws -> (view: any EventNotifier, service: (any Service)?) {
        (NoNotifier(), nil)
    }

    static func eventRecorder(client: KubernetesClient, logger: Logger) -> RotationCoordinator.AfterRun {
        { _, _ in }
    }
}
