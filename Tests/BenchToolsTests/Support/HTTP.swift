import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// One HTTP exchange for tests, with a bounded deadline.
struct HTTPAnswer {
    let status: Int
    let body: String
    var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] }
}

enum HTTP {
    static func request(_ method: HTTPMethod, _ url: String, bearer: String? = nil, body: String? = nil,
                        contentType: String = "application/json", timeout: TimeAmount = .seconds(30)) async throws -> HTTPAnswer {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let bearer { request.headers.add(name: "Authorization", value: "Bearer \(bearer)") }
        if let body {
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: timeout)
        let bytes = try await response.body.collect(upTo: 4 << 20)
        return HTTPAnswer(status: Int(response.status.code), body: String(buffer: bytes))
    }

    static func chat(_ base: String, key: String?, model: String = "gpt-4o-mini", stream: Bool = false) async throws -> HTTPAnswer {
        try await request(.POST, base + "/chat/completions", bearer: key,
                          body: #"{"model":"\#(model)","messages":[{"role":"user","content":"hi"}]\#(stream ? #","stream":true"# : "")}"#)
    }
}
