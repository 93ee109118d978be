/// A Google Cloud project whose Gemini API keys Lockstep mints and deletes through the API Keys
/// API (docs/providers.md): each rotation creates a key with the restrictions of the key in use
/// (a long-running operation), reads its value with `getKeyString`, and after the rollout deletes
/// the key that held the old value; the Gemini API then refuses it. Lockstep signs in as a
/// service account whose JSON key is a credential in the vault.
public struct GoogleProject: Sendable, Equatable {
    public static let defaultKeyPrefix = "lockstep"
    public static let apiKeysURL = "https://apikeys.googleapis.com"
    public static let resourceManagerURL = "https://cloudresourcemanager.googleapis.com"
    public static let generativeLanguageURL = "https://generativelanguage.googleapis.com"

    /// The project id or number (`my-project`, `123456789012`).
    public let project: String
    /// The vault credential holding the service account's JSON key (never in the policy).
    public let serviceAccountKey: CredentialName
    /// The start of the minted keys' ids and display names (`PREFIX-20260105-090000`).
    public let keyPrefix: String
    /// The API Keys API, Resource Manager (for the permission check) and the Gemini API; all three
    /// at one base for a test bench's fake.
    public let apiKeysURL: String
    public let resourceManagerURL: String
    public let generativeLanguageURL: String

    public init(project: String, serviceAccountKey: CredentialName, keyPrefix: String = Self.defaultKeyPrefix, baseURL: String? = nil) {
        self.project = project
        self.serviceAccountKey = serviceAccountKey
        self.keyPrefix = keyPrefix
        self.apiKeysURL = baseURL ?? Self.apiKeysURL
        self.resourceManagerURL = baseURL ?? Self.resourceManagerURL
        self.generativeLanguageURL = baseURL ?? Self.generativeLanguageURL
    }
}
