import Foundation
import Hummingbird

/// The routes `lockstep-load` serves on `$PORT`: `GET /healthz` (200, for a readiness probe) and
/// `GET /report` (the report so far, as JSON; it holds no key).
public enum HealthRoutes {
    /// A router answering `/healthz` and `/report`.
    public static func router(recorder: LoadRecorder, configuration: LoadConfiguration) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/healthz") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: "ok\n")))
        }
        router.get("/report") { _, _ in
            let data = try recorder.report(configuration: configuration).json()
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        return router
    }
}
