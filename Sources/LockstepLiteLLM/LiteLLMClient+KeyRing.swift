import Foundation
import AsyncHTTPClient
import LockstepCore
import NIOHTTP1

extension LiteLLMClient {
    /// The public, non-secret token Lockstep's key-ring module always refuses with a status line
    /// of its own (deploy/components/litellm-keyring/lockstep_keyring.py). It grants nothing.
    public static let keyRingProbeToken = "lockstep-keyring-probe"

    /// The same client, for another base URL (one pod, reached directly).
    func at(_ url: String) -> LiteLLMClient { LiteLLMClient(baseURL: url, http: http, timeout: timeout) }

    /// Asks the pod whether the key-ring module is loaded: `GET /v1/models` with the probe token.
    /// The module answers 401 with `lockstep-keyring: active, N keys in the ring` (or
    /// `lockstep-keyring: ring unreadable`); LiteLLM without it answers 400 `no_db_connection`.
    public func keyRingProbe() async throws -> KeyRingProbe {
        let r = try await sendRaw("GET", "/v1/models", bearer: Self.keyRingProbeToken)
        let text = r.text
        if let range = text.range(of: "lockstep-keyring: active") {
            let digits = text[range.upperBound...].drop { !$0.isNumber }.prefix { $0.isNumber }
            return .active(keys: Int(digits) ?? 0)
        }
        if text.contains("lockstep-keyring: ring unreadable") { return .unreadable }
        if r.status == 200 {
            // Never expected: a gateway that accepts a public token is misconfigured, loudly.
            throw GatewayError(code: .unexpected, status: 200, errorType: nil, message: "the gateway accepted the public key-ring probe token: its auth is misconfigured")
        }
        let type = (try? JSONSerialization.jsonObject(with: Data(text.utf8))).flatMap { ($0 as? [String: Any])?["error"] as? [String: Any] }?["type"] as? String
        return .absent("HTTP \(r.status)\(type.map { " \($0)" } ?? "")")
    }

    /// A request with a public bearer token (no secret involved), its body as text.
    private func sendRaw(_ method: String, _ path: String, bearer: String) async throws -> (status: Int, text: String) {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = HTTPMethod(rawValue: method)
        request.headers.add(name: "Authorization", value: "Bearer " + bearer)
        do {
            let response = try await http.execute(request, timeout: timeout)
            let bytes = try await response.body.collect(upTo: 1 << 16)
            return (Int(response.status.code), String(decoding: bytes.readableBytesView, as: UTF8.self))
        } catch {
            throw GatewayError(code: .unreachable, status: nil, errorType: nil, message: "no answer from \(baseURL)\(path): \(type(of: error))")
        }
    }
}
