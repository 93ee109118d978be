import Foundation
import LockstepTesting

/// Where the built tools and LiteLLM are.
enum Binaries {
    /// `.build/<config>/NAME`, next to the test bundle (the test target depends on the tools, so
    /// `swift build --build-tests` builds them).
    static func tool(_ name: String) -> String { TestEnvironment.builtBinary(name) }

    static var fakeProvider: String { tool("fake-provider") }
    static var load: String { tool("lockstep-load") }

    /// `LITELLM_BIN`, else the repository's `.venv/bin/litellm`; nil when neither exists.
    static var litellm: String? { TestEnvironment.liteLLM }

    /// In CI a missing LiteLLM is a failure, not a skip.
    static var inCI: Bool { TestEnvironment.inCI }
}
