import LockstepCore
import Synchronization

/// Every line the CLI shows goes through here, to `StandardStream` (write(2), never
/// `print` or `FileHandle.write`). A result that cannot be written fails the command with 74; a
/// progress line that cannot be written does not stop the command (a rotation is never left
/// half-way because its progress could not be shown) but is remembered, and the command then
/// exits 74 instead of 0 (`runCLI`).
enum Console {
    private static let lost = Mutex<OutputError?>(nil)

    /// One line of the command's result on standard output.
    static func out(_ line: String) throws(OutputError) {
        try StandardStream.output.write(line + "\n")
    }

    /// Bytes of the command's result on standard output, as they are (exports).
    static func out(bytes: [UInt8]) throws(OutputError) {
        try StandardStream.output.write(bytes)
    }

    /// Progress, prompts and notes (standard error unless told), and the daemon's ready line:
    /// best effort, a failure is remembered.
    static func note(_ text: String, on stream: StandardStream = .error) {
        do {
            try stream.write(text)
        } catch {
            lost.withLock { first in first = first ?? error }
        }
    }

    /// The first best-effort write that failed, if any.
    static var lostOutput: OutputError? { lost.withLock { $0 } }
}
