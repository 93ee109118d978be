import Foundation
import KubeSim
import LockstepKubernetes
import LockstepTesting
import Logging
import Synchronization

/// A logger that drops everything (tests never bootstrap the logging system).
let quietLogger = Logger(label: "lockstep.test") { _ in SwiftLogNoOpLogHandler() }

/// Starts KubeSim over plain HTTP on 127.0.0.1, port 0, for one test and always stops it.
func withHTTPKubeSim<R>(_ body: (RunningKubeSim) async throws -> R) async throws -> R {
    var config = KubeSimConfiguration()
    config.useTLS = false
    config.port = 0
    config.runProcesses = false
    let sim = try await KubeSim.start(config)
    let result: Result<R, any Error>
    do { result = .success(try await body(sim)) } catch { result = .failure(error) }
    await sim.stop()
    return try result.get()
}

/// A client for `sim` with short timeouts and few retries, for tests with second-scale timings.
func makeClient(_ sim: RunningKubeSim) throws -> KubernetesClient {
    var configuration = KubernetesConfiguration(server: sim.url)
    configuration.requestTimeout = .seconds(2)
    configuration.retry = RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(20), maxDelay: .milliseconds(50))
    return try KubernetesClient(configuration: configuration, logger: quietLogger)
}

