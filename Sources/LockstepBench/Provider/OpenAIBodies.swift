import Foundation

/// The JSON bodies of OpenAI's API that the fake provider answers with.
enum OpenAIBodies {
    /// OpenAI's answer to a missing or wrong key (401).
    static let invalidAPIKey = #"{"error":{"message":"Incorrect API key provided","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}"#

    /// Azure OpenAI's answer to a wrong `api-key` (401).
    static let azureAccessDenied = #"{"error":{"code":"401","message":"Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource."}}"#

    /// The assistant message every chat completion answers with.
    static let reply = "Hello from fake-provider."

    /// A 400 in OpenAI's error shape; `message` must be a fixed text (it is not escaped).
    static func invalidRequest(_ message: String) -> String {
        #"{"error":{"message":"\#(message)","type":"invalid_request_error","param":null,"code":null}}"#
    }

    /// `GET /v1/models`.
    static func models(created: Int) -> String {
        let ids = ["gpt-4o-mini", "gpt-4o"]
        let items = ids.map { #"{"id":"\#($0)","object":"model","created":\#(created),"owned_by":"fake-provider"}"# }
        return #"{"object":"list","data":[\#(items.joined(separator: ","))]}"#
    }

    /// `POST /v1/chat/completions`: a fixed assistant message with usage.
    static func chatCompletion(id: Int, model: String, created: Int) throws -> String {
        let body: [String: Any] = [
            "id": "chatcmpl-fake-\(id)",
            "object": "chat.completion",
            "created": created,
            "model": model,
            "choices": [["index": 0, "message": ["role": "assistant", "content": reply], "logprobs": NSNull(), "finish_reason": "stop"]],
            "usage": ["prompt_tokens": 9, "completion_tokens": 5, "total_tokens": 14],
            "system_fingerprint": NSNull(),
        ]
        return String(decoding: try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]), as: UTF8.self)
    }
}

/// The part of a chat completion request the fake provider reads.
struct ChatRequest: Decodable {
    /// Azure's data plane names the deployment in the path and may leave it out here.
    let model: String?
    let messages: [Message]
    let stream: Bool?

    struct Message: Decodable {
        let role: String
    }
}
