import AsyncHTTPClient
import Foundation
import NIOCore

/// GET `url` and return status and body (bounded).
func httpGet(_ url: String) async throws -> (status: UInt, body: String) {
    let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), deadline: .now() + .seconds(10))
    let body = try await response.body.collect(upTo: 4 << 20)
    return (response.status.code, String(buffer: body))
}
