import Logging
import NIOCore
import NIOPosix
import PostgresNIO

/// One new connection to a target, as a consumer that connects per request does: PostgreSQL
/// logs in and runs `SELECT 1`; Redis sends `AUTH user password` and `PING`. Every failure is
/// described by what failed (refused login, no answer), never by a password. This is the load's
/// own client, independent of Lockstep's adapters.
enum ConnectProbe {
    private static let silent = Logger(label: "lockstep-connect.postgres", factory: { _ in SwiftLogNoOpLogHandler() })

    /// nil on success, else what failed.
    static func attempt(_ target: ConnectTarget, timeout: Duration) async -> String? {
        await withTaskGroup(of: String?.self) { group in
            group.addTask { await once(target) }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return "no answer within \(timeout)"
            }
            let first = await group.next() ?? "no result"
            group.cancelAll()
            return first
        }
    }

    private static func once(_ target: ConnectTarget) async -> String? {
        switch target {
        case .postgres(let host, let port, let user, let password, let database):
            var configuration = PostgresConnection.Configuration(host: host, port: port, username: user, password: password, database: database, tls: .disable)
            configuration.options.connectTimeout = .seconds(5)
            do {
                let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: silent)
                defer { Task { try? await connection.close() } }
                _ = try await connection.query("SELECT 1", logger: silent).collect()
                return nil
            } catch let error as PSQLError {
                return "PostgreSQL: \(error.serverInfo?[.sqlState].map { "SQLSTATE \($0)" } ?? "\(error.code)")"
            } catch {
                return "PostgreSQL: \(type(of: error))"
            }
        case .redis(let host, let port, let user, let password):
            do {
                let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                    .connectTimeout(.seconds(5))
                    .connect(host: host, port: port) { channel in
                        channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
                    }
                return try await channel.executeThenClose { inbound, outbound in
                    var command = ByteBuffer()
                    for words in [["AUTH", user, password], ["PING"]] {
                        command.writeString("*\(words.count)\r\n")
                        for w in words { command.writeString("$\(w.utf8.count)\r\n\(w)\r\n") }
                    }
                    try await outbound.write(command)
                    var received = ""
                    for try await var chunk in inbound {
                        received += chunk.readString(length: chunk.readableBytes) ?? ""
                        let lines = received.split(separator: "\r\n", omittingEmptySubsequences: true)
                        if lines.count >= 2 || received.hasPrefix("-") {
                            guard received.hasPrefix("+OK\r\n") else { return "Redis: AUTH refused (\(received.prefix(9)))" }
                            return lines.count >= 2 && lines[1] == "+PONG" ? nil : "Redis: no PONG"
                        }
                    }
                    return "Redis: connection closed"
                }
            } catch {
                return "Redis: \(type(of: error))"
            }
        }
    }
}
