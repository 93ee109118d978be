/// Kubernetes-style random name suffixes (consonants and digits, as `generateName` uses).
enum RandomName {
    private static let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")

    static func suffix(_ length: Int) -> String {
        String((0..<length).map { _ in alphabet.randomElement()! })
    }
}
