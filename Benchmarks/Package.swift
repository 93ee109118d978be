// swift-tools-version:6.1
import PackageDescription

// Benchmarks live in their own package so that the main build and CI do not compile them.
// Run them with scripts/bench (release build), which writes docs/benchmarks.md.
let package = Package(
    name: "LockstepBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "Lockstep", path: ".."),
    ],
    targets: [
        // The reference loops call libsodium directly, without Lockstep's wrappers.
        .systemLibrary(name: "CSodiumReference", pkgConfig: "libsodium", providers: [.apt(["libsodium-dev"])]),
        .executableTarget(
            name: "lockstep-bench",
            dependencies: [
                "CSodiumReference",
                .product(name: "LockstepCrypto", package: "Lockstep"),
                .product(name: "LockstepVault", package: "Lockstep"),
                .product(name: "LockstepAudit", package: "Lockstep"),
                .product(name: "LockstepCore", package: "Lockstep"),
                .product(name: "LockstepReport", package: "Lockstep"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
