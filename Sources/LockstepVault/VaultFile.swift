#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// File-system checks around the vault and key files.
enum VaultFile {
    /// Creates an empty file with mode 0600, refusing to replace an existing one.
    static func createPrivate(_ path: String, what: String) throws {
        let fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        if fd < 0 {
            let code = errno
            if code == EEXIST {
                if let link = danglingLink(path, what: what, code: .alreadyExists) { throw link }
                throw VaultError(.alreadyExists, "\(what) \(path) exists already", hint: "choose another path; Lockstep never overwrites a \(what)")
            }
            throw PrivateFile.error(code, "cannot create \(what) \(path)")
        }
        // The umask may have removed bits but never adds any; make sure of exactly 0600.
        fchmod(fd, 0o600)
        close(fd)
    }

    /// Refuses a file that group or others may read or write; returns its status.
    @discardableResult
    static func requirePrivate(_ path: String, what: String) throws -> stat {
        var st = stat()
        guard stat(path, &st) == 0 else {
            if errno == ENOENT {
                if let link = danglingLink(path, what: what, code: .notFound) { throw link }
                throw VaultError(.notFound, "\(what) \(path) does not exist", hint: what == "vault" ? "create one with `lockstep vault init --vault \(path) --key-file KEYFILE`" : "check the path, or create a key with `lockstep vault keygen --out \(path)`")
            }
            throw VaultError(.io, "cannot read \(what) \(path): \(String(cString: strerror(errno)))")
        }
        let mode = st.st_mode & 0o777
        if mode & 0o077 != 0 {
            throw VaultError(.insecurePermissions, "\(what) \(path) is accessible to group or others (mode \(String(mode, radix: 8)))",
                             hint: "run `chmod 600 \(path)`; Lockstep refuses a \(what) others can read")
        }
        return st
    }

    /// The error for a symlink at `path` whose target does not exist, or nil: every command
    /// names it the same way (`vault check` "not found", `vault init` "exists" said less).
    static func danglingLink(_ path: String, what: String, code: VaultError.Code) -> VaultError? {
        var st = stat()
        guard lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFLNK, stat(path, &st) != 0, errno == ENOENT else { return nil }
        let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)).map { " (to \($0))" } ?? ""
        return VaultError(code, "\(what) \(path) is a dangling symlink\(target): its target does not exist",
                          hint: "point the link at the \(what), or remove it; Lockstep never creates a file through a symlink")
    }

    /// The first 16 bytes of every SQLite 3 database.
    static let sqliteHeader = Array("SQLite format 3\0".utf8)

    /// Checks that the file starts like an SQLite database, so that a random or truncated file
    /// gets "damaged" rather than an SQLite error code.
    static func requireSQLite(_ path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw VaultError(.io, "cannot read vault \(path)")
        }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 100)) ?? Data()
        guard head.count == 100, Array(head.prefix(16)) == sqliteHeader else {
            throw VaultError(.damaged, "vault \(path) is not a Lockstep vault: the file is empty, truncated or not an SQLite database",
                             hint: "restore the vault from a backup (docs/runbooks.md); check that --vault names the right file")
        }
    }
}
