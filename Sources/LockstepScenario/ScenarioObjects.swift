import Foundation
import KubeSim

/// The Kubernetes objects of the deployment Lockstep is made for, with the names of
/// `policies/litellm-master-key.yaml`: the gateway (`litellm-system/litellm`, master key from
/// Secret `litellm-masterkey`) and the chat backend (`unique/backend-service-chat`, key from
/// `chat-backend-litellm`). Pods are local processes started by KubeSim.
enum ScenarioObjects {
    static let gatewayNamespace = "litellm-system", gatewayName = "litellm"
    static let backendNamespace = "unique", backendName = "backend-service-chat"
    /// The model the load pods ask for; LiteLLM routes it to the fake provider.
    static let model = "fake-gpt"

    static func secret(_ name: String, _ namespace: String, _ data: [String: String]) -> JSONValue {
        var encoded: [String: JSONValue] = [:]
        for (k, v) in data { encoded[k] = .string(Data(v.utf8).base64EncodedString()) }
        return ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": .string(name), "namespace": .string(namespace)], "data": .object(encoded)]
    }

    static func deployment(_ name: String, _ namespace: String, replicas: Int, container: JSONValue) -> JSONValue {
        ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": .string(name), "namespace": .string(namespace)],
         "spec": ["replicas": .int(Int64(replicas)), "selector": ["matchLabels": ["app": .string(name)]],
                  "template": ["metadata": ["labels": ["app": .string(name)]], "spec": ["terminationGracePeriodSeconds": 10, "containers": [container]]]]]
    }

    /// LiteLLM's config: `fake-gpt` goes to the fake provider with the key from env.
    static func litellmConfig(providerURL: String) -> String {
        """
        model_list:
          - model_name: \(model)
            litellm_params: {model: openai/gpt-4o-mini, api_base: "\(providerURL)/v1", api_key: os.environ/OPENAI_API_KEY, max_retries: 0, timeout: 10}
        litellm_settings:
          num_retries: 0
        general_settings:
          master_key: os.environ/PROXY_MASTER_KEY
        """
    }

    /// The gateway container: real LiteLLM (as the upstream chart wires it: the master key as
    /// PROXY_MASTER_KEY, provider keys by envFrom), or the database-mode stand-in.
    static func gatewayContainer(_ gateway: ScenarioOptions.Gateway, tools: ScenarioTools, config: String, standInDB: String) throws -> JSONValue {
        let masterKey: JSONValue = ["name": "PROXY_MASTER_KEY", "valueFrom": ["secretKeyRef": ["name": "litellm-masterkey", "key": "masterkey"]]]
        let probe: JSONValue = ["httpGet": ["path": "/health/readiness", "port": 4000]]
        switch gateway {
        case .standIn:
            return ["name": "litellm", "image": "lockstep/litellm-standin", "command": [.string(tools.standIn)],
                    "args": ["--port", "$(PORT)", "--db", .string(standInDB)], "env": [masterKey], "readinessProbe": probe]
        case .litellm:
            guard let litellm = tools.litellm else { throw ScenarioError("LiteLLM not found: run scripts/setup (or set LITELLM_BIN)") }
            return ["name": "litellm", "image": "ghcr.io/berriai/litellm:main-v1.108.7", "command": [.string(litellm)],
                    "args": ["--config", .string(config), "--host", "127.0.0.1", "--port", "$(PORT)"],
                    "env": [["name": "LITELLM_LOCAL_MODEL_COST_MAP", "value": "True"], masterKey],
                    "envFrom": [["secretRef": ["name": "litellm-env-secret"]]], "readinessProbe": probe]
        }
    }

    /// The backend container: lockstep-load through the gateway's Service, key from its Secret.
    static func backendContainer(tools: ScenarioTools, gatewayURL: String, reports: String, requestsPerSecond: Double) -> JSONValue {
        ["name": "backend", "image": "lockstep/lockstep-load", "command": [.string(tools.load)],
         "args": ["--model", .string(model), "--rps", .string(String(requestsPerSecond)), "--timeout-ms", "3000"],
         "env": [["name": "LITELLM_BASE_URL", "value": .string(gatewayURL)],
                 ["name": "LOAD_REPORT_DIR", "value": .string(reports)],
                 ["name": "LITELLM_API_KEY", "valueFrom": ["secretKeyRef": ["name": "chat-backend-litellm", "key": "LITELLM_API_KEY"]]]],
         "readinessProbe": ["httpGet": ["path": "/healthz", "port": 8080]]]
    }
}
