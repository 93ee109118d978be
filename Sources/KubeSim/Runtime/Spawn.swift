import CSpawnShim
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Starts a process with posix_spawn in a process group of its own, with every signal at its
/// default disposition and none blocked (a parent that ignores SIGTERM must not pass that on),
/// stdin from /dev/null, stdout/stderr appended to a log file, and no other descriptor inherited.
enum Spawn {
    static func start(executable: String, arguments: [String], environment: [String: String],
                      workingDirectory: String?, logPath: String) throws -> pid_t {
        if let workingDirectory {
            // posix_spawn has no portable chdir: let a shell change directory, then exec in place.
            return try start(executable: "/bin/sh", arguments: ["-c", "cd \"$0\" && exec \"$@\"", workingDirectory, executable] + arguments,
                             environment: environment, workingDirectory: nil, logPath: logPath)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Nothing else of ours reaches the pod: a descriptor another thread opened without
        // O_CLOEXEC at this moment (Foundation's Process keeps a socket per child and learns of
        // the child's exit from its EOF) would otherwise live as long as the pod, and a caller
        // would wait for a process that has long exited.
        cspawn_addclosefrom(&actions, 3)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var all = sigset_t()
        sigfillset(&all)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard result == 0 else {
            throw PodEnvironment.Failure(description: "cannot start \(executable): \(String(cString: strerror(result)))")
        }
        return pid
    }

    /// Whether the child has exited; reaps it when it has (call from one place per child only).
    static func hasExited(_ pid: pid_t) -> Bool {
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        return result == pid || (result == -1 && errno == ECHILD)
    }
}
