/// The blue-green part of a run: the colours as the policy named them when the run began, and
/// what preflight found (which one serves) and what the run did to them so far.
public struct ColourSwitch: Sendable, Codable, Equatable {
    public let colours: RotationPolicy.BlueGreen
    /// The colour serving the backend when the run began (set by preflight).
    public var active: Int?
    /// The active colour's replicas when the run began: what the idle colour is started with, and
    /// what a rollback starts the active one with again.
    public var replicas: Int?
    /// The active colour was (possibly) scaled to 0: a rollback must start it again first.
    public var retired: Bool

    public init(colours: RotationPolicy.BlueGreen) {
        self.colours = colours
        self.active = nil
        self.replicas = nil
        self.retired = false
    }

    /// The colour that plays `role` in this run (preflight must have run).
    public func colour(_ role: ColourRole) -> RotationPolicy.BlueGreen.Colour? {
        guard let active, colours.colours.indices.contains(active), colours.colours.count == 2 else { return nil }
        return colours.colours[role == .active ? active : 1 - active]
    }
}

/// A colour's part in one blue-green run.
public enum ColourRole: String, Sendable, Codable, Equatable {
    /// Serving the backend when the run began; scaled to 0 once the backend left it.
    case active
    /// At 0 replicas when the run began; started with the new key, and the backend moves to it.
    case idle
}

/// What preflight found for a blue-green run.
public struct ColourFacts: Sendable, Equatable {
    public let active: Int
    public let replicas: Int
    public init(active: Int, replicas: Int) {
        self.active = active
        self.replicas = replicas
    }
}
