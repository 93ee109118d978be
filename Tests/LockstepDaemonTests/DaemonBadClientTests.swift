import Foundation
import KubeSim
import LockstepDaemon
import LockstepTesting
import Testing

extension DaemonIntegrationTests {
    /// Hostile and careless clients: bodies the admin API refuses with a 400/413 and a message,
    /// idle connections closed, and a flood of idle connections on the unauthenticated health
    /// port that cannot take the descriptors the admin socket needs.
    @Suite("lockstep serve: bad clients", .serialized)
    struct BadClientTests {
        @Test func malformedAndOversizedBodiesAnswer400And413WithAMessage() async throws {
            let f = try await DaemonFixture.start()
            defer { Task { await f.stop() } }
            let d = try await f.startDaemon(try f.config("daemon-bodies"))
            defer { Task { await d.process.stop() } }

            let bad = try RawSocket.exchange(try RawSocket.unix(d.socket), method: "POST", path: "/v1/rotate", body: Array(#"{"credential": "litellm-master-key", "kind": "#.utf8))
            #expect(bad.status == 400, "\(bad)")
            let problem = try JSONDecoder().decode(AdminWire.Problem.self, from: Data(bad.body.utf8))
            #expect(problem.error == "the request body is not the JSON this endpoint takes")
            #expect(problem.code == .invalidInput)

            let wrongType = try RawSocket.exchange(try RawSocket.unix(d.socket), method: "POST", path: "/v1/rotate", body: Array(#"{"credential": 7, "kind": "rotate"}"#.utf8))
            #expect(wrongType.status == 400, "\(wrongType)")
            #expect(!wrongType.body.contains("CodingKeys") && !wrongType.body.contains("codingPath"), "\(wrongType.body)")

            let huge = try RawSocket.exchange(try RawSocket.unix(d.socket), method: "POST", path: "/v1/rotate", body: [UInt8](repeating: 0x20, count: 64 * 1024 + 1))
            #expect(huge.status == 413, "\(huge.status)")
            #expect(try JSONDecoder().decode(AdminWire.Problem.self, from: Data(huge.body.utf8)).error == "the request body is larger than 64 KiB")
            #expect(try f.runs().isEmpty, "nothing ran")
        }

        @Test func anIdleConnectionIsClosed() async throws {
            let f = try await DaemonFixture.start()
            defer { Task { await f.stop() } }
            let d = try await f.startDaemon(try f.config("daemon-idle", http: ", idleTimeout: 1s", admin: ", idleTimeout: 1s"))
            defer { Task { await d.process.stop() } }
            let port = try #require(URL(string: d.http)?.port)
            let health = try RawSocket.tcp(port: port)
            let admin = try RawSocket.unix(d.socket)
            // Nothing sent: each side closes after its idle timeout (1 s), well within the bound.
            #expect(health.readUntilClosed(timeout: .seconds(15)) == [], "the health listener closed the idle connection")
            #expect(admin.readUntilClosed(timeout: .seconds(15)) == [], "the admin socket closed the idle connection")
        }

        @Test func idleConnectionsToTheHealthPortCannotStarveTheAdminSocket() async throws {
            let f = try await DaemonFixture.start()
            defer { Task { await f.stop() } }
            // 128 descriptors in all: 240 idle connections exhaust them without the limit (the admin socket then answers nothing).
            let d = try await f.startDaemon(try f.config("daemon-flood", http: ", maxConnections: 16, idleTimeout: 60s"), shell: "ulimit -n 128")
            defer { Task { await d.process.stop() } }
            let port = try #require(URL(string: d.http)?.port)
            var idle: [RawSocket] = []
            for _ in 0..<240 { idle.append(try RawSocket.tcp(port: port)) }
            let status = try await withBoundedWait(.seconds(20)) { try await d.client.status(drift: false) }
            #expect(status.leadership.isLeader)
            #expect(status.credentials.map(\.credential) == ["litellm-master-key"])
            #expect(d.process.isRunning)
            #expect(!d.process.stderr.contains("Too many open files"), "\(d.process.stderr.suffix(2000))")
            idle.removeAll()
        }
    }
}

/// `body`, or a failure when it takes longer than `limit`.
func withBoundedWait<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask { try await Task.sleep(for: limit); return nil }
        guard let first = try await group.next(), let value = first else {
            group.cancelAll()
            throw RawSocketError("no answer within \(limit)")
        }
        group.cancelAll()
        return value
    }
}
