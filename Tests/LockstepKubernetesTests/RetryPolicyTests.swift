import Testing
@testable import LockstepKubernetes

@Suite("Retry policy")
struct RetryPolicyTests {
    @Test("delays double per attempt, stay within [d/2, d] and are capped")
    func delays() {
        let low = RetryPolicy(baseDelay: .milliseconds(100), maxDelay: .seconds(1), random: { 0 })
        let high = RetryPolicy(baseDelay: .milliseconds(100), maxDelay: .seconds(1), random: { 0.999999 })
        #expect(low.delay(afterAttempt: 1) == .milliseconds(50))
        #expect(low.delay(afterAttempt: 2) == .milliseconds(100))
        #expect(low.delay(afterAttempt: 3) == .milliseconds(200))
        #expect(low.delay(afterAttempt: 10) == .milliseconds(500))
        #expect(high.delay(afterAttempt: 10) <= .seconds(1))
        #expect(high.delay(afterAttempt: 10) > .milliseconds(999))
        #expect(low.delay(afterAttempt: 100) == .milliseconds(500), "no overflow")
    }

    @Test("only safe requests are retried, and never on 409, 403, 404 or 422")
    func retriable() {
        func error(_ code: KubernetesError.Code, status: Int?) -> KubernetesError { KubernetesError(code, message: "m", status: status) }
        #expect(RetryPolicy.isRetriable(error(.serverError, status: 503), idempotent: true))
        #expect(RetryPolicy.isRetriable(error(.tooManyRequests, status: 429), idempotent: true))
        #expect(RetryPolicy.isRetriable(error(.transport, status: nil), idempotent: true))
        #expect(!RetryPolicy.isRetriable(KubernetesError(.transport, message: "m", reason: RetryPolicy.tlsFailureReason), idempotent: true))
        #expect(RetryPolicy.isRetriable(error(.timeout, status: 504), idempotent: true))
        #expect(!RetryPolicy.isRetriable(error(.timeout, status: nil), idempotent: true), "our own deadline")
        #expect(!RetryPolicy.isRetriable(error(.serverError, status: 503), idempotent: false))
        for code in [KubernetesError.Code.conflict, .forbidden, .notFound, .invalid, .unauthorized, .gone] {
            #expect(!RetryPolicy.isRetriable(error(code, status: 409), idempotent: true))
        }
        #expect(RetryPolicy(maxAttempts: 0).maxAttempts == 1)
    }

    @Test("Retry-After seconds are read; dates and junk are ignored")
    func retryAfter() {
        #expect(RetryPolicy.retryAfter("3") == .seconds(3))
        #expect(RetryPolicy.retryAfter(" 1 ") == .seconds(1))
        #expect(RetryPolicy.retryAfter("600") == .seconds(60))
        #expect(RetryPolicy.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT") == nil)
        #expect(RetryPolicy.retryAfter(nil) == nil)
        #expect(RetryPolicy.retryAfter("-1") == nil)
    }

    @Test("Status bodies map to codes")
    func statusMapping() {
        let context = RequestContext(verb: "get", resource: "secrets", group: "", namespace: "ns", name: "s", idempotent: true)
        func code(_ status: Int, _ body: String = "{}") -> KubernetesError.Code {
            KubernetesError.from(status: status, body: Data(body.utf8), context: context).code
        }
        #expect(code(409, #"{"reason":"Conflict"}"#) == .conflict)
        #expect(code(409, #"{"reason":"AlreadyExists"}"#) == .alreadyExists)
        #expect(code(404) == .notFound)
        #expect(code(410) == .gone)
        #expect(code(422) == .invalid)
        #expect(code(429) == .tooManyRequests)
        #expect(code(500) == .serverError)
        #expect(code(504) == .timeout)
        #expect(code(401) == .unauthorized)
        let html = KubernetesError.from(status: 502, body: Data("<html>secret-ish</html>".utf8), context: context)
        #expect(!html.description.contains("secret-ish"), "non-Status bodies are not quoted")
    }
}

import Foundation
