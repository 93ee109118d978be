/// The fields of an apps/v1 Deployment that restarts and rollout checks need.
public struct Deployment: Codable, Sendable, Equatable {
    public struct Spec: Codable, Sendable, Equatable {
        public struct Template: Codable, Sendable, Equatable {
            public struct Metadata: Codable, Sendable, Equatable {
                public var annotations: [String: String]?
                public var labels: [String: String]?
            }

            public var metadata: Metadata?
        }

        public struct Selector: Codable, Sendable, Equatable {
            public var matchLabels: [String: String]?
        }

        public var replicas: Int?
        public var selector: Selector?
        public var paused: Bool?
        public var progressDeadlineSeconds: Int?
        public var template: Template?
    }

    public struct Status: Codable, Sendable, Equatable {
        public struct Condition: Codable, Sendable, Equatable {
            public var type: String
            public var status: String
            public var reason: String?
            public var message: String?
        }

        public var observedGeneration: Int64?
        public var replicas: Int?
        public var updatedReplicas: Int?
        public var readyReplicas: Int?
        public var availableReplicas: Int?
        public var unavailableReplicas: Int?
        public var conditions: [Condition]?
    }

    public var metadata: ObjectMeta
    public var spec: Spec?
    public var status: Status?

    /// The pod-template annotations (where restarts are recorded).
    public var templateAnnotations: [String: String] { spec?.template?.metadata?.annotations ?? [:] }
}
