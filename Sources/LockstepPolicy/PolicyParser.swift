import Foundation
import LockstepCore
import Yams

/// Turns one YAML document into a `RotationPolicy`, or into problems.
struct PolicyParser {
    let r: YAMLReader

    func parse(_ root: Node) -> RotationPolicy? {
        guard let doc = r.object(root, path: "the document", known: ["apiVersion", "kind", "metadata", "spec"]) else { return nil }
        if let v = doc.string("apiVersion", required: true, hint: "write apiVersion: lockstep/v1"), v != "lockstep/v1" {
            r.problem(doc.node("apiVersion"), "unsupported apiVersion \"\(v)\"", hint: "this Lockstep reads apiVersion: lockstep/v1")
        }
        if let k = doc.string("kind", required: true, hint: "write kind: RotationPolicy"), k != "RotationPolicy" {
            r.problem(doc.node("kind"), "unsupported kind \"\(k)\"", hint: suggestion(for: k, among: ["RotationPolicy"]).map { "did you mean \"\($0)\"?" } ?? "write kind: RotationPolicy")
        }
        let metadata = r.object(doc.required("metadata"), path: "metadata", known: ["name", "labels", "annotations"])
        let name = metadata?.string("name", required: true)
        guard let spec = r.object(doc.required("spec"), path: "spec",
                                  known: ["credential", "schedule", "maxAge", "strategy", "gateway", "targets", "rollouts", "checks", "keyRing", "blueGreen"]) else { return nil }

        let before = r.problems.count
        let (credential, kind, source) = parseCredential(spec, defaultName: name)
        let schedule = spec.node("schedule").flatMap { parseSchedule($0) }
        let maxAge = spec.node("maxAge").flatMap { duration($0, path: "spec.maxAge") }
        if let maxAge, case .every(let every)? = schedule?.trigger, maxAge < every {
            // Due only after `every`, overdue after `maxAge`: it would be overdue for good.
            r.problem(spec.node("maxAge"), "spec.maxAge (\(maxAge)) is shorter than spec.schedule.every (\(every)): the credential would be overdue before it is due",
                      hint: "make maxAge longer than every, with room for a maintenance window and a retry (e.g. every: 30d, maxAge: 35d)")
        }
        // A generic credential with no consumer lives only in the vault (an admin credential
        // Lockstep itself uses): its runs store and promote the new value, nothing is delivered.
        let vaultOnly = kind == .generic && ["targets", "rollouts", "gateway", "blueGreen", "keyRing"].allSatisfy { spec.node($0) == nil }
        if vaultOnly, let node = spec.node("strategy") {
            r.problem(node, "a credential only the vault holds (no targets) is not rolled out: spec.strategy has nothing to do",
                      hint: "leave spec.strategy out, or list the Secrets that hold it under spec.targets")
        }
        let strategy = parseStrategy(spec, kind: kind, source: source)
        // A server login is checked at its server; a gateway is optional (its readiness is checked when named).
        let serverLogin = kind.map { Self.serverSources[$0] != nil } ?? false
        let gateway = vaultOnly || (serverLogin && spec.node("gateway") == nil) ? nil : parseGateway(spec, kind: kind, strategy: strategy)
        let targets = vaultOnly ? [] : parseTargets(spec)
        let rollouts = parseRollouts(spec, targets: targets)
        let keyRing = parseKeyRing(spec, strategy: strategy, targets: targets, rollouts: rollouts)
        let blueGreen = parseBlueGreen(spec, strategy: strategy, targets: targets, rollouts: rollouts)
        let checks = r.object(spec.node("checks"), path: "spec.checks", known: ["newKeyAccepted", "oldKeyRefused"])
        let checkValues = RotationPolicy.Checks(newKeyAccepted: checks?.bool("newKeyAccepted", default: true) ?? true,
                                                oldKeyRefused: checks?.bool("oldKeyRefused", default: kind == .litellmMasterKey) ?? (kind == .litellmMasterKey))
        guard r.problems.count == before, let name, let credential, let kind, let source, let strategy else { return nil }
        return RotationPolicy(name: name, credential: credential, kind: kind, source: source, schedule: schedule, maxAge: maxAge,
                              strategy: strategy, gateway: gateway, targets: targets, rollouts: rollouts, checks: checkValues,
                              keyRing: keyRing, blueGreen: blueGreen)
    }

