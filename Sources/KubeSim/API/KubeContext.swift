import Hummingbird
import NIOCore

/// Request context that keeps the channel, so that the TLS peer certificate can be read.
struct KubeContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}
