#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Writes a file whole or not at all, mode 0600: into a temporary file in the same folder,
/// `fsync`ed, then published by `link` (never replaces anything) or `rename` (replaces only a
/// regular file). A full disk or a file-size limit leaves nothing behind; a symlink at the path
/// is never followed, and a FIFO, device node or folder there is refused, not replaced.
public enum PrivateFile {
    /// How the finished file is put at its path.
    public enum Publish: Sendable {
        /// The path must not exist (`link`: the check and the creation are one step).
        case createNew
        /// The path may hold a regular file, which is replaced (`rename`).
        case replaceRegularFile
    }

    /// Writes `count` bytes that `bytes` lends out (so a secret can be written from guarded memory).
    public static func write(_ path: String, what: String, publish: Publish, _ body: (_ emit: (UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws {
        // A file-size limit must surface as EFBIG, which is reported and cleaned up after,
        // not as SIGXFSZ, which would kill the process with the temporary file left behind.
        signal(SIGXFSZ, SIG_IGN)
        try refuseNonRegular(path, what: what, publish: publish)
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        var template = Array((folder + "/." + url.lastPathComponent + ".tmp-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw error(errno, "cannot create a temporary file in \(folder) for \(what) \(path)") }
        let temp = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var published = false
        defer {
            if fd >= 0 { close(fd) }
            if !published { unlink(temp) }
        }
        guard fchmod(fd, 0o600) == 0 else { throw error(errno, "cannot set mode 0600 on a temporary file for \(what) \(path)") }
        try body { chunk in
            var offset = 0
            while offset < chunk.count {
                let n = Glibc.write(fd, chunk.baseAddress! + offset, chunk.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw error(errno, "cannot write \(what) \(path)")
                }
                offset += n
            }
        }
        guard fsync(fd) == 0 else { throw error(errno, "cannot write \(what) \(path)") }
        switch publish {
        case .createNew:
            guard link(temp, path) == 0 else {
                if errno == EEXIST { throw VaultError(.alreadyExists, "\(what) \(path) exists already", hint: "choose another path; Lockstep never overwrites a \(what)") }
                throw error(errno, "cannot create \(what) \(path)")
            }
            unlink(temp)
        case .replaceRegularFile:
            // Checked again right before: rename replaces a symlink itself, never its target.
            try refuseNonRegular(path, what: what, publish: publish)
            guard rename(temp, path) == 0 else { throw error(errno, "cannot write \(what) \(path)") }
        }
        published = true
        let dir = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dir >= 0 { fsync(dir); close(dir) }
    }

    private static func refuseNonRegular(_ path: String, what: String, publish: Publish) throws {
        var st = stat()
        guard lstat(path, &st) == 0 else { return } // nothing there: it is created
        let kind: String? = switch st.st_mode & S_IFMT {
        case S_IFREG: nil
        case S_IFLNK: "a symbolic link"
        case S_IFDIR: "a folder"
        case S_IFIFO: "a FIFO"
        case S_IFCHR, S_IFBLK: "a device node"
        default: "a special file"
        }
        if let kind {
            throw VaultError(.alreadyExists, "\(path) is \(kind), not a regular file: refusing to write \(what) there",
                             hint: "give the path of a regular file or a new one; Lockstep never writes through a link or over a special file")
        }
        if case .createNew = publish {
            throw VaultError(.alreadyExists, "\(what) \(path) exists already", hint: "choose another path; Lockstep never overwrites a \(what)")
        }
    }

    /// An I/O error with the hint for its errno: what to do, and that nothing was written.
    static func error(_ code: Int32, _ message: String) -> VaultError {
        let hint: String? = switch code {
        case ENOSPC, EDQUOT: VaultError.diskFullHint
        case EFBIG: "a file-size limit (`ulimit -f`) or the file system's limit was hit: raise it and retry; nothing was written"
        case EACCES, EPERM, EROFS: "check that the folder exists and is writable"
        default: nil
        }
        return VaultError(.io, "\(message): \(String(cString: strerror(code)))", hint: hint)
    }
}