    /// `keyRing: {secret: {namespace, name, key}, propagationTimeout: 3m, podPort: 4000}`, required
    /// by (and only allowed with) the key-ring strategy, whose gateway is the last rollout and
    /// whose gateway Secret is the last target: everything before them is the backend side.
    private func parseKeyRing(_ spec: YAMLReader.Object, strategy: RotationPolicy.Strategy?, targets: [RotationPolicy.SecretTarget],
                              rollouts: [RotationPolicy.DeploymentRef]) -> RotationPolicy.KeyRing? {
        guard strategy == .keyRing else {
            if let node = spec.node("keyRing") { r.problem(node, "spec.keyRing is only read by the key-ring strategy", hint: "write strategy: key-ring, or remove keyRing") }
            return nil
        }
        let example = "keyRing: {secret: {namespace: litellm-system, name: litellm-keyring, key: keys}}"
        guard let k = r.object(spec.required("keyRing", hint: example), path: "spec.keyRing", known: ["secret", "propagationTimeout", "podPort"]),
              let s = r.object(k.required("secret", hint: example), path: "spec.keyRing.secret", known: ["namespace", "name", "key"]),
              let ns = s.string("namespace", required: true), let name = s.string("name", required: true) else { return nil }
        let key = s.string("key") ?? "keys"
        guard validNames(s, namespace: ns, name: name, key: key) else { return nil }
        let ring = RotationPolicy.SecretTarget(namespace: ns, name: name, key: key)
        if targets.contains(where: { $0.namespace == ns && $0.name == name }) {
            r.problem(k.node("secret"), "the ring Secret \(ns)/\(name) is also a target", hint: "the ring is a Secret of its own (litellm-keyring), empty between rotations")
        }
        if let gateway = rollouts.last {
            if gateway.namespace != ns {
                r.problem(k.node("secret"), "the ring Secret is in namespace \(ns), but the gateway (the last rollout, \(gateway)) runs in \(gateway.namespace)",
                          hint: "the gateway pods mount the ring, so it must be in their namespace; the gateway Deployment is the last rollout")
            }
            if let last = targets.last, last.namespace != gateway.namespace {
                r.problem(spec.node("targets"), "the key-ring strategy delivers the last target with the gateway, but \(last) is not in the gateway's namespace \(gateway.namespace)",
                          hint: "list the backend's Secret first and the gateway's master-key Secret last")
            }
        }
        if rollouts.count < 2 || targets.count < 2 {
            r.problem(spec.node("rollouts") ?? spec.node("targets"), "the key-ring strategy needs the backend and the gateway: at least two targets and two rollouts",
                      hint: "backend first, gateway last, in both lists")
        }
        let timeout = k.node("propagationTimeout").flatMap { duration($0, path: "spec.keyRing.propagationTimeout") } ?? PolicyDuration(seconds: 180)
        return RotationPolicy.KeyRing(secret: ring, propagationTimeout: timeout, podPort: k.int("podPort", in: 1...65535))
    }

