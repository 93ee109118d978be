import Foundation
import LockstepAudit
import LockstepCore
import LockstepEngine
import LockstepKubernetes
import LockstepPolicy
import LockstepVault
import Logging
import ServiceLifecycle

/// Builds the optional parts from the configuration: the leader lease, the webhook notifier and
/// the Kubernetes Event recorder.
enum DaemonParts {
    static func leadership(_ config: DaemonConfiguration, identity: String, client: KubernetesClient, logger: Logger) throws -> (view: any LeadershipView, service: (any Service)?) {
        guard let lease = config.lease else {
            logger.warning("no lease configured: this instance assumes it is the only one; never run two replicas like this")
            return (SoleLeader(identity: identity), nil)
        }
        let settings: LeaseSettings
        do {
            settings = try LeaseSettings(namespace: lease.namespace, name: lease.name, identity: identity,
                                         leaseDuration: .seconds(lease.durationSeconds), renewDeadline: .seconds(lease.renewDeadlineSeconds),
                                         retryPeriod: .seconds(lease.retryPeriodSeconds))
        } catch {
            throw DaemonStartError("lease settings: \(error)", hint: "see docs/daemon.md, section lease")
        }
        let elector = LeaderElector(settings: settings, client: client, logger: logger)
        return (elector, elector)
    }

    static func notifier(_ config: DaemonConfiguration, client: KubernetesClient, vault: Vault, identity: String, logger: Logger) -> (view: any EventNotifier, service: (any Service)?, counters: (@Sendable () -> NotifierCounters)?) {
        guard !config.notifications.isEmpty else { return (NoNotifier(), nil, nil) }
        let sinks = config.notifications.map { n in
            WebhookSink(name: n.name, format: n.format == .slack ? .slack : .json, url: sinkURL(n.url),
                        events: Set(n.events.compactMap(DaemonEvent.Kind.init(rawValue:))))
        }
        let notifier = WebhookNotifier(sinks: sinks, resolveSecret: WebhookNotifier.secretResolver(client), onFailure: { sink, event, reason in
            // A failed notification never blocks a rotation, but it is on the record.
            _ = try? vault.audit(AuditDraft(actor: AuditActor(kind: .system, id: "notifier@\(identity)"), action: .notificationFailed,
                                            credential: event.credential, version: event.version, outcome: .failure,
                                            detail: "sink \(sink), event \(event.kind.rawValue): \(reason)"))
        }, logger: logger)
        return (notifier, notifier, { notifier.counters })
    }

    static func sinkURL(_ source: DaemonConfiguration.Notification.URLSource) -> WebhookSink.URLSource {
        switch source {
        case .url(let u): .url(u)
        case .file(let f): .file(f)
        case .secret(let ns, let name, let key): .secret(namespace: ns, name: name, key: key)
        }
    }

    static func eventRecorder(client: KubernetesClient, logger: Logger) -> RotationCoordinator.AfterRun {
        let recorder = RotationEventRecorder(client: client, logger: logger)
        return { report, policy in
            let run = report.run
            let outcome: RotationEventRecorder.Outcome = switch run.phase {
            case .succeeded: .rotated
            case .rolledBack: .rolledBack
            default: .failed
            }
            await recorder.record(credential: run.credential, version: run.newVersion, outcome: outcome, failure: run.failure,
                                  targets: policy.targets, rollouts: policy.rollouts)
        }
    }
}
