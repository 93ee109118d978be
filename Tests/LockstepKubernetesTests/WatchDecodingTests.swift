import Foundation
import Testing
@testable import LockstepKubernetes

@Suite("Watch stream decoding")
struct WatchDecodingTests {
    @Test("lines split across chunks; a last line without newline stays in the buffer")
    func splitting() throws {
        var splitter = LineSplitter()
        #expect(try splitter.append(Data(#"{"type":"BOOKMARK","object":{"metadata":{"resour"#.utf8)).isEmpty)
        let lines = try splitter.append(Data("ceVersion\":\"7\"}}}\n\n{\"type\":\"ERR".utf8))
        #expect(lines.count == 1)
        guard case .bookmark(let rv) = try WatchEvent<Deployment>.decode(lines[0]) else { Issue.record("expected a bookmark"); return }
        #expect(rv == "7")
        #expect(splitter.remainder == Data(#"{"type":"ERR"#.utf8))
    }

    @Test("in-stream ERROR with 410, MODIFIED objects, unknown types")
    func events() throws {
        let gone = Data(#"{"type":"ERROR","object":{"kind":"Status","status":"Failure","message":"too old resource version: 5 (9)","reason":"Expired","code":410}}"#.utf8)
        guard case .error(let status) = try WatchEvent<Deployment>.decode(gone) else { Issue.record("expected an error"); return }
        #expect(status.code == 410)
        let modified = Data(#"{"type":"MODIFIED","object":{"metadata":{"name":"web","resourceVersion":"12","generation":3},"spec":{"replicas":2},"status":{"observedGeneration":3}}}"#.utf8)
        guard case .modified(let deployment) = try WatchEvent<Deployment>.decode(modified) else { Issue.record("expected MODIFIED"); return }
        #expect(deployment.metadata.resourceVersion == "12")
        #expect(RolloutProgress.evaluate(deployment).message.contains("0 out of 2"))
        #expect(throws: KubernetesError.self) { try WatchEvent<Deployment>.decode(Data(#"{"type":"SURPRISE","object":{}}"#.utf8)) }
    }
}
