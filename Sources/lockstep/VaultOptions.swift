import ArgumentParser
import Foundation
import LockstepAudit
import LockstepCore
import LockstepCrypto
import LockstepVault

/// `--vault` (falls back to `LOCKSTEP_VAULT`).
struct VaultPathOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Path of the vault file. Default: $LOCKSTEP_VAULT.", valueName: "PATH"))
    var vault: String?

    func path() throws -> String { try resolveVaultPath(vault) }
}

/// `explicit`, else `$LOCKSTEP_VAULT`, else a usage error.
func resolveVaultPath(_ explicit: String?) throws -> String {
    if let explicit { return explicit }
    if let env = ProcessInfo.processInfo.environment["LOCKSTEP_VAULT"], !env.isEmpty { return env }
    throw CLIFailure(message: "no vault given", hint: "pass --vault PATH or set LOCKSTEP_VAULT", code: Exit.usage)
}

/// The vault key: `--key-file` (falls back to `LOCKSTEP_KEY_FILE`) or `--passphrase-stdin`.
struct VaultKeyOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Key file (32 bytes, raw or Base64, mode 0600). Default: $LOCKSTEP_KEY_FILE.", valueName: "FILE"))
    var keyFile: String?

    @Flag(name: .long, help: "Read the vault passphrase from the first line of standard input.")
    var passphraseStdin = false

    func source() throws -> VaultKeySource {
        if passphraseStdin {
            if keyFile != nil { throw CLIFailure(message: "--key-file and --passphrase-stdin exclude each other", hint: "a vault has one kind of key; pass the one it was created with", code: Exit.usage) }
            return .passphrase(try SecretInput.readAll(firstLineOnly: true, prompt: "vault passphrase"))
        }
        if let keyFile { return .keyFile(keyFile) }
        if let env = ProcessInfo.processInfo.environment["LOCKSTEP_KEY_FILE"], !env.isEmpty { return .keyFile(env) }
        throw CLIFailure(message: "no vault key given", hint: "pass --key-file FILE (or set LOCKSTEP_KEY_FILE), or --passphrase-stdin", code: Exit.usage)
    }
}

/// Argon2id limits for a new passphrase.
enum KDFLimits: String, ExpressibleByArgument, CaseIterable {
    case interactive, moderate, sensitive

    func parameters() throws -> KDFParameters {
        switch self {
        case .interactive: try KDFParameters.interactive()
        case .moderate: try KDFParameters.moderate()
        case .sensitive: try KDFParameters.sensitive()
        }
    }
}

/// The person running the CLI, as recorded in the audit log.
func currentUserActor() -> AuditActor {
    let uid = getuid()
    var name = "uid \(uid)"
    if let pw = getpwuid(uid), let login = pw.pointee.pw_name {
        name = "\(String(cString: login)) (uid \(uid))"
    }
    return AuditActor(kind: .user, id: name)
}
