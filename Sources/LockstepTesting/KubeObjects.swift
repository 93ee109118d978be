import Foundation
import KubeSim

/// Objects to seed KubeSim with: the deployment Lockstep is made for.
public enum KubeObjects {
    public static func secret(_ name: String, _ namespace: String, _ data: [String: String]) -> JSONValue {
        var encoded: [String: JSONValue] = [:]
        for (k, v) in data { encoded[k] = .string(Data(v.utf8).base64EncodedString()) }
        return ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": .string(name), "namespace": .string(namespace)], "data": .object(encoded)]
    }

    public static func deployment(_ name: String, _ namespace: String, replicas: Int, container: JSONValue, volumes: [JSONValue] = []) -> JSONValue {
        var podSpec: JSONValue = ["terminationGracePeriodSeconds": 10, "containers": [container]]
        if !volumes.isEmpty { podSpec["volumes"] = .array(volumes) }
        return ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": .string(name), "namespace": .string(namespace)],
                "spec": ["replicas": .int(Int64(replicas)), "selector": ["matchLabels": ["app": .string(name)]],
                         "template": ["metadata": ["labels": ["app": .string(name)]], "spec": podSpec]]]
    }

    /// The gateway's container reading its master key from `litellm-system/litellm-masterkey#masterkey`:
    /// real LiteLLM with `config`, or (litellm nil) `litellm-standin`, the labelled stand-in for
    /// LiteLLM's database mode, keeping its virtual keys in `standInDB`.
    /// The master key as the upstream chart wires it (PROXY_MASTER_KEY), provider keys by envFrom.
    /// `masterKeySecret`: another Secret to read it from (blue-green: each colour has its own).
    public static func gatewayContainer(litellm: String?, config: String, standInDB: String,
                                        standIn: String = TestEnvironment.builtBinary("litellm-standin"), masterKeySecret: String = "litellm-masterkey") -> JSONValue {
        let masterKey: JSONValue = ["name": "PROXY_MASTER_KEY", "valueFrom": ["secretKeyRef": ["name": .string(masterKeySecret), "key": "masterkey"]]]
        let probe: JSONValue = ["httpGet": ["path": "/health/readiness", "port": 4000]]
        guard let litellm else {
            return ["name": "litellm", "image": "lockstep/litellm-standin", "command": [.string(standIn)],
                    "args": ["--port", "$(PORT)", "--db", .string(standInDB)], "env": [masterKey], "readinessProbe": probe]
        }
        // preStop sleep: the pod leaves the Service before LiteLLM stops listening, as a
        // production gateway should be set up (docs/rotation.md); it costs nothing to a rollout.
        return ["name": "litellm", "image": "ghcr.io/berriai/litellm:main-v1.108.7", "command": [.string(litellm)],
                "args": ["--config", .string(config), "--host", "127.0.0.1", "--port", "$(PORT)"],
                "env": [["name": "LITELLM_LOCAL_MODEL_COST_MAP", "value": "True"], masterKey],
                "envFrom": [["secretRef": ["name": "litellm-env-secret"]]], "readinessProbe": probe,
                "lifecycle": ["preStop": ["sleep": ["seconds": 2]]]]
    }

    /// The master-key policy of the blue-green layout: colours `litellm-blue` and `litellm-green`
    /// in `litellm-system` (Secrets `litellm-<colour>-masterkey`, reached at the given URLs), the
    /// backend `unique/backend-service-chat` reading key and URL from `chat-backend-litellm`.
    public static func blueGreenPolicy(blueURL: String, greenURL: String) -> String {
        """
        apiVersion: lockstep/v1
        kind: RotationPolicy
        metadata: {name: litellm-master-key}
        spec:
          credential: {kind: litellm-master-key, generate: {prefix: "sk-", randomBytes: 32}}
          strategy: blue-green
          blueGreen:
            endpointKey: LITELLM_BASE_URL
            colours:
              - {name: blue, deployment: {namespace: litellm-system, name: litellm-blue}, secret: {name: litellm-blue-masterkey, key: masterkey}, url: "\(blueURL)"}
              - {name: green, deployment: {namespace: litellm-system, name: litellm-green}, secret: {name: litellm-green-masterkey, key: masterkey}, url: "\(greenURL)"}
          targets:
            - secret: {namespace: unique, name: chat-backend-litellm, key: LITELLM_API_KEY}
          rollouts:
            - deployment: {namespace: unique, name: backend-service-chat}
          checks: {newKeyAccepted: true, oldKeyRefused: true}

        """
    }

    /// A LiteLLM config with one mocked model (no provider call) and the master key from the environment.
    public static let liteLLMConfig = """
    model_list:
      - model_name: mock-gpt
        litellm_params: {model: openai/gpt-4o-mini, api_key: sk-provider-not-used, mock_response: "hello"}
    general_settings:
      master_key: os.environ/PROXY_MASTER_KEY
    """

    /// The master-key policy of the target layout (both targets and rollouts, restart-together
    /// unless `strategy` says otherwise), with `gatewayURL`, an optional `schedule.every` and the
    /// credential's source.
    /// An admin credential's policy: generic, manual, held only by the vault (no targets, no
    /// gateway), due every 90 days, overdue after 100.
    public static func vaultOnlyPolicy(name: String) -> String {
        """
        apiVersion: lockstep/v1
        kind: RotationPolicy
        metadata: {name: \(name)}
        spec:
          credential: {kind: generic, manual: {}}
          schedule: {every: 90d}
          maxAge: 100d
        """
    }

    public static func masterKeyPolicy(gatewayURL: String, schedule: String? = nil,
                                       source: String = #"generate: {prefix: "sk-", randomBytes: 32}"#,
                                       strategy: String = "restart-together", propagationTimeout: String = "3m") -> String {
        let ring = strategy == "key-ring"
            ? "\n  keyRing: {secret: {namespace: litellm-system, name: \(KeyRingObjects.ringSecret), key: \(KeyRingObjects.ringKey)}, propagationTimeout: \(propagationTimeout)}" : ""
        return """
        apiVersion: lockstep/v1
        kind: RotationPolicy
        metadata: {name: litellm-master-key}
        spec:
          credential: {kind: litellm-master-key, \(source)}
        \(schedule.map { "  schedule: {every: \($0)}\n" } ?? "")  strategy: \(strategy)\(ring)
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

/// Lockstep's key-ring module installed on a LiteLLM gateway, as deploy/components/litellm-keyring
/// installs it: the module as a ConfigMap volume on PYTHONPATH, the ring Secret as a volume (never
/// subPath or env, which never update). KubeSim maps mount paths under `$(KUBESIM_POD_ROOT)`.
public enum KeyRingObjects {
    public static let ringSecret = "litellm-keyring", ringKey = "keys", moduleConfigMap = "lockstep-keyring-module"
    public static let ringMount = "/var/run/lockstep/keyring", moduleMount = "/opt/lockstep/keyring-module"

    /// The module the repository ships.
    public static var modulePath: String {
        TestEnvironment.repositoryRoot.appendingPathComponent("deploy/components/litellm-keyring/lockstep_keyring.py").path
    }

    /// The empty ring Secret and the module's ConfigMap, in the gateway's namespace.
    public static func objects(namespace: String, module: String = modulePath) throws -> [JSONValue] {
        let source = try String(contentsOfFile: module, encoding: .utf8)
        return [KubeObjects.secret(ringSecret, namespace, [ringKey: ""]),
                ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(moduleConfigMap), "namespace": .string(namespace)],
                 "data": ["lockstep_keyring.py": .string(source)]]]
    }

    /// The pod template's volumes; `ringSubPath` mounts the ring the wrong way (never updated), for tests.
    public static let volumes: [JSONValue] = [
        ["name": "keyring", "secret": ["secretName": .string(ringSecret)]],
        ["name": "keyring-module", "configMap": ["name": .string(moduleConfigMap)]],
    ]

    public static func mounts(ringSubPath: Bool = false) -> [JSONValue] {
        [ringSubPath ? ["name": "keyring", "mountPath": .string(ringMount + "/" + ringKey), "subPath": .string(ringKey)]
                     : ["name": "keyring", "mountPath": .string(ringMount), "readOnly": true],
         ["name": "keyring-module", "mountPath": .string(moduleMount), "readOnly": true]]
    }

    public static let env: [JSONValue] = [
        ["name": "PYTHONPATH", "value": .string("$(KUBESIM_POD_ROOT)" + moduleMount)],
        ["name": "LOCKSTEP_KEYRING_FILE", "value": .string("$(KUBESIM_POD_ROOT)" + ringMount + "/" + ringKey)],
    ]

    /// LiteLLM's `general_settings` lines that load the module (indented for the config).
    public static let generalSettings = """
      custom_auth: lockstep_keyring.user_api_key_auth
      custom_auth_run_common_checks: true
    """

    /// `container` (the gateway's) with the module's mounts and environment added.
    public static func install(into container: JSONValue, ringSubPath: Bool = false) -> JSONValue {
        var c = container
        c.setValue(.array((c["volumeMounts"]?.arrayValue ?? []) + mounts(ringSubPath: ringSubPath)), at: ["volumeMounts"])
        c.setValue(.array((c["env"]?.arrayValue ?? []) + env), at: ["env"])
        return c
    }
}
