import CSodium

/// libsodium must be initialised once per process before any other call; `sodium_init` is
/// thread-safe and idempotent, and a global `let` is initialised exactly once, lazily.
private let sodiumReady: Bool = sodium_init() >= 0

/// Ensures libsodium is initialised. Every public entry point of this module calls it.
@inline(__always)
func ensureSodium() throws {
    guard sodiumReady else { throw CryptoError(.initialisation, operation: "sodium_init") }
}

/// The libsodium version this process runs with (for `lockstep --version` and diagnostics).
public var sodiumVersion: String {
    String(cString: sodium_version_string())
}
