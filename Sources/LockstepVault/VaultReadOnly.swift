import Foundation
import GRDB

/// How a vault's database was opened.
public enum VaultOpenMode: String, Sendable {
    /// Read and write (SQLite WAL with its shared-memory file).
    case readWrite
    /// Read-only (`SQLITE_OPEN_READONLY`): nothing is written to the vault file.
    case readOnly
    /// Read-only and `immutable`: for a folder or mount where SQLite cannot create the WAL's
    /// shared-memory file, and only when there is no WAL content the main file lacks.
    case immutable
}

extension Vault {
    /// A read-only connection after the same permission and format checks as `open`.
    ///
    /// SQLite reads a WAL database through its `-shm` file, which it must be able to create.
    /// On a read-only folder or mount (or under a file-size limit) it cannot; then, and only if
    /// no `-wal` file holds data the main file lacks, the vault is opened `immutable`: a writer
    /// would need the folder to be writable to create the WAL, so there is nothing to miss.
    static func openReadOnly(_ path: String) throws -> (reader: any DatabaseReader, mode: VaultOpenMode) {
        try VaultFile.requirePrivate(path, what: "vault")
        try VaultFile.requireSQLite(path)
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration(readonly: true))
            try queue.read { db in _ = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") }
            return (queue, .readOnly)
        } catch let e as DatabaseError where [.SQLITE_CANTOPEN, .SQLITE_READONLY, .SQLITE_IOERR, .SQLITE_PERM].contains(e.resultCode) {
            var st = stat()
            if stat(path + "-wal", &st) == 0, st.st_size > 0 {
                throw VaultError(.io, "cannot read vault \(path) read-only: its write-ahead log holds changes, and SQLite cannot create its shared-memory file here (\(e.message ?? "\(e.resultCode)"))",
                                 hint: "open it once where its folder is writable (any Lockstep command) so the log is checkpointed, or copy the vault with its -wal file to a writable folder")
            }
            return try mapDatabaseErrors(path) {
                let queue = try DatabaseQueue(path: immutableURI(path), configuration: configuration(readonly: true))
                try queue.read { db in _ = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") }
                return (queue, .immutable)
            }
        } catch {
            return try mapDatabaseErrors(path) { throw error }
        }
    }

    /// `file:` URI with `immutable=1` (SQLite is built with URI filenames on Debian; checked by the tests).
    static func immutableURI(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~/")
        return "file:" + (absolute.addingPercentEncoding(withAllowedCharacters: allowed) ?? absolute) + "?immutable=1"
    }
}