    private func parseCredential(_ spec: YAMLReader.Object, defaultName: String?) -> (CredentialName?, RotationPolicy.CredentialKind?, RotationPolicy.Source?) {
        guard let c = r.object(spec.required("credential"), path: "spec.credential", known: ["name", "kind", "generate", "manual", "azure", "anthropic", "openai", "google", "postgres", "redis"]) else { return (nil, nil, nil) }
        var credential: CredentialName?
        if let text = c.string("name") ?? defaultName {
            do { credential = try CredentialName(text) } catch {
                r.problem(c.node("name") ?? c.node, "\(error)", hint: "use lowercase letters, digits and '-', e.g. litellm-master-key")
            }
        }
        var kind: RotationPolicy.CredentialKind?
        if let k = c.string("kind", required: true, hint: "one of: \(RotationPolicy.CredentialKind.allCases.map(\.rawValue).joined(separator: ", "))") {
            kind = RotationPolicy.CredentialKind(rawValue: k)
            if kind == nil {
                r.problem(c.node("kind"), "unknown credential kind \"\(k)\"", hint: suggestion(for: k, among: RotationPolicy.CredentialKind.allCases.map(\.rawValue)).map { "did you mean \"\($0)\"?" })
            }
        }
        var source: RotationPolicy.Source?
        let given = ["generate", "manual", "azure", "anthropic", "openai", "google", "postgres", "redis"].filter { c.node($0) != nil }
        if given.isEmpty {
            r.problem(c.node, "spec.credential needs a source: generate, manual, azure, anthropic, openai, google, postgres or redis",
                      hint: "generate: {prefix: \"sk-\", randomBytes: 32} for the master key; azure: {...} for an Azure OpenAI key; openai: {...} for an OpenAI project key; google: {...} for a Gemini API key; manual: {} for provider keys only a person can mint")
        } else if given.count > 1 {
            r.problem(c.node(given[1]) ?? c.node, "spec.credential has more than one source (\(given.joined(separator: ", ")))", hint: "keep exactly one source")
        } else if let g = c.node("generate") {
            if let gen = r.object(g, path: "spec.credential.generate", known: ["prefix", "randomBytes"]) {
                let prefix = gen.node("prefix") == nil ? "" : (gen.string("prefix") ?? "")
                source = .generate(prefix: prefix, randomBytes: gen.int("randomBytes", in: 16...128) ?? 32)
                if kind == .providerKey { r.problem(g, "a provider key cannot be generated by Lockstep", hint: "only the provider can mint it: use manual: {}, or azure: {...} for an Azure OpenAI account") }
            }
        } else if let az = c.node("azure") {
            source = parseAzure(az).map { RotationPolicy.Source.azure($0) }
            if let kind, kind != .providerKey {
                r.problem(az, "an azure source mints provider keys: the credential's kind must be provider-key", hint: "kind: provider-key")
            }
        } else if let op = c.node("openai") {
            source = parseOpenAI(op).map { RotationPolicy.Source.openai($0) }
            if let kind, kind != .providerKey {
                r.problem(op, "an openai source mints provider keys: the credential's kind must be provider-key", hint: "kind: provider-key")
            }
        } else if let go = c.node("google") {
            source = parseGoogle(go).map { RotationPolicy.Source.google($0) }
            if let kind, kind != .providerKey {
                r.problem(go, "a google source mints provider keys: the credential's kind must be provider-key", hint: "kind: provider-key")
            }
        } else if let an = c.node("anthropic") {
            source = parseAnthropic(an).map { RotationPolicy.Source.anthropic($0) }
            if let kind, kind != .providerKey {
                r.problem(an, "an anthropic source retires provider keys: the credential's kind must be provider-key", hint: "kind: provider-key")
            }
        } else if let pg = c.node("postgres") {
            source = parsePostgres(pg).map { RotationPolicy.Source.postgres($0) }
            if let kind, kind != .postgresPassword {
                r.problem(pg, "a postgres source rotates a PostgreSQL login: the credential's kind must be postgres-password", hint: "kind: postgres-password")
            }
        } else if let rd = c.node("redis") {
            source = parseRedis(rd).map { RotationPolicy.Source.redis($0) }
            if let kind, kind != .redisPassword {
                r.problem(rd, "a redis source rotates a Redis ACL password: the credential's kind must be redis-password", hint: "kind: redis-password")
            }
        } else if let m = c.node("manual") {
            if m.mapping == nil, m.scalar?.string != "" {
                _ = r.object(m, path: "spec.credential.manual", known: [])
            }
            source = .manual
        }
        if let kind, let name = Self.serverSources[kind], !given.isEmpty, given.first != name {
            r.problem(c.node(given[0]) ?? c.node, "a \(kind.rawValue) credential is rotated at its server: its source must be \(name): {...}", hint: "spec.credential.\(name): {host: …, …} (docs/servers.md)")
        }
        return (credential, kind, source)
    }

    /// The kinds whose value is a server login, and the source each must have.
    static let serverSources: [RotationPolicy.CredentialKind: String] = [.postgresPassword: "postgres", .redisPassword: "redis"]

