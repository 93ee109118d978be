/// The steps a run of `policy` takes when every step succeeds, and what happens on failure:
/// derived from the state machine itself, so the plan cannot drift from what a run does.
public enum RotationPlan {
    public static func steps(for policy: RotationPolicy, kind: RotationRun.Kind, newVersion: Int) -> [RotationAction] {
        var machine = RotationMachine(run: RotationRun(id: "plan", credential: policy.credential.rawValue, kind: kind, policy: policy))
        var out: [RotationAction] = []
        while let action = machine.next(), out.count < 200 {
            out.append(action)
            machine.succeeded(action, newVersion: action == .createVersion ? newVersion : nil)
        }
        return out
    }
}
