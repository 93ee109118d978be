import Foundation
import Testing
@testable import LockstepKubernetes

@Suite("Configuration from kubeconfig files and the cluster")
struct ConfigurationTests {
    static let first = """
        apiVersion: v1
        kind: Config
        clusters:
        - name: prod
          cluster:
            server: https://10.0.0.1:6443
            certificate-authority: certs/ca.pem
            tls-server-name: kubernetes.default.svc
        users:
        - name: alice
          user:
            tokenFile: tokens/alice
        contexts:
        - name: prod
          context: {cluster: prod, user: alice, namespace: gateway}
        current-context: prod
        """
    static let second = """
        apiVersion: v1
        kind: Config
        clusters:
        - name: prod
          cluster: {server: https://shadowed.example:6443}
        - name: lab
          cluster:
            server: https://127.0.0.1:8443
            insecure-skip-tls-verify: true
        users:
        - name: bob
          user:
            token: tok-bob-s3cr3t
        - name: carol
          user:
            client-certificate-data: \(K8sFixtures.base64("CERT-PEM"))
            client-key-data: \(K8sFixtures.base64("KEY-PEM-s3cr3t"))
        contexts:
        - name: lab
          context: {cluster: lab, user: bob}
        - name: lab-cert
          context: {cluster: lab, user: carol}
        current-context: lab
        """

    @Test("KUBECONFIG lists merge, first definition wins; current-context or an explicit context; relative paths")
    func merge() throws {
        let dir = try makeTempDirectory()
        defer { removeDirectory(dir) }
        let a = try K8sFixtures.writeFile(Self.first, named: "a.yaml", in: dir)
        let b = try K8sFixtures.writeFile(Self.second, named: "b.yaml", in: dir)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("certs"), withIntermediateDirectories: true)
        _ = try K8sFixtures.writeFile("CA-PEM", named: "certs/ca.pem", in: dir)
        let env = ["KUBECONFIG": "\(a):/nonexistent/file:\(b)"]

        let prod = try KubernetesConfiguration.kubeconfig(environment: env)
        #expect(prod.server.absoluteString == "https://10.0.0.1:6443")
        #expect(prod.certificateAuthorityPEM == Array("CA-PEM".utf8))
        #expect(prod.tlsServerName == "kubernetes.default.svc")
        #expect(prod.namespace == "gateway")
        guard case .tokenFile(let path)? = prod.authentication.bearer else { Issue.record("expected a token file"); return }
        #expect(path == dir.path + "/tokens/alice")

        let lab = try KubernetesConfiguration.kubeconfig(environment: env, context: "lab")
        #expect(lab.server.absoluteString == "https://127.0.0.1:8443")
        #expect(lab.insecureSkipTLSVerify)
        #expect(lab.namespace == "default")
        guard case .token(let token)? = lab.authentication.bearer else { Issue.record("expected a token"); return }
        #expect(token.text == "tok-bob-s3cr3t")

        let cert = try KubernetesConfiguration.kubeconfig(environment: env, context: "lab-cert")
        #expect(cert.authentication.clientCertificate?.keyPEM.text == "KEY-PEM-s3cr3t")

        for configuration in [prod, lab, cert] {
            var dumped = ""
            dump(configuration, to: &dumped)
            for text in ["\(configuration)", String(reflecting: configuration), dumped] {
                #expect(!text.contains("tok-bob-s3cr3t") && !text.contains("KEY-PEM-s3cr3t"), "\(text)")
            }
        }
        // load(context:) with an explicit context uses the kubeconfig even in a cluster.
        #expect(try KubernetesConfiguration.load(context: "lab", environment: env.merging(["KUBERNETES_SERVICE_HOST": "10.0.0.1"]) { $1 }).source.contains("context lab"))
    }

    @Test("errors name files and contexts, never the credentials in them")
    func errors() throws {
        let dir = try makeTempDirectory()
        defer { removeDirectory(dir) }
        let b = try K8sFixtures.writeFile(Self.second, named: "b.yaml", in: dir)
        let missing = #expect(throws: KubernetesError.self) { try KubernetesConfiguration.kubeconfig(paths: [b], context: "nope") }
        #expect(missing?.message == "context \"nope\" is not in kubeconfig \(b)")

        let broken = try K8sFixtures.writeFile("users:\n- name: x\n  user:\n    token: tok-broken-s3cr3t\n   bad: [indent\n", named: "broken.yaml", in: dir)
        let parse = #expect(throws: KubernetesError.self) { try KubernetesConfiguration.kubeconfig(paths: [broken]) }
        #expect(parse?.code == .configuration)
        #expect(!"\(String(describing: parse))".contains("tok-broken-s3cr3t"))

        let shape = try K8sFixtures.writeFile("users:\n- name: x\n  user:\n    token: [tok-shape-s3cr3t]\n", named: "shape.yaml", in: dir)
        let shapeError = #expect(throws: KubernetesError.self) { try KubernetesConfiguration.kubeconfig(paths: [shape]) }
        #expect(!"\(String(describing: shapeError))".contains("tok-shape-s3cr3t"))

        let noCluster = #expect(throws: KubernetesError.self) { try KubernetesConfiguration.inCluster(environment: [:]) }
        #expect(noCluster?.message.contains("KUBERNETES_SERVICE_HOST") == true)
        let noToken = #expect(throws: KubernetesError.self) {
            try KubernetesConfiguration.inCluster(environment: ["KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "443"],
                                                  paths: InClusterPaths(directory: dir.path))
        }
        #expect(noToken?.message.contains("token") == true)
    }

    @Test("in cluster with an IPv6 service address; credential types print <redacted>")
    func inClusterIPv6AndRedaction() throws {
        let dir = try makeTempDirectory()
        defer { removeDirectory(dir) }
        _ = try K8sFixtures.writeFile("tok", named: "token", in: dir)
        _ = try K8sFixtures.writeFile("CA", named: "ca.crt", in: dir)
        let configuration = try KubernetesConfiguration.inCluster(
            environment: ["KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "443"], paths: InClusterPaths(directory: dir.path))
        #expect(configuration.server.absoluteString == "https://[fd00::1]:443")
        #expect(configuration.namespace == "default")
        let credential = Credential("hunter2-token")
        #expect("\(credential)" == "<redacted>")
        #expect(String(reflecting: credential) == "<redacted>")
        var dumped = ""
        dump(credential, to: &dumped)
        #expect(!dumped.contains("hunter2"))
        let plugin = ExecPluginConfiguration(command: "aws", arguments: ["--secret", "hunter2"], environment: ["TOKEN": credential])
        #expect(!"\(Authentication(bearer: .exec(plugin)))".contains("hunter2"))
    }

    @Test("MicroTime formats six fractional digits and parses RFC 3339 variants")
    func microTime() {
        let date = Date(timeIntervalSince1970: 1_800_000_000.5)
        #expect(MicroTime.format(date) == "2027-01-15T08:00:00.500000Z")
        #expect(MicroTime.formatSeconds(date) == "2027-01-15T08:00:00Z")
        #expect(MicroTime.parse("2027-01-15T08:00:00.500000Z") == date)
        #expect(MicroTime.parse("2027-01-15T09:00:00+01:00") == Date(timeIntervalSince1970: 1_800_000_000))
        #expect(MicroTime.parse("not a time") == nil)
    }
}
