import Foundation
import LockstepCore
import Testing

@Suite("SecretRef: one typed reference to a Secret key, text only at the edges")
struct SecretRefTests {
    @Test("namespace/name#key parses and prints back; a missing or empty part does not parse")
    func parsing() {
        let ref = SecretRef(reference: "unique/chat-backend-litellm#LITELLM_API_KEY")
        #expect(ref == SecretRef(namespace: "unique", name: "chat-backend-litellm", key: "LITELLM_API_KEY"))
        #expect(ref?.reference == "unique/chat-backend-litellm#LITELLM_API_KEY")
        #expect(SecretRef(reference: "ns/name#key#more")?.key == "key#more", "a key may hold #")
        for bad in ["", "ns", "ns/name", "/name#key", "ns/#key", "ns/name#", "ns#key"] {
            #expect(SecretRef(reference: bad) == nil, "\(bad)")
        }
    }

    @Test("a status's drift is typed in code and namespace/name#key texts in JSON, as before; a bad text is refused")
    func statusJSON() throws {
        var status = CredentialStatus(credential: "litellm-master-key", state: .ok, currentVersion: 3, currentSince: nil, ageSeconds: 10,
                                      maxAgeSeconds: nil, nextDue: nil, lastOutcome: "succeeded")
        status.drift = [SecretRef(namespace: "unique", name: "chat-backend-litellm", key: "LITELLM_API_KEY")]
        let json = String(decoding: try JSONEncoder().encode(status), as: UTF8.self)
        #expect(json.contains(#""drift":["unique\/chat-backend-litellm#LITELLM_API_KEY"]"#), "\(json)")
        #expect(try JSONDecoder().decode(CredentialStatus.self, from: Data(json.utf8)) == status)
        let unchecked = try JSONDecoder().decode(CredentialStatus.self, from: Data(#"{"credential":"x","state":"ok"}"#.utf8))
        #expect(unchecked.drift == nil)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(CredentialStatus.self, from: Data(#"{"credential":"x","state":"ok","drift":["nope"]}"#.utf8)) }
    }
}
