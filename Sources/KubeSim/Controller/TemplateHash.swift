/// `pod-template-hash`: FNV-1a (32 bit) of the pod template, spelled with Kubernetes' safe alphabet.
enum TemplateHash {
    private static let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")

    static func of(_ template: JSONValue) -> String {
        var hash: UInt32 = 2_166_136_261
        for byte in template.jsonString.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        return String(String(hash).utf8.map { alphabet[Int($0) % alphabet.count] })
    }
}
