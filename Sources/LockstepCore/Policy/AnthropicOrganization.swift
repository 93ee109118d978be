/// An Anthropic organization whose API keys Lockstep can disable through the Admin API (list,
/// get, update `status`; docs/providers.md). The Admin API cannot create keys: the new value
/// still comes from a person, and after the rollout Lockstep sets the old key `inactive` and
/// checks that Anthropic refuses it.
public struct AnthropicOrganization: Sendable, Equatable {
    public static let defaultBaseURL = "https://api.anthropic.com"
    /// The `anthropic-version` header the Admin API documents.
    public static let apiVersion = "2023-06-01"

    /// The vault credential holding the organization's Admin API key (`sk-ant-admin…`).
    public let adminKey: CredentialName
    /// The API's base URL (a test bench's fake).
    public let baseURL: String

    public init(adminKey: CredentialName, baseURL: String = Self.defaultBaseURL) {
        self.adminKey = adminKey
        self.baseURL = baseURL
    }
}
