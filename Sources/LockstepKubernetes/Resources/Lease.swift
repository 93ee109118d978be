import Foundation

/// A coordination.k8s.io/v1 Lease (leader election). Times are `MicroTime` on the wire.
public struct Lease: Sendable, Equatable {
    public struct Spec: Sendable, Equatable {
        public var holderIdentity: String?
        public var leaseDurationSeconds: Int?
        public var acquireTime: Date?
        public var renewTime: Date?
        public var leaseTransitions: Int?

        public init(holderIdentity: String? = nil, leaseDurationSeconds: Int? = nil, acquireTime: Date? = nil,
                    renewTime: Date? = nil, leaseTransitions: Int? = nil) {
            self.holderIdentity = holderIdentity
            self.leaseDurationSeconds = leaseDurationSeconds
            self.acquireTime = acquireTime
            self.renewTime = renewTime
            self.leaseTransitions = leaseTransitions
        }
    }

    public var metadata: ObjectMeta
    public var spec: Spec

    public init(metadata: ObjectMeta, spec: Spec) {
        self.metadata = metadata
        self.spec = spec
    }
}

extension Lease: Codable {
    private enum Keys: String, CodingKey { case apiVersion, kind, metadata, spec }
    private enum SpecKeys: String, CodingKey { case holderIdentity, leaseDurationSeconds, acquireTime, renewTime, leaseTransitions }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        metadata = try c.decode(ObjectMeta.self, forKey: .metadata)
        spec = Spec()
        guard c.contains(.spec) else { return }
        let s = try c.nestedContainer(keyedBy: SpecKeys.self, forKey: .spec)
        spec.holderIdentity = try s.decodeIfPresent(String.self, forKey: .holderIdentity)
        spec.leaseDurationSeconds = try s.decodeIfPresent(Int.self, forKey: .leaseDurationSeconds)
        spec.leaseTransitions = try s.decodeIfPresent(Int.self, forKey: .leaseTransitions)
        spec.acquireTime = try s.decodeIfPresent(String.self, forKey: .acquireTime).flatMap(MicroTime.parse)
        spec.renewTime = try s.decodeIfPresent(String.self, forKey: .renewTime).flatMap(MicroTime.parse)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode("coordination.k8s.io/v1", forKey: .apiVersion)
        try c.encode("Lease", forKey: .kind)
        try c.encode(metadata, forKey: .metadata)
        var s = c.nestedContainer(keyedBy: SpecKeys.self, forKey: .spec)
        try s.encodeIfPresent(spec.holderIdentity, forKey: .holderIdentity)
        try s.encodeIfPresent(spec.leaseDurationSeconds, forKey: .leaseDurationSeconds)
        try s.encodeIfPresent(spec.leaseTransitions, forKey: .leaseTransitions)
        try s.encodeIfPresent(spec.acquireTime.map(MicroTime.format), forKey: .acquireTime)
        try s.encodeIfPresent(spec.renewTime.map(MicroTime.format), forKey: .renewTime)
    }
}
