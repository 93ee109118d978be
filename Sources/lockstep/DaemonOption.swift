import ArgumentParser
import Foundation
import LockstepDaemon

/// Whether a command goes through the daemon: `--socket PATH`, else the default socket
/// (`$LOCKSTEP_SOCKET` or /run/lockstep/admin.sock) when it exists; `--no-daemon` works on the
/// vault and cluster directly.
struct DaemonOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Talk to `lockstep serve` on this admin socket.", valueName: "PATH"))
    var socket: String?
    @Flag(name: .long, help: "Work on the vault and cluster directly even when a daemon socket exists.")
    var noDaemon = false

    func validate() throws {
        if noDaemon, socket != nil { throw ValidationError("--socket and --no-daemon exclude each other") }
    }

    func client() -> AdminClient? {
        if noDaemon { return nil }
        if let socket { return AdminClient(socket: socket) }
        let path = AdminClient.defaultSocket()
        return FileManager.default.fileExists(atPath: path) ? AdminClient(socket: path) : nil
    }
}
