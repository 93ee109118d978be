/// An OpenAI project whose gateway key Lockstep mints and retires through the Admin API
/// (docs/providers.md): each rotation creates a project service account, whose API key (answered
/// once, at creation) becomes the new value; after the rollout the service account that owned the
/// old key is deleted (a key owned by a person is deleted by itself), and OpenAI refuses it.
public struct OpenAIProject: Sendable, Equatable {
    public static let defaultBaseURL = "https://api.openai.com"
    public static let defaultServiceAccountPrefix = "lockstep"

    /// The project id (`proj_…`).
    public let project: String
    /// The vault credential holding the organization's Admin API key (`sk-admin-…`; never in the policy).
    public let adminKey: CredentialName
    /// The start of the minted service accounts' names (`PREFIX-20260105-090000`), so that a
    /// person can tell Lockstep's from the others in the dashboard.
    public let serviceAccountPrefix: String
    /// The API's base URL (a test bench's fake).
    public let baseURL: String

    public init(project: String, adminKey: CredentialName, serviceAccountPrefix: String = Self.defaultServiceAccountPrefix, baseURL: String = Self.defaultBaseURL) {
        self.project = project
        self.adminKey = adminKey
        self.serviceAccountPrefix = serviceAccountPrefix
        self.baseURL = baseURL
    }
}
