extension RotationPolicy {
    /// The blue-green strategy's gateways (docs/rotation.md): two Deployments of LiteLLM, each
    /// with its own master-key Secret and its own Service; between rotations one runs and the other
    /// is scaled to 0. The backend's Secret holds both its key (the policy's targets) and the URL
    /// of the colour it uses (`endpointKey`), written together in one patch.
    public struct BlueGreen: Sendable, Equatable, Codable {
        public struct Colour: Sendable, Equatable, Codable, CustomStringConvertible {
            /// `blue`, `green`: for messages and the audit log.
            public let name: String
            public let deployment: DeploymentRef
            /// The Secret key this colour's pods read the master key from (as env, at start).
            public let secret: SecretTarget
            /// The URL the backend reaches this colour at (its Service), written to `endpointKey`.
            public let url: String
            public init(name: String, deployment: DeploymentRef, secret: SecretTarget, url: String) {
                self.name = name
                self.deployment = deployment
                self.secret = secret
                self.url = url
            }
            public var description: String { "colour \(name) (\(deployment))" }
        }

        /// Exactly two.
        public let colours: [Colour]
        /// The key of the backend's Secret (each target's Secret) that holds the gateway URL.
        public let endpointKey: String
        /// The gateway pods' port for direct probes; nil: the container's port named `http`, else its first.
        public let podPort: Int?

        public init(colours: [Colour], endpointKey: String, podPort: Int? = nil) {
            self.colours = colours
            self.endpointKey = endpointKey
            self.podPort = podPort
        }

        /// The colour whose URL is `url`, if exactly one.
        public func colour(servingAt url: String) -> Int? {
            let matches = colours.indices.filter { colours[$0].url == url }
            return matches.count == 1 ? matches[0] : nil
        }
    }
}
