import LockstepBench
import Testing

@Suite struct LoadConfigurationTests {
    @Test("--model takes one model, or several comma-separated, asked in turn")
    func models() {
        var c = LoadConfiguration(baseURL: "http://127.0.0.1:1", apiKey: nil)
        #expect(c.models == ["mock-gpt"])
        c.model = "azure-gpt-4o, claude-haiku,,"
        #expect(c.models == ["azure-gpt-4o", "claude-haiku"])
        c.model = ","
        #expect(c.models == [","], "nothing but separators: sent as written, and the gateway names the unknown model")
    }
}
