import Foundation
import LockstepCrypto

func hex(_ s: String) -> [UInt8] { Hex.decode(s)! }

func secret(_ bytes: [UInt8]) throws -> SecretBytes {
    try bytes.withUnsafeBytes { try SecretBytes(copying: $0) }
}

func secret(_ text: String) throws -> SecretBytes { try secret(Array(text.utf8)) }

func fixtureURL(_ name: String) -> URL {
    Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil)!
}
