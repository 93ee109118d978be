/// A validated rotation policy (one YAML document in `policies/`, see docs/policies.md).
public struct RotationPolicy: Sendable, Equatable {
    public enum CredentialKind: String, Sendable, CaseIterable {
        case litellmMasterKey = "litellm-master-key"
        case providerKey = "provider-key"
        /// The consumer's PostgreSQL login, as its `DATABASE_URL` (``PostgresServer``).
        case postgresPassword = "postgres-password"
        /// The consumer's Redis ACL password (``RedisServer``).
        case redisPassword = "redis-password"
        case generic
    }

    /// How new values arise.
    public enum Source: Sendable, Equatable {
        /// Lockstep generates `prefix` + Base64url of `randomBytes` random bytes.
        case generate(prefix: String, randomBytes: Int)
        /// A person supplies the value (`lockstep rotate NAME --value-from-stdin`); a due
        /// credential waits for it and is never invented.
        case manual
        /// Lockstep regenerates the Azure account's key no one uses, and after the rollout the
        /// one used before (``AzureAccount``).
        case azure(AzureAccount)
        /// A person supplies the value, as with `manual`; after the rollout Lockstep sets the old
        /// key `inactive` through Anthropic's Admin API (``AnthropicOrganization``).
        case anthropic(AnthropicOrganization)
        /// Lockstep creates a service account in the OpenAI project, whose key is the new value,
        /// and after the rollout deletes the one that owned the old key (``OpenAIProject``).
        case openai(OpenAIProject)
        /// Lockstep creates an API key in the Google Cloud project (API Keys API), and after the
        /// rollout deletes the key that held the old value (``GoogleProject``).
        case google(GoogleProject)
        /// Lockstep sets a new password on the idle one of two PostgreSQL users, and after the
        /// rollout a password no one holds on the one used before (``PostgresServer``).
        case postgres(PostgresServer)
        /// Lockstep adds a password to a Redis ACL user, and after the rollout removes the old one (``RedisServer``).
        case redis(RedisServer)

        /// Whether the old value is retired at the provider by Lockstep once the new one is current.
        public var retiresAtSource: Bool {
            switch self {
            case .azure, .anthropic, .openai, .google, .postgres, .redis: true
            case .generate, .manual: false
            }
        }

        /// Whether the value is a login to a server Lockstep can try itself (PostgreSQL, Redis):
        /// such a run checks the new value, and after a rollback the old one, by logging in there,
        /// and needs no gateway.
        public var checksLogins: Bool {
            switch self {
            case .postgres, .redis: true
            case .generate, .manual, .azure, .anthropic, .openai, .google: false
            }
        }

        /// Whether a new run needs its value from a person (`--value-from-stdin`).
        public var takesValue: Bool {
            switch self {
            case .manual, .anthropic: true
            case .generate, .azure, .openai, .google, .postgres, .redis: false
            }
        }

        /// Whether the new value is minted at the provider by Lockstep (through the source's adapter).
        public var mintsAtSource: Bool { mintedAt != nil }

        /// Where a minting source mints, for people: `Azure (account oai-prod)`; nil for the others.
        public var mintedAt: String? {
            switch self {
            case .azure(let account): "Azure (account \(account.account))"
            case .openai(let project): "OpenAI (project \(project.project))"
            case .google(let project): "Google (project \(project.project))"
            case .postgres(let server): server.label
            case .redis(let server): server.label
            case .generate, .manual, .anthropic: nil
            }
        }
    }

    public enum Strategy: String, Sendable, Codable, CaseIterable {
        /// Master key with LiteLLM's database: stage as a virtual key, roll backend, roll gateway.
        case bridge
        /// Master key without a database: deliver both, roll gateway and backend together.
        case restartTogether = "restart-together"
        /// Provider key: roll the gateway onto the new key while the old one still works.
        case rolling
        /// Master key without a database: Lockstep's auth module on every gateway pod also accepts
        /// the keys in a ring Secret mounted as a volume. Stage the new key in the ring, wait until
        /// every pod accepts it, roll the backend, roll the gateway, empty the ring.
        case keyRing = "key-ring"
        /// Master key without a database and without installing anything in LiteLLM: two gateway
        /// Deployments (colours), the idle one at 0 replicas. Start the idle colour with the new
        /// key, move the backend to it (its key and its gateway URL together), stop the other.
        case blueGreen = "blue-green"
    }

