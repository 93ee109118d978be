import Foundation
import LockstepTesting
import Testing

/// `kill -9` of a `lockstep rotate` (or `revoke`) at every step of its run: the command is
/// started, killed as soon as its progress shows step i (or any later one) has begun, started
/// again (it resumes the journaled run, repeating the interrupted step), and so on until it has
/// been killed at every step in `steps`; then it runs to the end.
struct KillAtEveryStep {
    let binary: String
    let arguments: [String]
    let environment: [String: String]
    let directory: URL

    struct Outcome {
        /// The steps at which a process was killed (a fast step may be passed by before the kill lands).
        /// The last process may have finished on its own: then it is `final`, and no resume follows.
        var killedAt: [String] = []
        /// When each kill landed, for relating failures to steps.
        var killTimes: [Date] = []
        var outputs: [String] = []
        /// The exit code of the last process: the one that ended the run.
        var finalCode: Int32?
    }

    /// `steps`: progress markers (the engine's step descriptions) in the order the run takes them.
    func run(_ steps: [String], timeout: Duration = .seconds(180)) async throws -> Outcome {
        var outcome = Outcome()
        var next = 0
        while next < steps.count {
            let p = try ChildProcess(binary, arguments, environment: environment, directory: directory)
            let ahead = Array(steps[next...])
            let reached = await eventually(timeout: timeout, every: .milliseconds(10)) { ahead.contains { p.stderr.contains($0) } || !p.isRunning }
            let running = p.isRunning
            p.signal(SIGKILL)
            outcome.killTimes.append(Date())
            let code = await p.waitForExit(timeout: .seconds(10))
            outcome.outputs.append(p.stdout + p.stderr)
            if !running {
                // It finished before the kill landed (the last steps are fast): that is the end.
                outcome.finalCode = code
                return outcome
            }
            guard reached, let furthest = ahead.lastIndex(where: { p.stderr.contains($0) }) else {
                Issue.record("no step from \"\(ahead[0])\" on was reached: \(p.stderr.suffix(1500))")
                return outcome
            }
            outcome.killedAt.append(ahead[furthest])
            next += furthest + 1
        }
        let final = try await ChildProcess.run(binary, arguments, environment: environment, directory: directory, timeout: .seconds(300))
        outcome.outputs.append(final.stdout + final.stderr)
        outcome.finalCode = final.code
        return outcome
    }
}
