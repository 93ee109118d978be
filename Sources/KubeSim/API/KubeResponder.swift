import Foundation
import Hummingbird
import NIOCore

/// The single Hummingbird responder: Kubernetes paths are parsed by ``Route``, not by a router.
struct KubeResponder: HTTPResponder {
    typealias Context = KubeContext

    let server: APIServer
    let authenticator: Authenticator

    func respond(to request: Request, context: KubeContext) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: 16 * 1024 * 1024)
        let outcome = await authenticator.authenticate(authorization: request.headers[.authorization], channel: context.channel)
        guard case .user(let user) = outcome else {
            return Self.response(.json(APIError.unauthorized.status, code: 401))
        }
        let apiRequest = APIRequest(
            method: request.method.rawValue,
            segments: request.uri.path.split(separator: "/").map { String($0).removingPercentEncoding ?? String($0) },
            query: APIRequest.parseQuery(request.uri.query),
            headers: request.headers,
            body: Data(body.readableBytesView),
            user: user)
        return Self.response(await server.handle(apiRequest))
    }

    static func response(_ answer: APIResponse) -> Response {
        switch answer {
        case .json(let value, let code):
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            headers[.cacheControl] = "no-cache, private"
            return Response(status: .init(code: code), headers: headers, body: .init(byteBuffer: ByteBuffer(string: value.jsonString)))
        case .text(let text):
            return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
        case .stream(let lines):
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            headers[.cacheControl] = "no-cache, private"
            headers[.connection] = "close"
            return Response(status: .ok, headers: headers, body: ResponseBody { writer in
                for await line in lines {
                    try await writer.write(ByteBuffer(string: line))
                }
                try await writer.finish(nil)
            })
        }
    }
}
