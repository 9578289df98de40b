import Foundation

/// What a run ran on, stored with it: results are only compared within one machine, and a
/// changed kernel or CPU governor explains a jump no commit caused.
public enum EnvironmentRecord {
    /// BenchBot's own version, recorded with every run.
    public static let benchBotVersion = "0.2.0"

    /// Reads the machine's state now.
    ///
    /// - Parameters:
    ///   - machine: The configured machine name (`benchbot.machine`).
    ///   - counting: Whether runs here may count (`"counters"`): imports were measured elsewhere.
    public static func capture(machine: String, counting: Bool = true) -> [String: String] {
        var record: [String: String] = [
            "machine": machine,
            "hostname": ProcessInfo.processInfo.hostName,
            "cores": String(ProcessInfo.processInfo.activeProcessorCount),
            "benchbot_version": benchBotVersion,
        ]
        record["machine_id"] = firstLine("/etc/machine-id")
        record["kernel"] = kernelRelease()
        record["cpu_model"] = cpuModel()
        record["cpu_governor"] = firstLine("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor") ?? "unavailable"
        record["load_average"] = firstLine("/proc/loadavg").map { $0.split(separator: " ").prefix(3).joined(separator: " ") }
        // What a command experiment's `"counters"` are counted with here: counts from perf and from
        // cachegrind are not comparable, so a change of source must show next to a jump it causes.
        // Results imported from elsewhere were not counted here: no probe, and nothing to record.
        if counting { record["counters"] = CounterSource.probed().environmentValue }
        return record
    }

    private static func firstLine(_ path: String) -> String? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        let line = text.split(separator: "\n").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        return line.isEmpty ? nil : line
    }

    private static func cpuModel() -> String? {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            return line.split(separator: ":", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces)
        }
        return nil
    }

    private static func kernelRelease() -> String? {
        var name = utsname()
        guard uname(&name) == 0 else { return nil }
        return withUnsafeBytes(of: name.release) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
    }
}
