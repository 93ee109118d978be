import LockstepCore

/// The daemon's configuration (`lockstep serve --config FILE`), validated once at start-up by
/// `DaemonConfigLoader`. Paths are absolute: relative ones in the file are resolved against the
/// file's folder. See docs/daemon.md for every field.
public struct DaemonConfiguration: Sendable, Equatable {
    public struct Kubernetes: Sendable, Equatable {
        public var inCluster: Bool
        public var kubeconfig: String?
        public var context: String?
    }

    public struct Admin: Sendable, Equatable {
        public var socket: String
        /// 0o600, or 0o660 together with `group`.
        public var mode: UInt16
        public var group: String?
        /// A connection with no request in progress for this long is closed.
        public var idleTimeout = PolicyDuration(seconds: 60)
    }

    public struct HTTP: Sendable, Equatable {
        public var host: String
        public var port: Int
        /// Connections open at once on this unauthenticated listener; more wait in the kernel's
        /// backlog without taking a descriptor, so that a flood cannot starve the admin socket,
        /// the vault or the scheduler of descriptors.
        public var maxConnections = 64
        /// A connection with no request in progress for this long is closed.
        public var idleTimeout = PolicyDuration(seconds: 10)
    }

    public struct Lease: Sendable, Equatable {
        public var namespace: String
        public var name: String
        /// nil: `$POD_NAME`, then the host name.
        public var identity: String?
        public var durationSeconds: Int
        public var renewDeadlineSeconds: Int
        public var retryPeriodSeconds: Int
    }

    public struct Scheduler: Sendable, Equatable {
        public var checkEvery: PolicyDuration
        public var rolloutTimeout: PolicyDuration
        public var driftCheckEvery: PolicyDuration
    }

    public struct Notification: Sendable, Equatable {
        public enum Format: String, Sendable, CaseIterable { case json, slack }
        /// Where the webhook URL comes from. The URL is a secret (it grants posting): never logged.
        public enum URLSource: Sendable, Equatable {
            case url(String)
            case file(String)
            case secret(namespace: String, name: String, key: String)
        }
        public var name: String
        public var format: Format
        public var url: URLSource
        /// Event kinds (`DaemonEvent.Kind` raw values) this sink receives.
        public var events: [String]
    }

    public struct Logging: Sendable, Equatable {
        public enum Format: String, Sendable, CaseIterable { case json, text }
        public var format: Format
        public var level: String
    }

    /// The event kinds a notification may subscribe to.
    public static let eventKinds = ["rotation-finished", "rotation-failed", "rolled-back", "revoke", "drift", "overdue", "incident-closed"]

    public var file: String
    public var vaultPath: String
    public var vaultKeyFile: String
    public var policies: String
    public var kubernetes: Kubernetes
    public var admin: Admin
    public var http: HTTP
    public var lease: Lease?
    public var scheduler: Scheduler
    public var notifications: [Notification]
    public var logging: Logging
}
