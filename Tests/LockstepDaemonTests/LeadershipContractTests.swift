import LockstepDaemon
import Testing

@Suite struct LeadershipContractTests {
    @Test func soleLeaderAlwaysLeadsAndNamesNoLease() async {
        let s = await SoleLeader(identity: "pod-a").snapshot()
        #expect(s.isLeader)
        #expect(s.holder == "pod-a")
        #expect(s.lease == nil)
    }
}
