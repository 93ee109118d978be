import LockstepDaemon
import LockstepPolicy
import Testing

/// The daemon config's parser knows the event kinds by name (it cannot import the daemon): the
/// two lists must be the same, or a sink would never get a new kind by default.
@Test("the config parser's event kinds are the daemon's")
func eventKindsAgree() {
    #expect(DaemonConfiguration.eventKinds == DaemonEvent.Kind.allCases.map(\.rawValue))
}
