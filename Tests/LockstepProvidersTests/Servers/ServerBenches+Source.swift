import LockstepCrypto
import LockstepProviders
import LockstepTesting

extension PostgresBench {
    func source(timeout: Duration = .seconds(10)) throws -> PostgresPasswordSource {
        PostgresPasswordSource(server: policy, adminPassword: try SecretBytes(utf8: adminPassword), timeout: timeout)
    }
}

extension RedisBench {
    func source(timeout: Duration = .seconds(10)) throws -> RedisPasswordSource {
        RedisPasswordSource(server: policy, adminPassword: try SecretBytes(utf8: adminPassword), timeout: timeout)
    }
}
