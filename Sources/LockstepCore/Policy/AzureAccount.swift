/// An Azure OpenAI (Cognitive Services) account whose two API keys, `key1` and `key2`, Lockstep
/// alternates through Azure Resource Manager (`listKeys`, `regenerateKey`; docs/providers.md):
/// the gateway moves to the key no one uses, freshly regenerated, and once it is verified on it
/// the key it used before is regenerated too, so the old value is dead at Azure.
public struct AzureAccount: Sendable, Equatable {
    public static let defaultManagementURL = "https://management.azure.com"
    public static let defaultLoginURL = "https://login.microsoftonline.com"
    /// The Cognitive Services management API version that documents both operations.
    public static let defaultAPIVersion = "2023-05-01"

    public let subscription: String
    public let resourceGroup: String
    /// The account (resource) name.
    public let account: String
    /// The Microsoft Entra tenant of the service principal.
    public let tenant: String
    /// The service principal's application (client) id.
    public let clientID: String
    /// The vault credential holding the service principal's client secret (never in the policy).
    public let clientSecret: CredentialName
    /// Azure Resource Manager's base URL (another cloud, or a test bench's fake).
    public let managementURL: String
    /// The token authority's base URL.
    public let loginURL: String
    public let apiVersion: String

    public init(subscription: String, resourceGroup: String, account: String, tenant: String, clientID: String, clientSecret: CredentialName,
                managementURL: String = Self.defaultManagementURL, loginURL: String = Self.defaultLoginURL, apiVersion: String = Self.defaultAPIVersion) {
        self.subscription = subscription
        self.resourceGroup = resourceGroup
        self.account = account
        self.tenant = tenant
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.managementURL = managementURL
        self.loginURL = loginURL
        self.apiVersion = apiVersion
    }

    /// The account's ARM resource path (no secret in it), as audit entries and errors name it.
    public var resourcePath: String {
        "/subscriptions/\(subscription)/resourceGroups/\(resourceGroup)/providers/Microsoft.CognitiveServices/accounts/\(account)"
    }
}
