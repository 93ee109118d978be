import Foundation

extension KubernetesConfiguration {
    /// The configuration of a kubeconfig context.
    ///
    /// Files: `paths` if given, else `KUBECONFIG` (a colon-separated list), else `~/.kube/config`.
    /// With several files, entries merge as in client-go: the first file that defines a name (or a
    /// current-context) wins. Relative file paths in a file resolve against that file's directory.
    /// - Parameter context: the context to use (kubectl `--context`); the current-context otherwise.
    public static func kubeconfig(environment: [String: String] = ProcessInfo.processInfo.environment,
                                  paths: [String]? = nil, context: String? = nil) throws -> KubernetesConfiguration {
        let files = try paths ?? defaultKubeconfigPaths(environment)
        let merged = try MergedKubeconfig(files: files)
        guard let contextName = context ?? merged.currentContext, !contextName.isEmpty else {
            throw KubernetesError.configuration("kubeconfig \(files.joined(separator: ":")) has no current-context; pass a context")
        }
        guard let ctx = merged.contexts[contextName] else {
            throw KubernetesError.configuration("context \"\(contextName)\" is not in kubeconfig \(files.joined(separator: ":"))")
        }
        guard let (cluster, clusterDir) = merged.clusters[ctx.value.cluster].map({ ($0.0, $0.1) }) else {
            throw KubernetesError.configuration("context \"\(contextName)\" names cluster \"\(ctx.value.cluster)\", which is not defined")
        }
        guard let serverText = cluster.server, let server = URL(string: serverText), server.host != nil else {
            throw KubernetesError.configuration("cluster \"\(ctx.value.cluster)\" has no usable server URL")
        }
        var authentication = Authentication.none
        if let userName = ctx.value.user, !userName.isEmpty {
            guard let (user, userDir) = merged.users[userName].map({ ($0.0, $0.1) }) else {
                throw KubernetesError.configuration("context \"\(contextName)\" names user \"\(userName)\", which is not defined")
            }
            authentication = try Self.authentication(user, name: userName, directory: userDir)
        }
        var configuration = KubernetesConfiguration(
            server: server, certificateAuthorityPEM: try certificateAuthority(cluster, name: ctx.value.cluster, directory: clusterDir),
            authentication: authentication, namespace: ctx.value.namespace ?? "default",
            source: "kubeconfig \(ctx.file) (context \(contextName))")
        configuration.insecureSkipTLSVerify = cluster.insecureSkipTLSVerify ?? false
        configuration.tlsServerName = cluster.tlsServerName
        return configuration
    }

    static func defaultKubeconfigPaths(_ environment: [String: String]) throws -> [String] {
        if let list = environment["KUBECONFIG"], !list.isEmpty {
            let paths = list.split(separator: ":").map(String.init).filter { !$0.isEmpty }
            // As kubectl: files in the list that do not exist are skipped.
            let existing = paths.filter { FileManager.default.fileExists(atPath: $0) }
            if existing.isEmpty { throw KubernetesError.configuration("none of the KUBECONFIG files exist: \(list)") }
            return existing
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return [home + "/.kube/config"]
    }

    private static func certificateAuthority(_ cluster: KubeconfigFile.Cluster, name: String, directory: String) throws -> [UInt8]? {
        if let data = cluster.certificateAuthorityData {
            guard let decoded = Data(base64Encoded: data, options: .ignoreUnknownCharacters) else {
                throw KubernetesError.configuration("cluster \"\(name)\": certificate-authority-data is not base64")
            }
            return Array(decoded)
        }
        if let file = cluster.certificateAuthority {
            return try Array(readFile(resolve(file, in: directory), what: "certificate-authority of cluster \"\(name)\""))
        }
        return nil
    }

    private static func authentication(_ user: KubeconfigFile.User, name: String, directory: String) throws -> Authentication {
        var result = Authentication()
        if let token = user.token, !token.isEmpty {
            result.bearer = .token(token)
        } else if let file = user.tokenFile, !file.isEmpty {
            result.bearer = .tokenFile(resolve(file, in: directory))
        } else if let exec = user.exec {
            var env: [String: Credential] = [:]
            for variable in exec.env ?? [] { env[variable.name] = variable.value }
            // client-go resolves a command with a slash against the kubeconfig's directory; bare names go through PATH.
            let command = exec.command.contains("/") ? resolve(exec.command, in: directory) : exec.command
            result.bearer = .exec(ExecPluginConfiguration(
                apiVersion: exec.apiVersion ?? "client.authentication.k8s.io/v1", command: command,
                arguments: exec.args ?? [], environment: env, workingDirectory: directory))
        }
        let certificate = try user.clientCertificateData.map { try decodeBase64($0, what: "client-certificate-data of user \"\(name)\"") }
            ?? user.clientCertificate.map { Credential(bytes: Array(try readFile(resolve($0, in: directory), what: "client-certificate of user \"\(name)\""))) }
        let key = try user.clientKeyData.map { try decodeBase64($0, what: "client-key-data of user \"\(name)\"") }
            ?? user.clientKey.map { Credential(bytes: Array(try readFile(resolve($0, in: directory), what: "client-key of user \"\(name)\""))) }
        switch (certificate, key) {
        case let (cert?, key?): result.clientCertificate = .init(certificatePEM: cert, keyPEM: key)
        case (nil, nil): break
        default: throw KubernetesError.configuration("user \"\(name)\" has a client certificate without a key, or a key without a certificate")
        }
        return result
    }

    private static func decodeBase64(_ value: Credential, what: String) throws -> Credential {
        guard let data = Data(base64Encoded: value.text, options: .ignoreUnknownCharacters) else {
            throw KubernetesError.configuration("\(what) is not base64")
        }
        return Credential(bytes: Array(data))
    }

    static func resolve(_ path: String, in directory: String) -> String {
        if path.hasPrefix("/") { return path }
        if path.hasPrefix("~/") { return NSHomeDirectory() + path.dropFirst() }
        return directory + "/" + path
    }

    static func readFile(_ path: String, what: String) throws -> Data {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KubernetesError.configuration("\(what): cannot read \(path)")
        }
        return data
    }
}

/// Several kubeconfig files merged: the first definition of each name wins, as in client-go.
struct MergedKubeconfig {
    var clusters: [String: (KubeconfigFile.Cluster, String)] = [:]
    var users: [String: (KubeconfigFile.User, String)] = [:]
    var contexts: [String: (value: KubeconfigFile.Context, file: String)] = [:]
    var currentContext: String?

    init(files: [String]) throws {
        for path in files {
            let data = try KubernetesConfiguration.readFile(path, what: "kubeconfig")
            let file = try KubeconfigFile.parse(String(decoding: data, as: UTF8.self), path: path)
            let directory = (path as NSString).deletingLastPathComponent
            if currentContext?.isEmpty ?? true { currentContext = file.currentContext }
            for entry in file.clusters ?? [] where clusters[entry.name] == nil {
                if let value = entry.value { clusters[entry.name] = (value, directory) }
            }
            for entry in file.users ?? [] where users[entry.name] == nil {
                users[entry.name] = (entry.value ?? KubeconfigFile.User(), directory)
            }
            for entry in file.contexts ?? [] where contexts[entry.name] == nil {
                if let value = entry.value { contexts[entry.name] = (value, path) }
            }
        }
    }
}
