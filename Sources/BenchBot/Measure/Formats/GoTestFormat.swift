/// `go test -bench` text output. Each `-count` repetition is one sample; every `value unit`
/// pair is a series (`ns/op` in ns, `B/op` in B, `allocs/op`, custom `MB/s`). `BenchmarkRepeat/n=8-2`
/// becomes `BenchmarkRepeat` with `n=8` and `procs=2`.
enum GoTestFormat {
    static func parse(_ text: String, _ context: FormatContext) throws(FormatError) -> [BenchmarkResult] {
        var order: [String] = []
        var series: [String: BenchmarkResult] = [:]
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("--- FAIL") || line.hasPrefix("FAIL") {
                throw context.error("line \(index + 1)", "go test reported a failure: \(line)")
            }
            guard line.hasPrefix("Benchmark") else { continue }
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard fields.count >= 4, fields.count % 2 == 0, Int(fields[1]) != nil else {
                throw context.error("line \(index + 1)", "is not 'BenchmarkName-P  iterations  value unit …': \(line)")
            }
            let (name, parameters) = split(fields[0])
            for pair in stride(from: 2, to: fields.count, by: 2) {
                guard let value = Double(fields[pair]) else {
                    throw context.error("line \(index + 1)", "'\(fields[pair])' is not a number")
                }
                let (suffix, unit, direction) = metric(fields[pair + 1])
                let key = "\(fields[0])#\(fields[pair + 1])"
                if series[key] == nil {
                    order.append(key)
                    series[key] = BenchmarkResult(benchmark: name + suffix, parameters: parameters, unit: unit, direction: direction, samples: [])
                }
                series[key]!.samples.append(value)
            }
        }
        return order.map { series[$0]! }
    }

    private static func metric(_ unit: String) -> (String, String, Compare.Direction) {
        switch unit {
        case "ns/op": ("", "ns", .lowerIsBetter)
        case "B/op": (".bytes_per_op", "B", .lowerIsBetter)
        case "allocs/op": (".allocs_per_op", "allocs", .lowerIsBetter)
        case "MB/s": (".throughput", "MB/s", .higherIsBetter)
        default: (".\(unit.replacingOccurrences(of: "/", with: "_per_"))", unit, .lowerIsBetter)
        }
    }

    /// `BenchmarkRepeat/n=8-2` → (`BenchmarkRepeat`, `n=8, procs=2`); `a/b` sub-names without `=` become `sub0`.
    private static func split(_ fullName: String) -> (String, [String: String]) {
        var base = fullName
        var parameters: [String: String] = [:]
        if let dash = base.lastIndex(of: "-"), let procs = Int(base[base.index(after: dash)...]) {
            parameters["procs"] = String(procs)
            base = String(base[..<dash])
        }
        let parts = base.split(separator: "/").map(String.init)
        for (index, part) in parts.dropFirst().enumerated() {
            if let equals = part.firstIndex(of: "=") {
                parameters[String(part[..<equals])] = String(part[part.index(after: equals)...])
            } else {
                parameters["sub\(index)"] = part
            }
        }
        return (parts.first ?? base, parameters)
    }
}

import Compare
import Foundation
