/// GPU readings from `nvidia-smi --query-gpu=… --format=csv,noheader,nounits`, one line per GPU.
///
/// The fields are those relay-bench's telemetry recorded (temperature, utilisation, memory, power,
/// clocks, fan and performance state), each a topic of its own per GPU: `gpu0.temperature.gpu`.
/// `[N/A]` and `[Not Supported]` readings are left out rather than recorded as zero.
enum GPUTelemetry {
    /// The queried fields and their units; `nounits` strips the units, so they are kept here.
    static let fields: [(name: String, unit: String?)] = [
        ("index", nil), ("temperature.gpu", "C"), ("utilization.gpu", "%"), ("utilization.memory", "%"),
        ("memory.used", "MiB"), ("memory.total", "MiB"), ("power.draw", "W"), ("clocks.sm", "MHz"),
        ("clocks.mem", "MHz"), ("fan.speed", "%"), ("pstate", nil),
    ]

    static var arguments: [String] {
        ["--query-gpu=" + fields.map(\.name).joined(separator: ","), "--format=csv,noheader,nounits"]
    }

    /// One reading per topic; `nil` when nvidia-smi is not installed or fails (no GPU, no driver).
    static func read(timeout: Duration) async -> [String: (unit: String?, value: Double)]? {
        guard let result = try? await CommandRunner.run("nvidia-smi", arguments: arguments, timeout: timeout, outputLimit: 1 << 20),
              result.succeeded else { return nil }
        return parse(result.standardOutput)
    }

    static func parse(_ text: String) -> [String: (unit: String?, value: Double)] {
        var readings: [String: (unit: String?, value: Double)] = [:]
        for (line, row) in text.split(separator: "\n").enumerated() {
            let cells = row.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == fields.count else { continue }
            let gpu = "gpu" + (Int(cells[0]).map(String.init) ?? String(line))
            for (field, cell) in zip(fields, cells).dropFirst() {
                // pstate reads P0 (fastest) to P12; the number is what a plot can use.
                let number = field.name == "pstate" ? Double(cell.dropFirst()) : Double(cell)
                if let number { readings["\(gpu).\(field.name)"] = (field.unit, number) }
            }
        }
        return readings
    }
}

import Foundation
