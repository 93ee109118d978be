import Foundation
import LockstepCore
import Yams

extension PolicyParser {
    /// `blueGreen: {endpointKey, podPort, colours: [{name, deployment, secret, url}, {...}]}`,
    /// required by (and only allowed with) the blue-green strategy. The targets and rollouts are
    /// the backend's; the colours hold the gateway's Deployments and master-key Secrets.
    func parseBlueGreen(_ spec: YAMLReader.Object, strategy: RotationPolicy.Strategy?, targets: [RotationPolicy.SecretTarget],
                        rollouts: [RotationPolicy.DeploymentRef]) -> RotationPolicy.BlueGreen? {
        guard strategy == .blueGreen else {
            if let node = spec.node("blueGreen") { r.problem(node, "spec.blueGreen is only read by the blue-green strategy", hint: "write strategy: blue-green, or remove blueGreen") }
            return nil
        }
        let example = "blueGreen: {endpointKey: LITELLM_BASE_URL, colours: [{name: blue, deployment: {namespace, name}, secret: {namespace, name, key}, url}, {name: green, ...}]}"
        guard let b = r.object(spec.required("blueGreen", hint: example), path: "spec.blueGreen", known: ["endpointKey", "podPort", "colours"]) else { return nil }
        let endpointKey = b.string("endpointKey") ?? "LITELLM_BASE_URL"
        if !Self.isSecretKey(endpointKey) {
            r.problem(b.node("endpointKey"), "endpointKey \"\(endpointKey)\" is not a valid Secret data key", hint: "letters, digits, '-', '_' and '.'")
        }
        if let clash = targets.first(where: { $0.key == endpointKey }) {
            r.problem(b.node("endpointKey"), "endpointKey \(endpointKey) is the key the credential itself is in (\(clash))",
                      hint: "the backend's Secret holds the key (the target) and, beside it, the gateway URL (endpointKey)")
        }
        let colours = (b.sequence("colours") ?? []).compactMap { parseColour($0, targets: targets, rollouts: rollouts) }
        if b.sequence("colours")?.count != 2 {
            r.problem(b.node("colours") ?? b.node, "the blue-green strategy needs exactly two colours", hint: example)
        }
        for (what, values) in [("name", colours.map(\.name)), ("deployment", colours.map(\.deployment.description)),
                               ("secret", colours.map { "\($0.secret.namespace)/\($0.secret.name)" }), ("url", colours.map(\.url))]
        where Set(values).count < values.count {
            r.problem(b.node("colours"), "both colours have the same \(what)", hint: "each colour is a Deployment of its own, with its own Secret and Service")
        }
        if targets.isEmpty || rollouts.isEmpty {
            r.problem(spec.node("targets") ?? b.node, "the blue-green strategy moves the backend: spec.targets and spec.rollouts are the backend's Secret and Deployment")
        }
        return colours.count == 2 ? RotationPolicy.BlueGreen(colours: colours, endpointKey: endpointKey, podPort: b.int("podPort", in: 1...65535)) : nil
    }

    private func parseColour(_ node: Node, targets: [RotationPolicy.SecretTarget], rollouts: [RotationPolicy.DeploymentRef]) -> RotationPolicy.BlueGreen.Colour? {
        guard let c = r.object(node, path: "spec.blueGreen.colours[]", known: ["name", "deployment", "secret", "url"]),
              let name = c.string("name", required: true, hint: "blue or green"),
              let d = r.object(c.required("deployment"), path: "spec.blueGreen.colours[].deployment", known: ["namespace", "name"]),
              let dns = d.string("namespace", required: true), let dname = d.string("name", required: true),
              let s = r.object(c.required("secret"), path: "spec.blueGreen.colours[].secret", known: ["namespace", "name", "key"]),
              let sns = s.string("namespace") ?? Optional(dns), let sname = s.string("name", required: true),
              let url = c.string("url", required: true, hint: "the colour's Service, e.g. http://litellm-blue.litellm-system.svc.cluster.local:4000")
        else { return nil }
        let key = s.string("key") ?? "masterkey"
        guard validNames(d, namespace: dns, name: dname, key: nil), validNames(s, namespace: sns, name: sname, key: key) else { return nil }
        if URL(string: url)?.scheme.map({ ["http", "https"].contains($0) }) != true || URL(string: url)?.host == nil {
            r.problem(c.node("url"), "colour \(name): url \"\(url)\" is not an http(s) URL", hint: "e.g. http://litellm-blue.litellm-system.svc.cluster.local:4000")
        }
        if sns != dns {
            r.problem(s.node("namespace") ?? s.node, "colour \(name): its Secret is in namespace \(sns), its Deployment in \(dns)", hint: "a pod reads Secrets of its own namespace only")
        }
        let deployment = RotationPolicy.DeploymentRef(namespace: dns, name: dname)
        let secret = RotationPolicy.SecretTarget(namespace: sns, name: sname, key: key)
        if rollouts.contains(deployment) || targets.contains(where: { $0.namespace == sns && $0.name == sname }) {
            r.problem(c.node, "colour \(name) is also listed in spec.targets or spec.rollouts", hint: "with blue-green those are the backend's; the colours are the gateway")
        }
        return RotationPolicy.BlueGreen.Colour(name: name, deployment: deployment, secret: secret, url: url)
    }

    static func isSecretKey(_ key: String) -> Bool {
        !key.isEmpty && key.count <= 253 && key.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-._".contains($0)) }
    }
}
