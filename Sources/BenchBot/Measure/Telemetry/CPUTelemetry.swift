import Foundation

/// CPU readings: per-core utilisation from `/proc/stat`, per-core frequency from
/// `/sys/devices/system/cpu/cpu*/cpufreq` (or `/proc/cpuinfo` where the kernel exposes no
/// cpufreq, as in most VMs), and every temperature, fan and power input `sensors -j` reports.
///
/// Readings are grouped as Relay's CPU telemetry files group them: adapter → sensor → value.
struct CPUTelemetry {
    /// Jiffies a core spent busy and in total, from one `/proc/stat` line.
    struct CoreTimes: Sendable, Hashable {
        var busy: UInt64
        var total: UInt64
    }

    static let utilizationAdapter = "cpu-utilization-percent"
    static let frequencyAdapter = "cpu-frequency-mhz"

    let procRoot: String
    let sysRoot: String
    private var previous: [String: CoreTimes] = [:]

    /// - Parameters:
    ///   - procRoot: `/proc`; tests point it at a copy.
    ///   - sysRoot: `/sys`.
    init(procRoot: String = "/proc", sysRoot: String = "/sys") {
        self.procRoot = procRoot
        self.sysRoot = sysRoot
    }

    /// One reading. Utilisation covers the time since the previous reading, so the first has none.
    ///
    /// - Parameter sensorsTimeout: How long `sensors -j` may take; it is skipped when not installed.
    mutating func read(sensorsTimeout: Duration) async -> [String: [String: Double]] {
        var readings: [String: [String: Double]] = [:]
        if let text = try? String(contentsOfFile: (procRoot as NSString).appendingPathComponent("stat"), encoding: .utf8) {
            let current = Self.parseStat(text)
            var utilization: [String: Double] = [:]
            for (core, now) in current {
                guard let before = previous[core], now.total > before.total else { continue }
                utilization[core] = Double(now.busy &- before.busy) / Double(now.total - before.total) * 100
            }
            if !utilization.isEmpty { readings[Self.utilizationAdapter] = utilization }
            previous = current
        }
        let frequencies = readFrequencies()
        if !frequencies.isEmpty { readings[Self.frequencyAdapter] = frequencies }
        if let sensors = await Self.runSensors(timeout: sensorsTimeout) {
            readings.merge(Self.parseSensors(sensors)) { $1 }
        }
        return readings
    }

    /// `cpu0 user nice system idle iowait irq softirq steal …` → busy and total jiffies per core.
    /// The aggregate `cpu` line is kept as `cpu`.
    static func parseStat(_ text: String) -> [String: CoreTimes] {
        var cores: [String: CoreTimes] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("cpu") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            let values = fields.dropFirst().prefix(8).compactMap { UInt64($0) }
            guard values.count >= 4 else { continue }
            let idle = values[3] + (values.count > 4 ? values[4] : 0)
            let total = values.reduce(0, +)
            cores[String(fields[0])] = CoreTimes(busy: total - idle, total: total)
        }
        return cores
    }

    private func readFrequencies() -> [String: Double] {
        var frequencies: [String: Double] = [:]
        let cpuFolder = (sysRoot as NSString).appendingPathComponent("devices/system/cpu")
        for name in (try? FileManager.default.contentsOfDirectory(atPath: cpuFolder)) ?? [] where name.hasPrefix("cpu") && Int(name.dropFirst(3)) != nil {
            let file = "\(cpuFolder)/\(name)/cpufreq/scaling_cur_freq"
            if let text = try? String(contentsOfFile: file, encoding: .utf8), let kilohertz = Double(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                frequencies[name] = kilohertz / 1000
            }
        }
        guard frequencies.isEmpty, let cpuinfo = try? String(contentsOfFile: (procRoot as NSString).appendingPathComponent("cpuinfo"), encoding: .utf8) else {
            return frequencies
        }
        var processor: String?
        for line in cpuinfo.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { continue }
            if parts[0] == "processor" { processor = "cpu\(parts[1])" }
            if parts[0] == "cpu MHz", let processor, let megahertz = Double(parts[1]) { frequencies[processor] = megahertz }
        }
        return frequencies
    }

    private static func runSensors(timeout: Duration) async -> String? {
        guard let result = try? await CommandRunner.run("sensors", arguments: ["-j"], timeout: timeout, outputLimit: 1 << 20),
              result.succeeded else { return nil }
        return result.standardOutput
    }

    /// `sensors -j`: `{"coretemp-isa-0000": {"Adapter": "ISA adapter", "Core 0": {"temp2_input": 45.0, …}}}`.
    /// Every `*_input` is a reading, named `Core 0` (or `Core 0/fan1` when a chip lists several).
    static func parseSensors(_ text: String) -> [String: [String: Double]] {
        guard case .object(let chips)? = try? JSONValue.parse(Data(text.utf8)) else { return [:] }
        var readings: [String: [String: Double]] = [:]
        for (chip, value) in chips {
            guard case .object(let features) = value else { continue }
            for (feature, subfeatures) in features {
                guard case .object(let fields) = subfeatures else { continue }
                let inputs = fields.filter { $0.key.hasSuffix("_input") }
                for (field, reading) in inputs {
                    guard case .number(let number) = reading else { continue }
                    let name = inputs.count == 1 ? feature : "\(feature)/\(field.dropLast("_input".count))"
                    readings[chip, default: [:]][name] = number
                }
            }
        }
        return readings
    }
}
