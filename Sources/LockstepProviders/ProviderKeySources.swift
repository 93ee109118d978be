import LockstepCore
import LockstepCrypto

/// The adapters for the sources this build knows, reading admin credentials (an Azure client
/// secret, an Anthropic or OpenAI Admin API key, a Google service account's JSON key, a PostgreSQL or Redis admin password) from `secret`, typically the vault.
public enum ProviderKeySources {
    /// `retry`: one policy for every adapter (tests); by default each provider's own.
    public static func factory(secret: @escaping @Sendable (CredentialName) throws -> SecretBytes, retry: RetryPolicy? = nil) -> KeySourceFactory {
        { source in
            switch source {
            case .azure(let account):
                let client = AzureKeysClient(account: account, clientSecret: try secret(account.clientSecret), retry: retry ?? .azure)
                return AzureKeySource(account: account, client: client)
            case .anthropic(let organization):
                return AnthropicKeySource(client: AnthropicAdminClient(organization: organization, adminKey: try secret(organization.adminKey), retry: retry ?? .anthropic))
            case .openai(let project):
                let client = OpenAIAdminClient(project: project, adminKey: try secret(project.adminKey), retry: retry ?? .openai)
                return OpenAIKeySource(project: project, client: client)
            case .google(let project):
                let client = try GoogleKeysClient(project: project, serviceAccountKey: try secret(project.serviceAccountKey), retry: retry ?? .google)
                return GoogleKeySource(project: project, client: client)
            case .postgres(let server):
                return PostgresPasswordSource(server: server, adminPassword: try secret(server.adminPassword))
            case .redis(let server):
                return RedisPasswordSource(server: server, adminPassword: try secret(server.adminPassword))
            case .generate, .manual:
                return nil
            }
        }
    }
}
