import Foundation
import Hummingbird
import Synchronization

/// An OpenAI-compatible upstream for tests: `GET /v1/models` and `POST /v1/chat/completions`
/// (also without the `/v1` prefix) behind `Authorization: Bearer <key>`, Azure OpenAI's data
/// plane `POST /openai/deployments/{deployment}/chat/completions` behind `api-key: <key>`, and
/// `GET /fake/stats` (no auth) with the counts of ``ProviderStats``.
public final class FakeProvider: Sendable {
    /// The keys accepted now.
    public let keys: KeyRing
    /// What has been answered so far.
    public let counter = ProviderCounter()
    private let ids = Atomic(0)

    /// Anthropic's routes, when the fake also plays Anthropic (`GET /v1/models` with `x-api-key` goes there).
    let anthropic: FakeAnthropic?
    /// An OpenAI project, when the fake plays one: its keys are accepted besides `keys`.
    let openai: FakeOpenAI?

    /// A provider accepting `keys`.
    public init(keys: KeyRing, anthropic: FakeAnthropic? = nil, openai: FakeOpenAI? = nil) {
        self.keys = keys
        self.anthropic = anthropic
        self.openai = openai
    }

    /// The routes, ready for a Hummingbird `Application`.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        for prefix in ["/v1", ""] {
            router.get("\(prefix)/models") { [self] request, _ in
                if let anthropic, anthropic.header(request, "x-api-key") != nil { return anthropic.models(request) }
                return models(request)
            }
            router.post("\(prefix)/chat/completions") { [self] request, _ in try await chat(request) }
        }
        router.post("/openai/deployments/:deployment/chat/completions") { [self] request, context in
            try await chat(request, deployment: context.parameters.get("deployment"))
        }
        router.get("/fake/stats") { [self] _, _ in
            let data = try JSONEncoder.sorted.encode(counter.snapshot(acceptedKeys: keys.count))
            return Self.json(.ok, String(decoding: data, as: UTF8.self))
        }
        return router
    }

    /// `nil` when the request carries an accepted key, else the 401 to answer (and it is counted).
    private func refusal(_ request: Request, _ route: ProviderRoute) -> Response? {
        if let key = request.headers.first(where: { $0.name.canonicalName == "api-key" })?.value {
            guard keys.accepts(key) else {
                counter.record(route, .unauthorized)
                return Self.json(.unauthorized, OpenAIBodies.azureAccessDenied)
            }
            return nil
        }
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
            counter.record(route, .missingKey)
            return Self.json(.unauthorized, OpenAIBodies.invalidAPIKey)
        }
        let presented = String(header.dropFirst("Bearer ".count))
        guard keys.accepts(presented) || openai?.accepts(presented) == true else {
            counter.record(route, .unauthorized)
            return Self.json(.unauthorized, OpenAIBodies.invalidAPIKey)
        }
        return nil
    }

    private func models(_ request: Request) -> Response {
        if let refused = refusal(request, .models) { return refused }
        counter.record(.models, .ok)
        return Self.json(.ok, OpenAIBodies.models(created: Int(Date().timeIntervalSince1970)))
    }

    private func chat(_ request: Request, deployment: String? = nil) async throws -> Response {
        if let refused = refusal(request, .chatCompletions) { return refused }
        var request = request
        let body = try await request.collectBody(upTo: 4 << 20)
        guard let chat = try? JSONDecoder().decode(ChatRequest.self, from: Data(body.readableBytesView)) else {
            counter.record(.chatCompletions, .badRequest)
            return Self.json(.badRequest, OpenAIBodies.invalidRequest("fake-provider expects a JSON chat completion request with model and messages"))
        }
        guard chat.stream != true else {
            counter.record(.chatCompletions, .badRequest)
            return Self.json(.badRequest, OpenAIBodies.invalidRequest("fake-provider does not support stream: true"))
        }
        let id = ids.wrappingAdd(1, ordering: .relaxed).newValue
        counter.record(.chatCompletions, .ok)
        return Self.json(.ok, try OpenAIBodies.chatCompletion(id: id, model: chat.model ?? deployment ?? "gpt-4o-mini", created: Int(Date().timeIntervalSince1970)))
    }

    /// 200 with `object` as JSON, keys sorted.
    static func object(_ object: [String: Any]) throws -> Response {
        json(.ok, try encode(object))
    }

    /// `object` as JSON text, keys sorted.
    static func encode(_ object: [String: Any]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    static func json(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}

extension JSONEncoder {
    /// Sorted keys, so reports and stats read the same every time.
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}
