import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle
import Synchronization

/// KubeSim: a Kubernetes API emulator for tests, benchmarks and demos.
///
/// ```swift
/// var config = KubeSimConfiguration()
/// config.seedObjects = [secret, deployment]
/// let sim = try await KubeSim.start(config)
/// defer { Task { await sim.stop() } }
/// // sim.url, sim.kubeconfig, sim.faults, await sim.serviceURL(namespace:name:)
/// ```
public enum KubeSim {
    /// Starts the API server (and its Deployment controller) and returns once it accepts connections.
    public static func start(_ configuration: KubeSimConfiguration, logger: Logger = Logger(label: "kubesim")) async throws -> RunningKubeSim {
        let faults = FaultInjector()
        if let initial = configuration.faults { try faults.apply(initial) }
        let store = ObjectStore(historyLimit: configuration.watchHistoryLimit, faults: faults)
        for object in configuration.seedObjects { try seed(object, into: store) }

        let tls = configuration.useTLS ? try TLSMaterial() : nil
        let api = APIServer(configuration: configuration, store: store, faults: faults, logger: logger)
        let responder = KubeResponder(server: api, authenticator: Authenticator(tokens: configuration.tokens, useTLS: tls != nil))
        let serverBuilder: HTTPServerBuilder = try tls.map { try .tls(.http1(), tlsConfiguration: $0.serverConfiguration) } ?? .http1()
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            responder: responder, server: serverBuilder,
            configuration: .init(address: .hostname("127.0.0.1", port: configuration.port), serverName: "kubesim"),
            onServerRunning: { channel in portContinuation.yield(channel.localAddress?.port ?? 0) },
            logger: logger)
        let failure = Mutex<(any Error)?>(nil)
        var groupConfiguration = ServiceGroupConfiguration(services: [app], gracefulShutdownSignals: [], logger: logger)
        // Clients keep connections open (kubectl re-watches at once); do not wait for them long.
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(1)
        let serviceGroup = ServiceGroup(configuration: groupConfiguration)
        let appTask = Task {
            do { try await serviceGroup.run() } catch { failure.withLock { $0 = error } }
            portContinuation.finish()
        }
        var port: Int?
        for await p in ports {
            port = p
            break
        }
        guard let port else {
            throw KubeSimError.startFailed("the API server did not start: \(failure.withLock { $0 }.map { "\($0)" } ?? "unknown error")")
        }
        let url = URL(string: "\(tls == nil ? "http" : "https")://127.0.0.1:\(port)")!
        api.serverAddress = "127.0.0.1:\(port)"

        let temporaryLogs = configuration.podLogDirectory == nil
        let logDirectory = configuration.podLogDirectory
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("kubesim-pods-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: logDirectory, withIntermediateDirectories: true)
        logger.info("serving \(url.absoluteString); pod logs in \(logDirectory.path)")
        let controller = DeploymentController(
            store: store, faults: faults, configuration: configuration,
            podFactory: PodFactory(store: store, configuration: configuration, logDirectory: logDirectory, logger: logger),
            logger: logger)
        api.podSource.withLock { $0 = { namespace in await controller.podObjects(namespace: namespace) } }
        let controllerTask = Task { await controller.run() }

        let kubeconfig = try Kubeconfig(server: url.absoluteString, caPEM: tls?.ca.certificatePEM, credential: credential(configuration, tls: tls))
        if let out = configuration.kubeconfigOut { try kubeconfig.write(to: out) }
        return RunningKubeSim(
            url: url, store: store, faults: faults, kubeconfig: kubeconfig, caPEM: tls?.ca.certificatePEM,
            podLogDirectory: logDirectory, removesPodLogs: temporaryLogs, controller: controller, controllerTask: controllerTask, serviceGroup: serviceGroup, appTask: appTask)
    }

    /// Seeds one manifest; unknown kinds are refused so that a typo does not pass silently.
    static func seed(_ object: JSONValue, into store: ObjectStore) throws {
        let apiVersion = object["apiVersion"]?.stringValue ?? ""
        let kind = object["kind"]?.stringValue ?? ""
        guard let type = ResourceType.find(apiVersion: apiVersion, kind: kind), ResourceType.stored.contains(type) else {
            throw KubeSimError.invalidConfiguration("cannot seed \(apiVersion) \(kind): KubeSim stores Secrets, ConfigMaps, Events, Deployments and Leases")
        }
        let namespace = object.value(at: ["metadata", "namespace"])?.stringValue ?? "default"
        try store.create(type, namespace: namespace, object: object, context: WriteContext(manager: "kubesim-seed", fieldsSet: ManagedFields.fieldSet(of: object)))
    }

    private static func credential(_ configuration: KubeSimConfiguration, tls: TLSMaterial?) throws -> Kubeconfig.Credential {
        if let first = configuration.tokens?.entries.first { return .token(first.token) }
        guard let tls else { return .none }
        return .clientCertificate(certificatePEM: tls.admin.certificatePEM, keyPEM: tls.admin.privateKeyPEM)
    }
}

/// The CA, serving certificate and admin client certificate of one KubeSim run.
struct TLSMaterial {
    let ca: CertificateAuthority
    let server: CertificateAuthority.Issued
    let admin: CertificateAuthority.Issued

    init() throws {
        ca = try CertificateAuthority()
        server = try ca.issueServerCertificate()
        admin = try ca.issueClientCertificate(user: UserInfo.admin.name, groups: ["system:masters"])
    }

    var serverConfiguration: TLSConfiguration {
        get throws {
            var config = TLSConfiguration.makeServerConfiguration(
                certificateChain: try NIOSSLCertificate.fromPEMBytes(Array(server.certificatePEM.utf8)).map { .certificate($0) },
                privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(server.privateKeyPEM.utf8), format: .pem)))
            config.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(ca.certificatePEM.utf8)))
            // Client certificates are optional (tokens work too) but verified against the CA when sent.
            config.certificateVerification = .optionalVerification
            config.applicationProtocols = ["http/1.1"]
            return config
        }
    }
}
