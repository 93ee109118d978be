import ArgumentParser
import Foundation
import LockstepAudit
import LockstepCrypto
import LockstepVault

struct VaultCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vault",
        abstract: "Create, re-key and check the encrypted vault.",
        subcommands: [Keygen.self, Init.self, Rekey.self, Check.self]
    )

    struct Keygen: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write a new random vault key file (mode 0600; never overwrites).")

        @Option(name: .long, help: ArgumentHelp("Where to write the key.", valueName: "FILE"))
        var out: String

        func run() throws {
            try runCLI {
                try VaultKeyFile.generate(at: out)
                try Console.out("wrote a new 256-bit vault key to \(out) (mode 0600)")
            }
        }
    }

    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a new vault, its fingerprint key and its audit signing key.")

        @OptionGroup var vault: VaultPathOption
        @OptionGroup var key: VaultKeyOptions
        @Option(name: .long, help: "Argon2id limits for --passphrase-stdin: interactive, moderate (default) or sensitive.")
        var kdfLimits: KDFLimits = .moderate

        func run() throws {
            try runCLI {
                let path = try vault.path()
                let source = try key.source()
                let kdf: KDFParameters? = if case .passphrase = source { try kdfLimits.parameters() } else { nil }
                let v = try Vault.create(at: path, key: source, actor: currentUserActor(), kdf: kdf)
                try Console.out("created vault \(path) (id \(v.vaultID))")
                try Console.out("audit public key: \(Data(v.auditPublicKey).base64EncodedString())")
            }
        }
    }

    struct Rekey: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-seal everything under a new key, in one transaction.",
            discussion: "With --passphrase-stdin and --new-passphrase-stdin both, the first line of stdin is the old passphrase and the second the new one.")

        @OptionGroup var vault: VaultPathOption
        @OptionGroup var key: VaultKeyOptions
        @Option(name: .long, help: ArgumentHelp("The new key file.", valueName: "NEW"))
        var newKeyFile: String?
        @Flag(name: .long, help: "Read the new passphrase from standard input.")
        var newPassphraseStdin = false
        @Option(name: .long, help: "Argon2id limits for a new passphrase.")
        var kdfLimits: KDFLimits = .moderate

        func run() throws {
            try runCLI {
                let path = try vault.path()
                let (oldSource, newSource) = try sources()
                let v = try Vault.open(at: path, key: oldSource)
                let kdf: KDFParameters? = if case .passphrase = newSource { try kdfLimits.parameters() } else { nil }
                let result = try v.rekey(to: newSource, actor: currentUserActor(), kdf: kdf)
                try Console.out("re-sealed \(result.versions) versions of vault \(path) under the new key (key generation \(result.generation))")
            }
        }

        private func sources() throws -> (VaultKeySource, VaultKeySource) {
            guard (newKeyFile != nil) != newPassphraseStdin else {
                throw CLIFailure(message: "give exactly one of --new-key-file and --new-passphrase-stdin", hint: "e.g. `lockstep vault rekey --vault V --key-file OLD --new-key-file NEW`", code: Exit.usage)
            }
            if key.passphraseStdin && newPassphraseStdin {
                guard key.keyFile == nil else { throw CLIFailure(message: "--key-file and --passphrase-stdin exclude each other", hint: nil, code: Exit.usage) }
                let lines = try SecretInput.readLines(2)
                return (.passphrase(lines[0]), .passphrase(lines[1]))
            }
            let old = try key.source()
            if let newKeyFile { return (old, .keyFile(newKeyFile)) }
            return (old, .passphrase(try SecretInput.readAll(firstLineOnly: true, prompt: "new vault passphrase")))
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Open every sealed value and verify the audit log.")

        @OptionGroup var vault: VaultPathOption
        @OptionGroup var key: VaultKeyOptions

        func run() throws {
            try runCLI {
                // Read-only: a check must work on a read-only folder or mount, and must not change what it checks.
                let v = try Vault.open(at: try vault.path(), key: try key.source(), readOnly: true)
                let result = try v.check()
                if let failure = result.audit.failure {
                    throw CLIFailure(message: "audit log of \(v.path) does not verify: \(failure)", hint: "see docs/auditors-guide.md; restore from a backup and compare", code: Exit.auditVerifyFailed)
                }
                try Console.out("ok: \(result.versions) sealed versions open and authenticate; audit log verifies (\(result.audit.entries) entries)")
            }
        }
    }
}
