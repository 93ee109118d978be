#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Standard output and standard error, written with write(2): every byte, or an `OutputError`
/// naming the stream and the cause. Foundation's `FileHandle.write(_:)` traps (SIGILL and a
/// backtrace) when a write fails, and `print` drops what it cannot write and lets the process
/// exit 0; this is the writer the `lockstep` binary uses instead (CLI output, daemon log lines,
/// prompts).
public enum StandardStream: Int32, Sendable {
    case output = 1
    case error = 2

    public var name: String { self == .output ? "standard output" : "standard error" }

    public func write(_ text: String) throws(OutputError) {
        try write(Array(text.utf8))
    }

    /// All of `bytes`, retrying interrupted and short writes.
    public func write(_ bytes: [UInt8]) throws(OutputError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                #if canImport(Glibc)
                Glibc.write(rawValue, raw.baseAddress! + offset, raw.count - offset)
                #else
                Darwin.write(rawValue, raw.baseAddress! + offset, raw.count - offset)
                #endif
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw OutputError(stream: self, code: errno)
            }
            offset += written
        }
    }

    /// A write to a closed pipe must fail with EPIPE and be reported, not kill the process with
    /// SIGPIPE: called once, first thing in `main`.
    public static func ignoreBrokenPipes() {
        signal(SIGPIPE, SIG_IGN)
    }
}

/// A write to standard output or standard error failed (exit 74).
public struct OutputError: Error, Sendable, Equatable, CustomStringConvertible {
    public let stream: StandardStream
    /// The errno of the failed write.
    public let code: Int32

    public init(stream: StandardStream, code: Int32) {
        self.stream = stream
        self.code = code
    }

    public var description: String { "cannot write to \(stream.name): \(String(cString: strerror(code)))" }

    public var hint: String {
        switch code {
        case ENOSPC, EDQUOT: "the disk (or your quota) is full: free space and run the command again"
        case EFBIG: "a file-size limit (`ulimit -f`) or the file system's limit was hit: raise it and run the command again"
        case EPIPE: "the program reading this pipe exited before Lockstep finished writing; run the command again with a reader that reads everything"
        default: "check where the \(stream.name) of this command goes (a redirect, a pipe, a closed descriptor)"
        }
    }
}
