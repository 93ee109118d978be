import Dispatch
import Foundation

/// Waits for the first of some signals. Create it before the server starts, so none is lost:
/// it sets the signals to be ignored and delivers them through Dispatch instead.
///
/// `@unchecked Sendable`: the Dispatch sources are only kept alive here, never touched after
/// `init`, and the stream is safe to iterate from any task.
public final class SignalWaiter: @unchecked Sendable {
    private let stream: AsyncStream<Int32>
    private let sources: [any DispatchSourceSignal]

    /// Starts catching `signals` (for example `[SIGTERM, SIGINT]`).
    public init(_ signals: [Int32]) {
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        self.stream = stream
        sources = signals.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
    }

    /// The first signal caught (0 if the stream ended without one).
    public func wait() async -> Int32 {
        for await signal in stream { return signal }
        return 0
    }
}
