import Foundation
import LockstepTesting

/// Where the programs a scenario runs are: the built products (one folder) and LiteLLM.
public struct ScenarioTools: Sendable {
    public var lockstep: String
    public var load: String
    public var fakeProvider: String
    public var standIn: String
    /// `.venv/bin/litellm` or `LITELLM_BIN`; nil when neither exists.
    public var litellm: String?

    /// The products in `productsDirectory` (`.build/debug`), LiteLLM from `litellm`.
    public init(productsDirectory: String, litellm: String?) {
        lockstep = productsDirectory + "/lockstep"
        load = productsDirectory + "/lockstep-load"
        fakeProvider = productsDirectory + "/fake-provider"
        standIn = productsDirectory + "/litellm-standin"
        self.litellm = litellm
    }

    /// `LITELLM_BIN` when it is executable, else `<repository>/.venv/bin/litellm` when that is.
    public static func findLiteLLM(repository: String) -> String? {
        TestEnvironment.liteLLM(repository: URL(fileURLWithPath: repository))
    }

    /// Whether `name` is an executable on PATH (kubectl).
    public static func onPath(_ name: String) -> Bool {
        (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(name)") }
    }
}