    /// Where the key-ring strategy stages the new key (docs/rotation.md).
    public struct KeyRing: Sendable, Equatable {
        /// The ring Secret key the gateway's auth module reads (mounted as a volume, never subPath or env).
        public let secret: SecretTarget
        /// How long every gateway pod may take to see a ring change (kubelet: 60–90 s).
        public let propagationTimeout: PolicyDuration
        /// The gateway pods' port for direct probes; nil: the container's port named `http`, else its first port.
        public let podPort: Int?
        public init(secret: SecretTarget, propagationTimeout: PolicyDuration = PolicyDuration(seconds: 180), podPort: Int? = nil) {
            self.secret = secret
            self.propagationTimeout = propagationTimeout
            self.podPort = podPort
        }
    }

    public struct SecretTarget: Sendable, Hashable, Codable, CustomStringConvertible {
        public let namespace: String
        public let name: String
        public let key: String
        public init(namespace: String, name: String, key: String) {
            self.namespace = namespace
            self.name = name
            self.key = key
        }
        public var description: String { "\(namespace)/\(name)#\(key)" }
    }

    public struct DeploymentRef: Sendable, Hashable, Codable, CustomStringConvertible {
        public let namespace: String
        public let name: String
        public init(namespace: String, name: String) {
            self.namespace = namespace
            self.name = name
        }
        public var description: String { "\(namespace)/\(name)" }
    }

    public struct Gateway: Sendable, Equatable {
        public let url: String
        /// Models checked through `/health?model=` after a provider-key rotation.
        public let models: [String]
        public init(url: String, models: [String]) {
            self.url = url
            self.models = models
        }
    }

    public struct Checks: Sendable, Equatable {
        public let newKeyAccepted: Bool
        public let oldKeyRefused: Bool
        public init(newKeyAccepted: Bool, oldKeyRefused: Bool) {
            self.newKeyAccepted = newKeyAccepted
            self.oldKeyRefused = oldKeyRefused
        }
    }

    public let name: String
    public let credential: CredentialName
    public let kind: CredentialKind
    public let source: Source
    public let schedule: RotationSchedule?
    /// The cryptoperiod: a credential older than this is overdue.
    public let maxAge: PolicyDuration?
    public let strategy: Strategy
    public let gateway: Gateway?
    public let targets: [SecretTarget]
    public let rollouts: [DeploymentRef]
    public let checks: Checks
    /// The ring of the key-ring strategy (nil for the others).
    public let keyRing: KeyRing?
    /// The two gateway colours of the blue-green strategy (nil for the others).
    public let blueGreen: BlueGreen?

    public init(name: String, credential: CredentialName, kind: CredentialKind, source: Source, schedule: RotationSchedule?,
                maxAge: PolicyDuration?, strategy: Strategy, gateway: Gateway?, targets: [SecretTarget], rollouts: [DeploymentRef], checks: Checks,
                keyRing: KeyRing? = nil, blueGreen: BlueGreen? = nil) {
        self.name = name
        self.credential = credential
        self.kind = kind
        self.source = source
        self.schedule = schedule
        self.maxAge = maxAge
        self.strategy = strategy
        self.gateway = gateway
        self.targets = targets
        self.rollouts = rollouts
        self.checks = checks
        self.keyRing = keyRing
        self.blueGreen = blueGreen
    }

    /// Where Service-level calls to the gateway go: `spec.gateway.url`; blue-green, which checks
    /// the colours' pods directly and may have no such URL, falls back to its first colour's.
    public var gatewayAddress: String? { gateway?.url ?? blueGreen?.colours.first?.url }

    /// A credential only the vault holds: no Secret, no Deployment, no gateway (an admin
    /// credential Lockstep itself uses, such as a provider's Admin API key). Its runs store the
    /// new value and promote it; its policy gives it a schedule and a maximum age like any other.
    public var vaultOnly: Bool { targets.isEmpty && rollouts.isEmpty && gateway == nil && blueGreen == nil }

    /// The gateway Deployment: the last rollout (the key-ring and bridge strategies roll the
    /// backend first and the gateway last).
    public var gatewayDeployment: DeploymentRef? { rollouts.last }
}
