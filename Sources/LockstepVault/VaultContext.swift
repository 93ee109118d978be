/// Associated data for everything sealed in a vault. Binding the vault id and the row's identity
/// means a ciphertext copied to another row, credential, version or vault does not open.
enum VaultContext {
    static func version(vaultID: String, credential: String, version: Int) -> [UInt8] {
        Array("lockstep/v1|vault=\(vaultID)|credential=\(credential)|version=\(version)".utf8)
    }

    static func fingerprintKey(vaultID: String) -> [UInt8] {
        Array("lockstep/v1|vault=\(vaultID)|fingerprint-key".utf8)
    }

    static func auditSigningKey(vaultID: String) -> [UInt8] {
        Array("lockstep/v1|vault=\(vaultID)|audit-signing-key".utf8)
    }

    /// Message for the key check value: keyed BLAKE2b of this under the vault key.
    static func keyCheck(vaultID: String) -> [UInt8] {
        Array("lockstep/v1|vault=\(vaultID)|key-check".utf8)
    }
}
