import Synchronization

/// Counts of the requests the fake provider answered, by outcome and by route, served as JSON on
/// `GET /fake/stats`, so that a test can tell whether LiteLLM called with an accepted key.
public struct ProviderStats: Codable, Sendable, Equatable {
    /// Every request to an OpenAI route.
    public var total = 0
    /// Answered 200.
    public var ok = 0
    /// 401: a bearer key that is not accepted.
    public var unauthorized = 0
    /// 401: no `Authorization: Bearer` header at all.
    public var missingKey = 0
    /// 400: a body that is not a chat completion request, or `stream: true`.
    public var badRequest = 0
    /// Requests to `/v1/chat/completions` or `/chat/completions`.
    public var chatCompletions = 0
    /// Requests to `/v1/models` or `/models`.
    public var models = 0
    /// How many keys are accepted at the moment of the answer.
    public var acceptedKeys = 0

    public init() {}
}

/// The outcome of one request, as counted.
public enum ProviderOutcome: Sendable {
    case ok, unauthorized, missingKey, badRequest
}

/// The route of one request, as counted.
public enum ProviderRoute: Sendable {
    case chatCompletions, models
}

/// Thread-safe ``ProviderStats``.
public final class ProviderCounter: Sendable {
    private let stats = Mutex(ProviderStats())

    public init() {}

    /// Counts one answered request.
    public func record(_ route: ProviderRoute, _ outcome: ProviderOutcome) {
        stats.withLock { s in
            s.total += 1
            switch route {
            case .chatCompletions: s.chatCompletions += 1
            case .models: s.models += 1
            }
            switch outcome {
            case .ok: s.ok += 1
            case .unauthorized: s.unauthorized += 1
            case .missingKey: s.missingKey += 1
            case .badRequest: s.badRequest += 1
            }
        }
    }

    /// The counts so far, with `acceptedKeys` filled in.
    public func snapshot(acceptedKeys: Int) -> ProviderStats {
        var s = stats.withLock { $0 }
        s.acceptedKeys = acceptedKeys
        return s
    }
}
