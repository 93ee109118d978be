import Foundation
import Hummingbird

/// What the responder knows about a request once it is read: path, query, body and caller.
struct APIRequest: Sendable {
    let method: String
    let segments: [String]
    let query: [String: String]
    let headers: HTTPFields
    let body: Data
    var user: UserInfo

    var contentType: String {
        (headers[.contentType] ?? "application/json").split(separator: ";").first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        } ?? "application/json"
    }

    func flag(_ name: String) -> Bool {
        guard let value = query[name] else { return false }
        return value == "1" || value.lowercased() == "true"
    }

    /// The field manager: `?fieldManager=`, else the User-Agent's product name, as the apiserver does.
    var fieldManager: String {
        if let manager = query["fieldManager"], !manager.isEmpty { return manager }
        let agent = headers[.userAgent] ?? "unknown"
        return String(agent.split(separator: "/").first ?? "unknown").prefix(128).description
    }

    /// The body parsed as JSON or YAML; protobuf and other encodings are refused with 415.
    func parsedBody() throws -> JSONValue {
        let type = contentType
        guard !body.isEmpty else { throw APIError.badRequest("the request body is empty") }
        if type == "application/vnd.kubernetes.protobuf" { return try KubeProtobuf.decode(body) }
        if type.contains("protobuf") || type.contains("cbor") { throw APIError.unsupportedMediaType(type) }
        do {
            if type.contains("yaml") { return try JSONValue.parseYAML(String(decoding: body, as: UTF8.self)) }
            return try JSONValue.parse(body)
        } catch {
            throw APIError.badRequest("the request body is not valid JSON: \(error)")
        }
    }

    static func parseQuery(_ query: String?) -> [String: String] {
        var result: [String: String] = [:]
        for pair in (query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
            }
            if let key = parts.first { result[key] = parts.count > 1 ? parts[1] : "" }
        }
        return result
    }
}
