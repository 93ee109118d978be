// swift-tools-version:6.1
import PackageDescription

// Every target compiles in Swift 6 language mode (strict concurrency) and must build without warnings.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Lockstep",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "lockstep", targets: ["lockstep"]),
        .executable(name: "kubesim", targets: ["kubesim"]),
        .library(name: "LockstepCrypto", targets: ["LockstepCrypto"]),
        .library(name: "LockstepVault", targets: ["LockstepVault"]),
        .library(name: "LockstepAudit", targets: ["LockstepAudit"]),
        .library(name: "LockstepCore", targets: ["LockstepCore"]),
        .library(name: "KubeSim", targets: ["KubeSim"]),
        .executable(name: "fake-provider", targets: ["fake-provider"]),
        .executable(name: "litellm-standin", targets: ["litellm-standin"]),
        .executable(name: "lockstep-load", targets: ["lockstep-load"]),
        .executable(name: "lockstep-connect", targets: ["lockstep-connect"]),
        .library(name: "LockstepBench", targets: ["LockstepBench"]),
        .library(name: "LockstepKubernetes", targets: ["LockstepKubernetes"]),
        .library(name: "LockstepReport", targets: ["LockstepReport"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.30.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.20.0"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        // KubeSim imports these directly (already resolved through Hummingbird and swift-certificates).
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.29.0"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.1.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.1.0"),
        // The gateway's PostgreSQL login as a credential source (LockstepProviders/Servers).
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.0"),
    ],
    targets: [
        // The one C boundary: libsodium from Debian (libsodium-dev). Only LockstepCrypto imports it.
        .systemLibrary(
            name: "CSodium",
            pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"])]
        ),
        .target(
            name: "LockstepCrypto",
            dependencies: ["CSodium"],
            swiftSettings: strict
        ),
        .target(
            name: "LockstepCore",
            dependencies: ["LockstepCrypto"],
            swiftSettings: strict
        ),
        .target(
            name: "LockstepPolicy",
            dependencies: ["LockstepCore", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict
        ),
        .target(
            name: "LockstepEngine",
            // Through ports only (LockstepCore/Ports): no storage, HTTP or Kubernetes module.
            dependencies: ["LockstepCore", "LockstepCrypto"],
            swiftSettings: strict
        ),
        .target(
            name: "LockstepLiteLLM",
            dependencies: [
                "LockstepCrypto", "LockstepCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // Credential sources: provider admin APIs (Azure, Anthropic, OpenAI, Google) and the servers whose logins the gateway holds (PostgreSQL, Redis).
        .target(
            name: "LockstepProviders",
            dependencies: [
                "LockstepCrypto", "LockstepCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                // RS256 for Google's JWT bearer grant (a service account's JSON key).
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                // The gateway's PostgreSQL and Redis logins (Servers/): PostgresNIO, and RESP over NIO.
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "LockstepAudit",
            dependencies: ["LockstepCrypto", "LockstepCore"],
            swiftSettings: strict
        ),
        .target(
            name: "LockstepVault",
            dependencies: [
                "LockstepCrypto", "LockstepCore", "LockstepAudit",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strict
        ),
        // The auditor's report: a streaming fold of the verified audit log into rotation
        // compliance per credential, rendered as JSON, CSV and self-contained HTML.
        .target(
            name: "LockstepReport",
            dependencies: ["LockstepCore", "LockstepAudit", "LockstepVault"],
            swiftSettings: strict
        ),
        // The application layer: the one rotation service (claim, preflight, resume-or-start,
        // manual values), the read-only queries (status, plan) and the typed contracts (exit codes,
        // outcomes, problems) that the CLI and the daemon share; both are thin adapters over it.
        .target(
            name: "LockstepApp",
            dependencies: ["LockstepCore", "LockstepCrypto", "LockstepEngine", "LockstepVault", "LockstepAudit", "LockstepProviders"],
            swiftSettings: strict
        ),

        // The daemon (`lockstep serve`): scheduler, admin API, metrics, leader lease, notifications.
        .target(
            name: "LockstepDaemon",
            dependencies: [
                "LockstepApp", "LockstepCrypto", "LockstepCore", "LockstepVault", "LockstepAudit", "LockstepPolicy", "LockstepEngine", "LockstepLiteLLM", "LockstepKubernetes",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "lockstep",
            dependencies: [
                "LockstepApp", "LockstepCrypto", "LockstepCore", "LockstepVault", "LockstepAudit", "LockstepPolicy", "LockstepEngine", "LockstepLiteLLM", "LockstepKubernetes", "LockstepDaemon", "LockstepReport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),

        // Seeded mutation fuzzing of the policy parser, audit verify and the admin API's bodies
        // (docs/fuzzing.md); scripts/test runs each target for a few seconds.
        .executableTarget(
            name: "lockstep-fuzz",
            dependencies: ["LockstepApp", "LockstepCore", "LockstepPolicy", "LockstepAudit", "LockstepDaemon"],
            swiftSettings: strict
        ),

        // The Kubernetes adapter: REST client over AsyncHTTPClient (config, Secrets, Deployments, Leases, reviews).
        .target(
            name: "LockstepKubernetes",
            dependencies: [
                "LockstepCrypto", "LockstepCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),

        // KubeSim's one C function: closing inherited descriptors in the pods it spawns (glibc's
        // posix_spawn_file_actions_addclosefrom_np is declared only under _GNU_SOURCE).
        .target(name: "CSpawnShim"),
        // KubeSim: the Kubernetes API emulator used by tests, benchmarks and the demo (not shipped in the daemon).
        .target(
            name: "KubeSim",
            dependencies: [
                "CSpawnShim",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "kubesim",
            dependencies: [
                "KubeSim", "LockstepBench",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),

        // Bench tools for the integration tests, the demo and the benchmarks (not shipped in the daemon):
        // an OpenAI-compatible fake provider and a load client standing in for the chat backend.
        .target(
            name: "LockstepBench",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                // The fake Google token endpoint verifies RS256 grants.
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                // lockstep-connect's own PostgreSQL client (and NIO for its Redis one).
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "fake-provider",
            dependencies: [
                "LockstepBench",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "litellm-standin",
            dependencies: [
                "LockstepBench",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The gateway's database and cache consumer: a new connection per attempt, every failure counted.
        .executableTarget(
            name: "lockstep-connect",
            dependencies: [
                "LockstepBench",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "lockstep-load",
            dependencies: [
                "LockstepBench",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The demo's and the rotation benchmark's deployment on KubeSim (gateway pods: LiteLLM or the
        // stand-in; backend pods: lockstep-load), driven through the real `lockstep` CLI and kubectl.
        .target(
            name: "LockstepScenario",
            dependencies: [
                "KubeSim", "LockstepBench", "LockstepLiteLLM", "LockstepCrypto", "LockstepTesting", "LockstepApp",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(name: "lockstep-demo", dependencies: ["LockstepScenario", "LockstepBench"], swiftSettings: strict),
        .executableTarget(name: "lockstep-bench-rotation", dependencies: ["LockstepScenario", "LockstepBench"], swiftSettings: strict),
        .testTarget(
            name: "BenchToolsTests",
            dependencies: [
                "LockstepBench", "KubeSim", "fake-provider", "lockstep-load", "LockstepScenario", "LockstepTesting", "lockstep", "litellm-standin", "LockstepCrypto", "LockstepLiteLLM",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),

        // Test support shared by the integration tests and the benchmarks: child processes,
        // the programs they drive, KubeSim objects for the target layout.
        .target(
            name: "LockstepTesting",
            dependencies: ["KubeSim", "LockstepCore", "LockstepCrypto", .product(name: "Logging", package: "swift-log"), .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "LockstepDaemonTests",
            dependencies: [
                "LockstepApp", "LockstepDaemon", "LockstepTesting", "LockstepPolicy", "LockstepLiteLLM", "lockstep", "KubeSim", "LockstepBench", "litellm-standin", "LockstepKubernetes", "LockstepVault", "LockstepCore", "LockstepAudit", "LockstepCrypto", "LockstepEngine",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "LockstepProvidersTests",
            dependencies: [
                "LockstepProviders", "LockstepBench", "LockstepCore", "LockstepCrypto", "LockstepTesting",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "LockstepPolicyTests", dependencies: ["LockstepPolicy", "LockstepCore"], swiftSettings: strict),
        .testTarget(name: "LockstepEngineTests", dependencies: ["LockstepTesting", "lockstep", "lockstep-connect", "litellm-standin", "fake-provider", "LockstepBench", "LockstepEngine", "LockstepProviders", "LockstepKubernetes", "LockstepLiteLLM", "LockstepVault", "LockstepCore", "LockstepAudit", "LockstepCrypto", "KubeSim"], swiftSettings: strict),
        .testTarget(name: "LockstepLiteLLMTests", dependencies: ["LockstepLiteLLM", "LockstepCrypto", "LockstepTesting"], swiftSettings: strict),
        .testTarget(name: "LockstepCoreTests", dependencies: ["LockstepCore"], swiftSettings: strict),
        .testTarget(name: "LockstepCryptoTests", dependencies: ["LockstepCrypto"], resources: [.copy("Fixtures")], swiftSettings: strict),
        .testTarget(name: "LockstepVaultTests", dependencies: ["LockstepVault", "LockstepCrypto", "LockstepCore", "LockstepAudit", .product(name: "GRDB", package: "GRDB.swift")], swiftSettings: strict),
        .testTarget(name: "LockstepAuditTests", dependencies: ["LockstepAudit", "LockstepCrypto", "LockstepVault", "LockstepCore"], resources: [.copy("Fixtures")], swiftSettings: strict),
        .testTarget(
            name: "LockstepReportTests",
            dependencies: ["LockstepReport", "LockstepEngine", "LockstepVault", "LockstepAudit", "LockstepPolicy", "LockstepCore", "LockstepCrypto", "LockstepTesting"],
            exclude: ["Fixtures"],
            swiftSettings: strict
        ),
        .testTarget(name: "LockstepCLITests", dependencies: ["lockstep", "LockstepCrypto", "LockstepAudit", "LockstepTesting"], swiftSettings: strict),
        .testTarget(
            name: "LockstepAppTests",
            dependencies: ["LockstepApp", "LockstepCore", "LockstepCrypto", "LockstepEngine", "LockstepPolicy", "LockstepTesting", "LockstepVault"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "KubeSimTests",
            dependencies: [
                "KubeSim", "LockstepTesting",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "LockstepKubernetesTests", dependencies: ["LockstepKubernetes", "KubeSim", "LockstepCrypto", "LockstepTesting", .product(name: "NIOPosix", package: "swift-nio")], swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)
