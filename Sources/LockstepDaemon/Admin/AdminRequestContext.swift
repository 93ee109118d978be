import Hummingbird
import NIOCore

/// Request context of the admin API: keeps the connection so that handlers can ask the kernel
/// who the peer is (`SO_PEERCRED`).
public struct AdminRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}
