import CSodiumReference
import LockstepCrypto

/// Seal and open of 1 KiB values: Lockstep's AEAD (guarded key, random nonce, output array,
/// plaintext into sodium_malloc memory on open) against raw libsodium loops.
func cryptoBench(rounds: Int) throws -> String {
    let size = 1024
    let key = try SecretBytes.random(count: 32)
    let value = try SecretBytes.random(count: size)
    let ad = Array("lockstep/v1|vault=bench|credential=c|version=1".utf8)
    let sealed = try AEAD.seal(value, key: key, associatedData: ad)

    // Raw references: plain heap buffers, key in an ordinary array.
    var rawKey = [UInt8](repeating: 0, count: 32)
    randombytes_buf(&rawKey, 32)
    var plain = [UInt8](repeating: 7, count: size)
    var out = [UInt8](repeating: 0, count: size + 40)
    var nonce = [UInt8](repeating: 0, count: 24)
    var rawSealed = [UInt8](repeating: 0, count: size + 16)
    randombytes_buf(&nonce, 24)
    var clen: UInt64 = 0
    _ = crypto_aead_xchacha20poly1305_ietf_encrypt(&rawSealed, &clen, plain, UInt64(size), ad, UInt64(ad.count), nil, nonce, rawKey)

    let seal = try abCompare([
        Contender(name: "Lockstep AEAD.seal") { n in for _ in 0..<n { _ = try AEAD.seal(value, key: key, associatedData: ad) } },
        Contender(name: "raw crypto_aead_xchacha20poly1305_ietf_encrypt") { n in
            for _ in 0..<n {
                randombytes_buf(&nonce, 24)
                var l: UInt64 = 0
                _ = crypto_aead_xchacha20poly1305_ietf_encrypt(&out, &l, plain, UInt64(size), ad, UInt64(ad.count), nil, nonce, rawKey)
            }
        },
    ], opsPerRound: 20_000, rounds: rounds)

    let open = try abCompare([
        Contender(name: "Lockstep AEAD.open → SecretBytes") { n in for _ in 0..<n { _ = try AEAD.open(sealed, key: key, associatedData: ad) } },
        Contender(name: "raw decrypt into a plain buffer") { n in
            for _ in 0..<n {
                var l: UInt64 = 0
                _ = crypto_aead_xchacha20poly1305_ietf_decrypt(&plain, &l, nil, rawSealed, clen, ad, UInt64(ad.count), nonce, rawKey)
            }
        },
        Contender(name: "raw decrypt into sodium_malloc memory") { n in
            for _ in 0..<n {
                let p = sodium_malloc(size)!
                var l: UInt64 = 0
                _ = crypto_aead_xchacha20poly1305_ietf_decrypt(p.assumingMemoryBound(to: UInt8.self), &l, nil, rawSealed, clen, ad, UInt64(ad.count), nonce, rawKey)
                _ = sodium_mprotect_noaccess(p)
                sodium_free(p)
            }
        },
    ], opsPerRound: 20_000, rounds: rounds)

    var md = "| operation (1 KiB) | ns/op | ops/s | MiB/s | vs raw |\n|---|---:|---:|---:|---:|\n"
    for (group, raw) in [(seal, seal[1]), (open, open[1])] {
        for r in group {
            md += "| \(r.name) | \(fmt(r.nsPerOp, 0)) | \(fmt(r.opsPerSecond, 0)) | \(fmt(r.opsPerSecond * Double(size) / 1_048_576)) | \(fmt(raw.nsPerOp / r.nsPerOp, 2))× |\n"
        }
    }
    let sealRatio = seal[1].nsPerOp / seal[0].nsPerOp
    let openRatio = open[2].nsPerOp / open[0].nsPerOp
    md += "\nSeal: Lockstep runs at \(fmt(sealRatio * 100))% of raw libsodium's throughput (target ≥ 90%: \(sealRatio >= 0.9 ? "met" : "NOT met")).\n"
    md += "Open: against a raw loop that also decrypts into guarded `sodium_malloc` memory (the same work), \(fmt(openRatio * 100))% (target ≥ 90%: \(openRatio >= 0.9 ? "met" : "NOT met")); "
    md += "against decrypting into a plain reused buffer, \(fmt(open[1].nsPerOp / open[0].nsPerOp * 100))%. The gap is the price of guarded memory (mmap + mprotect + guard pages per value), which Lockstep pays on purpose.\n"
    return md
}
