import Foundation

/// The resident memory of a set of pods' processes, each pod's whole process group (LiteLLM
/// runs as one Python process, but a pod may fork). Linux /proc only; 0 elsewhere.
enum GatewayMemory {
    /// Bytes resident in every process whose process group is one of `groups`.
    static func residentBytes(processGroups groups: Set<Int32>) -> Int {
        guard !groups.isEmpty, let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return 0 }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        var total = 0
        for entry in entries where entry.first?.isNumber == true {
            // /proc/PID/stat: "pid (comm) state ppid pgrp ..."; comm may hold spaces, so split after ')'.
            guard let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 2, let pgrp = Int32(fields[2]), groups.contains(pgrp),
                  let statm = try? String(contentsOfFile: "/proc/\(entry)/statm", encoding: .utf8) else { continue }
            let parts = statm.split(separator: " ")
            if parts.count > 1, let resident = Int(parts[1]) { total += resident * page }
        }
        return total
    }
}

/// Samples the gateway pods' resident memory every 250 ms; the peak above the first sample.
final class GatewayMemorySampler: @unchecked Sendable {
    private let lock = NSLock()
    private var baseline: Int?
    private var peak = 0
    private var task: Task<Void, Never>?

    init(_ scenario: RunningScenario, namespace: String, names: [String]) {
        task = Task { [self] in
            while !Task.isCancelled {
                var groups = Set<Int32>()
                for name in names { for pod in await scenario.sim.pods(namespace: namespace, name: name) { if let pid = pod.processID { groups.insert(pid) } } }
                let bytes = GatewayMemory.residentBytes(processGroups: groups)
                lock.withLock {
                    if baseline == nil { baseline = bytes }
                    peak = max(peak, bytes)
                }
                try? await Task.sleep(for: .milliseconds(250))
            }
        }
    }

    /// Stops sampling; the peak extra resident memory in MiB over the first sample.
    func finish() async -> Double {
        task?.cancel()
        await task?.value
        return lock.withLock { Double(max(0, peak - (baseline ?? peak))) / 1_048_576 }
    }
}