    private func parseStrategy(_ spec: YAMLReader.Object, kind: RotationPolicy.CredentialKind?, source: RotationPolicy.Source?) -> RotationPolicy.Strategy? {
        let fallback: RotationPolicy.Strategy = kind == .litellmMasterKey ? .restartTogether : .rolling
        guard let text = spec.string("strategy") else { return fallback }
        guard let strategy = RotationPolicy.Strategy(rawValue: text) else {
            r.problem(spec.node("strategy"), "unknown strategy \"\(text)\"",
                      hint: suggestion(for: text, among: RotationPolicy.Strategy.allCases.map(\.rawValue)).map { "did you mean \"\($0)\"?" } ?? "one of: key-ring, blue-green, bridge, restart-together, rolling")
            return nil
        }
        if kind == .litellmMasterKey, strategy == .rolling {
            r.problem(spec.node("strategy"), "the master key cannot use the rolling strategy: each gateway pod accepts exactly one master key", hint: "use key-ring (Lockstep's auth module on the gateway), blue-green (two gateway Deployments), bridge (LiteLLM with a database) or restart-together")
        }
        if kind == .providerKey, strategy != .rolling {
            r.problem(spec.node("strategy"), "a provider key rotates with the rolling strategy", hint: "write strategy: rolling, or leave it out")
        }
        if let kind, Self.serverSources[kind] != nil, strategy != .rolling {
            r.problem(spec.node("strategy"), "a \(kind.rawValue) credential rotates with the rolling strategy (the server accepts the old and the new login at once)",
                      hint: "write strategy: rolling, or leave it out")
        }
        if strategy == .bridge, case .generate(let prefix, let bytes)? = source, !prefix.hasPrefix("sk-") || prefix.count + (bytes * 4 + 2) / 3 < 16 {
            r.problem(spec.node("strategy"), "the bridge strategy registers the new key as a LiteLLM virtual key, which must start with \"sk-\" and have at least 16 characters",
                      hint: "generate: {prefix: \"sk-\", randomBytes: 32}")
        }
        // The ring module takes only keys of 16–512 printable characters (LiteLLM's minimum for a custom key).
        if strategy == .keyRing, case .generate(let prefix, let bytes)? = source, prefix.count + (bytes * 4 + 2) / 3 < 16 {
            r.problem(spec.node("strategy"), "the key-ring module accepts ring keys of at least 16 characters", hint: "generate: {prefix: \"sk-\", randomBytes: 32}")
        }
        return strategy
    }

    private func parseGateway(_ spec: YAMLReader.Object, kind: RotationPolicy.CredentialKind?, strategy: RotationPolicy.Strategy?) -> RotationPolicy.Gateway? {
        // Blue-green checks the colours' pods; a URL of the gateway is optional there.
        if strategy == .blueGreen, spec.node("gateway") == nil { return nil }
        guard let g = r.object(spec.required("gateway", hint: "gateway: {url: http://litellm.litellm-system.svc.cluster.local:4000}"), path: "spec.gateway", known: ["url", "models"]) else { return nil }
        let url = g.string("url", required: true)
        if let url, URL(string: url)?.scheme.map({ ["http", "https"].contains($0) }) != true || URL(string: url)?.host == nil {
            r.problem(g.node("url"), "spec.gateway.url \"\(url)\" is not an http(s) URL", hint: "e.g. http://litellm.litellm-system.svc.cluster.local:4000")
        }
        let models = (g.sequence("models") ?? []).compactMap { node -> String? in
            guard let s = node.scalar?.string, !s.isEmpty else { r.problem(node, "spec.gateway.models entries must be model names"); return nil }
            return s
        }
        if kind == .providerKey, models.isEmpty {
            r.problem(g.node, "a provider key needs spec.gateway.models: the models whose health proves the new key works", hint: "list the model_name entries of LiteLLM's model_list that use this key")
        }
        return url.map { RotationPolicy.Gateway(url: $0, models: models) }
    }

