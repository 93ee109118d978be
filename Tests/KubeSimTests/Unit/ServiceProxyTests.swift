import Logging
import NIOCore
import NIOPosix
import Testing
@testable import KubeSim

/// The Service listener outlives its accept loop: as in a cluster, a Service's port does not
/// start refusing connections while the Service exists.
@Suite("Service listener: keeps its port through a lost accept loop; stops when told")
struct ServiceProxyTests {
    /// Whether a TCP connection to 127.0.0.1:`port` is accepted (a refused one throws).
    static func connects(_ port: Int) async -> Bool {
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connectTimeout(.seconds(2))
                .connect(host: "127.0.0.1", port: port).get()
            try? await channel.close()
            return true
        } catch {
            return false
        }
    }

    @Test("the accept loop ends under it: the same port listens again, and the loss is counted")
    func listensAgainAfterTheLoopEnds() async throws {
        let proxy = try await ServiceProxy.start(port: 0, logger: Logger(label: "test"))
        #expect(await Self.connects(proxy.port))
        // The listener closes once it has taken the connection (one still in its accept queue
        // when it closes would be dropped, which NIO traps on: see ServiceProxy.serve).
        #expect(await Fixtures.eventually(timeout: .seconds(10)) { proxy.acceptedCount == 1 })
        await proxy.dropListener()
        // Waits for the listener to be back (bounded), not for a while.
        let back = await Fixtures.eventually(timeout: .seconds(10)) { proxy.rebindCount == 1 }
        #expect(back, "the listener was bound again")
        #expect(await Self.connects(proxy.port), "the Service port accepts again")
        #expect(await Fixtures.eventually(timeout: .seconds(10)) { proxy.acceptedCount == 2 })
        await proxy.stop()
        #expect(await Self.connects(proxy.port) == false, "a stopped Service's port refuses")
        #expect(proxy.rebindCount == 1, "stop() is not a loss")
    }
}
