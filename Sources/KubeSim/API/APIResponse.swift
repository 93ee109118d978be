import Foundation

/// An answer before it is turned into an HTTP response: a JSON document, text, or a watch stream.
enum APIResponse: Sendable {
    case json(JSONValue, code: Int = 200)
    case text(String)
    case stream(AsyncStream<String>)

    var code: Int {
        switch self {
        case .json(_, let code): code
        default: 200
        }
    }
}
