import Foundation
import KubeSim
import LockstepTesting

/// The Kubernetes objects of the deployment Lockstep is made for, with the names of
/// `policies/litellm-master-key.yaml`: the gateway (`litellm-system/litellm`, master key from
/// Secret `litellm-masterkey`) and the chat backend (`unique/backend-service-chat`, key from
/// `chat-backend-litellm`). Pods are local processes started by KubeSim.
public enum ScenarioObjects {
    static let gatewayNamespace = "litellm-system", gatewayName = "litellm"
    static let backendNamespace = "unique", backendName = "backend-service-chat"
    /// The model the load pods ask for; LiteLLM routes it to the fake provider.
    static let model = "fake-gpt"

    /// The gateway Deployments of the layout: one, or the blue-green pair (blue serving first).
    static func gateways(blueGreen: Bool) -> [String] { blueGreen ? ["litellm-blue", "litellm-green"] : [gatewayName] }

    /// The Secret a gateway Deployment reads its master key from (key `masterkey`).
    static func masterKeySecret(of deployment: String) -> String { deployment == gatewayName ? "litellm-masterkey" : "\(deployment)-masterkey" }

    /// The blue-green policy for this layout: the colours' Services are reached at `blueURL` and
    /// `greenURL` (KubeSim's listeners on 127.0.0.1); the backend's Secret holds key and URL.
    public static func blueGreenPolicy(blueURL: String, greenURL: String) -> String { KubeObjects.blueGreenPolicy(blueURL: blueURL, greenURL: greenURL) }

    static func secret(_ name: String, _ namespace: String, _ data: [String: String]) -> JSONValue { KubeObjects.secret(name, namespace, data) }

    static func deployment(_ name: String, _ namespace: String, replicas: Int, container: JSONValue, volumes: [JSONValue] = []) -> JSONValue {
        KubeObjects.deployment(name, namespace, replicas: replicas, container: container, volumes: volumes)
    }

    /// LiteLLM's config: `fake-gpt` goes to the fake provider with the key from env; with
    /// `keyRing`, Lockstep's key-ring module is its custom auth.
    /// `models`: the model list's entries instead (the incident layout's providers).
    static func litellmConfig(providerURL: String, keyRing: Bool, models: String? = nil) -> String {
        let list = models ?? """
              - model_name: \(model)
                litellm_params: {model: openai/gpt-4o-mini, api_base: "\(providerURL)/v1", api_key: os.environ/OPENAI_API_KEY, max_retries: 0, timeout: 10}
            """
        return """
        model_list:
        \(list)
        litellm_settings:
          num_retries: 0
        general_settings:
          master_key: os.environ/PROXY_MASTER_KEY
        \(keyRing ? KeyRingObjects.generalSettings : "")
        """
    }

    /// The gateway container: real LiteLLM (as the upstream chart wires it: the master key as
    /// PROXY_MASTER_KEY, provider keys by envFrom), or the database-mode stand-in.
    static func gatewayContainer(_ gateway: ScenarioOptions.Gateway, tools: ScenarioTools, config: String, standInDB: String,
                                 masterKeySecret: String = "litellm-masterkey") throws -> JSONValue {
        switch gateway {
        case .standIn:
            return KubeObjects.gatewayContainer(litellm: nil, config: config, standInDB: standInDB, standIn: tools.standIn, masterKeySecret: masterKeySecret)
        case .litellm:
            guard let litellm = tools.litellm else { throw ScenarioError("LiteLLM not found: run scripts/setup (or set LITELLM_BIN)") }
            return KubeObjects.gatewayContainer(litellm: litellm, config: config, standInDB: standInDB, standIn: tools.standIn, masterKeySecret: masterKeySecret)
        }
    }

    /// The backend container: lockstep-load through the gateway's Service, key from its Secret;
    /// with `gatewayURL` nil (blue-green) the URL from its Secret too.
    static func backendContainer(tools: ScenarioTools, gatewayURL: String?, reports: String, requestsPerSecond: Double, model: String = model) -> JSONValue {
        let fromSecret: JSONValue = ["name": "LITELLM_BASE_URL", "valueFrom": ["secretKeyRef": ["name": "chat-backend-litellm", "key": "LITELLM_BASE_URL"]]]
        let url: JSONValue = gatewayURL.map { ["name": "LITELLM_BASE_URL", "value": .string($0)] } ?? fromSecret
        return ["name": "backend", "image": "lockstep/lockstep-load", "command": [.string(tools.load)],
         // A request that got no HTTP answer (a keep-alive connection closed by a gateway pod as it
         // stops) is sent again, as the OpenAI SDKs do by default (max_retries 2); a refused key
         // (an HTTP 400/401) never is. The reports count those retries.
         "args": ["--model", .string(model), "--rps", .string(String(requestsPerSecond)), "--timeout-ms", "3000", "--connection-retries", "2"],
         "env": [url,
                 ["name": "LOAD_REPORT_DIR", "value": .string(reports)],
                 ["name": "LITELLM_API_KEY", "valueFrom": ["secretKeyRef": ["name": "chat-backend-litellm", "key": "LITELLM_API_KEY"]]]],
         "readinessProbe": ["httpGet": ["path": "/healthz", "port": 8080]]]
    }
}
