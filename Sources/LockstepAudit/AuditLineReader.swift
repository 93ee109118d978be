import Foundation

/// Reads an export one line at a time from a file, in a fixed buffer, so that memory does not
/// grow with the file: the verifier stops at the first fault and reads nothing after it. A line
/// longer than `maximumLineLength` is a fault of its own, reported without buffering the rest.
public struct AuditLineReader: ~Copyable {
    /// Longest line accepted. A Lockstep entry is a few hundred bytes; 1 MiB leaves room for a
    /// long detail and bounds what a hostile file can make the verifier hold.
    public static let maximumLineLength = 1 << 20
    private static let chunk = 64 * 1024

    public enum Item {
        /// One line, without its newline, and its 1-based line number in the file.
        case line([UInt8], number: Int)
        /// A line longer than `maximumLineLength` (its number).
        case tooLong(number: Int)
    }

    private let fd: Int32
    /// A regular file: reading more never waits for a writer.
    private let isRegularFile: Bool
    private var buffer: [UInt8] = []
    private var start = 0
    private var eof = false
    /// Lines handed out so far (the test hook that proves reading stopped).
    public private(set) var linesRead = 0
    /// Bytes read from the file so far.
    public private(set) var bytesRead = 0

    /// Opens `path` (a file or a pipe, not a folder) for reading; failures throw `POSIXError`.
    public init(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        var st = stat()
        let known = fstat(fd, &st) == 0
        if known, st.st_mode & S_IFMT == S_IFDIR {
            close(fd)
            throw POSIXError(.EISDIR)
        }
        self.fd = fd
        self.isRegularFile = known && st.st_mode & S_IFMT == S_IFREG
    }

    deinit { close(fd) }

    /// Whether a whole line is already buffered, so that `next()` returns without reading. The
    /// verifier checks what it has before it reads more: from a pipe, a fault is reported
    /// without waiting for data that follows it.
    public var hasBufferedLine: Bool { buffer[start...].contains(10) || eof }

    /// Whether `next()` returns without waiting for a writer: a line is buffered, or the input is
    /// a regular file (whose reads never wait). The verifier fills a batch while this holds, so
    /// from a file it checks whole batches on every core, and from a pipe it checks what came
    /// before it waits for more.
    public var nextLineIsAtHand: Bool { isRegularFile || hasBufferedLine }

    /// The next non-empty line (a lone `\r` counts as empty), or nil at the end of the file.
    public mutating func next() throws -> Item? {
        while true {
            if let nl = buffer[start...].firstIndex(of: 10) {
                let line = Array(buffer[start..<nl])
                start = nl + 1
                linesRead += 1
                if line.isEmpty || line == [13] { continue }
                if line.count > Self.maximumLineLength { return .tooLong(number: linesRead) }
                return .line(line, number: linesRead)
            }
            if buffer.count - start > Self.maximumLineLength { linesRead += 1; return .tooLong(number: linesRead) }
            if eof {
                guard start < buffer.count else { return nil }
                let line = Array(buffer[start...])
                start = buffer.count
                linesRead += 1
                return line == [13] ? nil : .line(line, number: linesRead)
            }
            try fill()
        }
    }

    private mutating func fill() throws {
        if start > 0 { buffer.removeFirst(start); start = 0 }
        var chunk = [UInt8](repeating: 0, count: Self.chunk)
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, Self.chunk) }
        if n < 0 {
            if errno == EINTR { return }
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        if n == 0 { eof = true; return }
        bytesRead += n
        buffer.append(contentsOf: chunk[0..<n])
    }
}
