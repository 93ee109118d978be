/// A vault failure an operator can act on. `description` is one line saying what is wrong;
/// `hint` says what to do. Neither ever contains key material or a secret value.
public struct VaultError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// The key file or passphrase does not open this vault.
        case wrongKey
        /// The file is not SQLite, is truncated, or a sealed value or key does not authenticate.
        case damaged
        /// The vault file is readable or writable by group or others.
        case insecurePermissions
        /// The vault or key file does not exist.
        case notFound
        /// The file to create exists already.
        case alreadyExists
        /// A key file has the wrong size or encoding.
        case badKeyFile
        /// The vault uses the other kind of key (key file vs passphrase).
        case keyKindMismatch
        /// No such credential or version.
        case unknownCredential
        /// The value or name was refused.
        case invalidInput
        /// A newer Lockstep wrote this vault.
        case unsupportedFormat
        /// SQLite was busy or the write conflicted.
        case busy
        /// The audit log could not be written; the action did not happen.
        case auditFailed
        /// Anything else from SQLite or the file system.
        case io
    }

    public let code: Code
    public let message: String
    public let hint: String?

    public init(_ code: Code, _ message: String, hint: String? = nil) {
        self.code = code
        self.message = message
        self.hint = hint
    }

    public var description: String { message }
}

extension VaultError {
    /// The hint of every disk-full (ENOSPC, EDQUOT, SQLITE_FULL) error: writes are whole or not at
    /// all (atomic renames, SQLite transactions), so nothing was changed.
    public static let diskFullHint = "the disk (or your quota) is full: free space and retry; nothing was changed"
}
