import AsyncHTTPClient
import Foundation
import Hummingbird
import LockstepBench
import LockstepCore
import LockstepCrypto
import LockstepProviders
import LockstepTesting
import Logging

/// One fake Azure account in process on 127.0.0.1: Entra ID's token endpoint, Resource Manager's
/// key operations, and the data plane that accepts the account's two keys (``FakeAzure``).
final class AzureBench: Sendable {
    static let resourcePath = "/subscriptions/sub-1/resourceGroups/rg-ai/providers/Microsoft.CognitiveServices/accounts/oai-prod"
    static let keyOne = "0123456789abcdef0123456789abcdef"
    static let keyTwo = "fedcba9876543210fedcba9876543210"
    static let adminSecret = "admin~Secret.With-Form&Chars=1"
    static let readerSecret = "reader-secret-000000000000001"

    let dir: URL
    let fake: FakeAzure
    let keys: KeyRing
    let server: BenchServer
    var url: String { "http://127.0.0.1:\(server.port)" }

    private init(dir: URL, fake: FakeAzure, keys: KeyRing, server: BenchServer) {
        self.dir = dir
        self.fake = fake
        self.keys = keys
        self.server = server
    }

    static func start() async throws -> AzureBench {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("azure-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let keysFile = dir.appendingPathComponent("azure-keys").path
        try "\(keyOne)\n\(keyTwo)\n".write(toFile: keysFile, atomically: true, encoding: .utf8)
        let fake = try FakeAzure(resourcePath: resourcePath, keysFile: keysFile, clients: [
            .init(id: "app-admin", secret: adminSecret, managesKeys: true),
            .init(id: "app-reader", secret: readerSecret, managesKeys: false),
        ])
        let keys = KeyRing(file: keysFile)
        let router = FakeProvider(keys: keys).router()
        fake.register(on: router)
        var logger = Logger(label: "fake-azure")
        logger.logLevel = .error
        let server = try await BenchServer.start(router, port: 0, name: "fake-azure", logger: logger)
        return AzureBench(dir: dir, fake: fake, keys: keys, server: server)
    }

    func account(client: String = "app-admin", path: String = AzureBench.resourcePath) throws -> AzureAccount {
        let parts = path.split(separator: "/").map(String.init) // subscriptions S resourceGroups G providers P accounts A
        return AzureAccount(subscription: parts[1], resourceGroup: parts[3], account: parts[7], tenant: "tenant-1", clientID: client,
                            clientSecret: try CredentialName("azure-admin"), managementURL: url, loginURL: url)
    }

    /// A client on a virtual clock: retries' pauses cost no real time and can be summed.
    func client(secret: String = AzureBench.adminSecret, client: String = "app-admin", path: String = AzureBench.resourcePath,
                clock: VirtualClock = VirtualClock()) throws -> AzureKeysClient {
        AzureKeysClient(account: try account(client: client, path: path), clientSecret: try SecretBytes(utf8: secret),
                        retry: RetryPolicy(attempts: 5, initialDelay: .seconds(1), maxDelay: .seconds(30), clock: clock), timeout: .seconds(5))
    }

    /// The account's keys as the fake holds them now.
    func storedKeys() throws -> [String] {
        KeyRing.parseFile(try String(contentsOfFile: dir.appendingPathComponent("azure-keys").path, encoding: .utf8))
    }

    /// Forces the next `count` Resource Manager answers.
    func inject(status: Int, count: Int, retryAfter: Int?) async throws {
        try await injectFault(url + "/fake/azure/faults", status: status, count: count, retryAfter: retryAfter)
    }

    /// Runs `body` on a fresh bench and stops it, also when `body` throws.
    static func with(_ body: (AzureBench) async throws -> Void) async throws {
        let bench = try await start()
        do { try await body(bench) } catch {
            await bench.stop()
            throw error
        }
        await bench.stop()
    }

    func stop() async {
        await server.stop()
        try? FileManager.default.removeItem(at: dir)
    }
}

func bytes(_ s: String) throws -> SecretBytes { try SecretBytes(utf8: s) }

/// Forces the next `count` answers of a fake admin API (its faults route `url`, ``FaultQueue``).
func injectFault(_ url: String, status: Int, count: Int, retryAfter: Int?) async throws {
    var request = HTTPClientRequest(url: url)
    request.method = .POST
    let after = retryAfter.map { #","retryAfter":\#($0)"# } ?? ""
    request.body = .bytes(ByteBuffer(string: #"{"status":\#(status),"count":\#(count)\#(after)}"#))
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
    guard response.status == .ok else { throw BenchError("fault injection refused: \(response.status)") }
}