    private func parseTargets(_ spec: YAMLReader.Object) -> [RotationPolicy.SecretTarget] {
        guard let list = spec.sequence("targets") ?? { _ = spec.required("targets"); return nil }() else { return [] }
        if list.isEmpty { r.problem(spec.node("targets"), "spec.targets is empty", hint: "list every Secret key that holds this credential") }
        var seen: [RotationPolicy.SecretTarget: Node] = [:]
        var out: [RotationPolicy.SecretTarget] = []
        for item in list {
            guard let t = r.object(item, path: "spec.targets[]", known: ["secret"]),
                  let s = r.object(t.required("secret"), path: "spec.targets[].secret", known: ["namespace", "name", "key"]),
                  let ns = s.string("namespace", required: true), let name = s.string("name", required: true), let key = s.string("key", required: true)
            else { continue }
            guard validNames(s, namespace: ns, name: name, key: key) else { continue }
            let target = RotationPolicy.SecretTarget(namespace: ns, name: name, key: key)
            if let first = seen[target] {
                r.problem(item, "target \(target) is listed twice (first at line \(first.mark?.line ?? 0))", hint: "remove the duplicate")
                continue
            }
            seen[target] = item
            out.append(target)
        }
        return out
    }

    private func parseRollouts(_ spec: YAMLReader.Object, targets: [RotationPolicy.SecretTarget]) -> [RotationPolicy.DeploymentRef] {
        var seen = Set<RotationPolicy.DeploymentRef>()
        var out: [RotationPolicy.DeploymentRef] = []
        for item in spec.sequence("rollouts") ?? [] {
            guard let d = r.object(item, path: "spec.rollouts[]", known: ["deployment"]),
                  let dep = r.object(d.required("deployment"), path: "spec.rollouts[].deployment", known: ["namespace", "name"]),
                  let ns = dep.string("namespace", required: true), let name = dep.string("name", required: true) else { continue }
            guard validNames(dep, namespace: ns, name: name, key: nil) else { continue }
            let ref = RotationPolicy.DeploymentRef(namespace: ns, name: name)
            if !seen.insert(ref).inserted {
                r.problem(item, "rollout \(ref) is listed twice", hint: "remove the duplicate")
                continue
            }
            // A pod can only read Secrets of its own namespace.
            if !targets.isEmpty, !targets.contains(where: { $0.namespace == ns }) {
                r.problem(item, "rollout \(ref) reads none of the targets: no target Secret is in namespace \(ns)",
                          hint: "a pod reads Secrets of its own namespace only; add the Secret it reads to spec.targets, or fix the namespace")
            }
            out.append(ref)
        }
        return out
    }

    func validNames(_ o: YAMLReader.Object, namespace: String, name: String, key: String?) -> Bool {
        var ok = true
        if !Self.isDNSLabel(namespace) {
            r.problem(o.node("namespace"), "namespace \"\(namespace)\" is not a valid Kubernetes namespace", hint: "lowercase letters, digits and '-', at most 63 characters")
            ok = false
        }
        if !Self.isDNSSubdomain(name) {
            r.problem(o.node("name"), "name \"\(name)\" is not a valid Kubernetes object name", hint: "lowercase letters, digits, '-' and '.', at most 253 characters")
            ok = false
        }
        if let key, !Self.isSecretKey(key) {
            r.problem(o.node("key"), "key \"\(key)\" is not a valid Secret data key", hint: "letters, digits, '-', '_' and '.'")
            ok = false
        }
        return ok
    }

    static func isDNSLabel(_ s: String) -> Bool {
        let b = Array(s.utf8)
        guard (1...63).contains(b.count), let f = b.first, let l = b.last else { return false }
        func alnum(_ c: UInt8) -> Bool { (c >= 97 && c <= 122) || (c >= 48 && c <= 57) }
        return alnum(f) && alnum(l) && b.allSatisfy { alnum($0) || $0 == 45 }
    }

    static func isDNSSubdomain(_ s: String) -> Bool {
        s.utf8.count <= 253 && s.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { isDNSLabel(String($0)) }
    }

    func duration(_ node: Node, path: String) -> PolicyDuration? {
        guard let text = node.scalar?.string, let d = PolicyDuration(text) else {
            r.problem(node, "\(path) \"\(node.scalar?.string ?? "")\" is not a duration", hint: "write a number and a unit: 30d, 12h, 90m, 1h30m (units w, d, h, m, s)")
            return nil
        }
        return d
    }
}
