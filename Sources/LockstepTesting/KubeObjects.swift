import Foundation
import KubeSim

/// Objects to seed KubeSim with: the deployment Lockstep is made for.
public enum KubeObjects {
    public static func secret(_ name: String, _ namespace: String, _ data: [String: String]) -> JSONValue {
        var encoded: [String: JSONValue] = [:]
        for (k, v) in data { encoded[k] = .string(Data(v.utf8).base64EncodedString()) }
        return ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": .string(name), "namespace": .string(namespace)], "data": .object(encoded)]
    }

    public static func deployment(_ name: String, _ namespace: String, replicas: Int, container: JSONValue) -> JSONValue {
        ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": .string(name), "namespace": .string(namespace)],
         "spec": ["replicas": .int(Int64(replicas)), "selector": ["matchLabels": ["app": .string(name)]],
                  "template": ["metadata": ["labels": ["app": .string(name)]], "spec": ["terminationGracePeriodSeconds": 10, "containers": [container]]]]]
    }

    /// The gateway's container reading its master key from `litellm-system/litellm-masterkey#masterkey`:
    /// real LiteLLM with `config`, or (litellm nil) `litellm-standin`, the labelled stand-in for
    /// LiteLLM's database mode, keeping its virtual keys in `standInDB`.
    /// The master key as the upstream chart wires it (PROXY_MASTER_KEY), provider keys by envFrom.
    public static func gatewayContainer(litellm: String?, config: String, standInDB: String,
                                        standIn: String = TestEnvironment.builtBinary("litellm-standin")) -> JSONValue {
        let masterKey: JSONValue = ["name": "PROXY_MASTER_KEY", "valueFrom": ["secretKeyRef": ["name": "litellm-masterkey", "key": "masterkey"]]]
        let probe: JSONValue = ["httpGet": ["path": "/health/readiness", "port": 4000]]
        guard let litellm else {
            return ["name": "litellm", "image": "lockstep/litellm-standin", "command": [.string(standIn)],
                    "args": ["--port", "$(PORT)", "--db", .string(standInDB)], "env": [masterKey], "readinessProbe": probe]
        }
        return ["name": "litellm", "image": "ghcr.io/berriai/litellm:main-v1.108.7", "command": [.string(litellm)],
                "args": ["--config", .string(config), "--host", "127.0.0.1", "--port", "$(PORT)"],
                "env": [["name": "LITELLM_LOCAL_MODEL_COST_MAP", "value": "True"], masterKey],
                "envFrom": [["secretRef": ["name": "litellm-env-secret"]]], "readinessProbe": probe]
    }

    /// A LiteLLM config with one mocked model (no provider call) and the master key from the environment.
    public static let liteLLMConfig = """
    model_list:
      - model_name: mock-gpt
        litellm_params: {model: openai/gpt-4o-mini, api_key: sk-provider-not-used, mock_response: "hello"}
    general_settings:
      master_key: os.environ/PROXY_MASTER_KEY
    """

    /// The master-key policy of the target layout (restart-together, both targets and rollouts),
    /// with `gatewayURL`, an optional `schedule.every` and the credential's source.
    public static func masterKeyPolicy(gatewayURL: String, schedule: String? = nil,
                                       source: String = #"generate: {prefix: "sk-", randomBytes: 32}"#) -> String {
        """
        apiVersion: lockstep/v1
        kind: RotationPolicy
        metadata: {name: litellm-master-key}
        spec:
          credential: {kind: litellm-master-key, \(source)}
        \(schedule.map { "  schedule: {every: \($0)}\n" } ?? "")  strategy: restart-together
          gateway: {url: "\(gatewayURL)"}
          targets:
            - secret: {namespace: unique, name: chat-backend-litellm, key: LITELLM_API_KEY}
            - secret: {namespace: litellm-system, name: litellm-masterkey, key: masterkey}
          rollouts:
            - deployment: {namespace: unique, name: backend-service-chat}
            - deployment: {namespace: litellm-system, name: litellm}
          checks: {newKeyAccepted: true, oldKeyRefused: true}
        """
    }
}
