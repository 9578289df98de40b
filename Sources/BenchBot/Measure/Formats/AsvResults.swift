import Compare

/// asv's results as series: one per benchmark and parameter combination, in asv's units, with a
/// failure for each `null` (failed) or `NaN` (skipped) value. Shared by the results file and the console.
struct AsvResults {
    let descriptions: [String: AsvFormat.Description]
    private(set) var results: [BenchmarkResult] = []
    private(set) var failures: [BenchmarkFailure] = []
    var warnings: [String] = []
    private var guessedUnits: [(unit: String, series: [String])] = []
    private var unnamedParameters: [String] = []

    init(descriptions: [String: AsvFormat.Description] = [:]) {
        self.descriptions = descriptions
    }

    /// One benchmark of a results file: `result` a value or one per combination of `params`
    /// (asv's order, the last parameter varying fastest), `samples` a list per combination or `null`.
    mutating func add(_ name: String, result: JSONValue, params: JSONValue?, samples: JSONValue?, path: String,
                      _ context: FormatContext) throws(FormatError) {
        var lists: [[String]] = []
        if case .array(let given)? = params {
            for (index, list) in given.enumerated() {
                lists.append(try context.array(list, "\(path).params[\(index)]").map(Self.parameterText))
            }
        }
        var combinations = 1
        for list in lists {
            let (product, overflow) = combinations.multipliedReportingOverflow(by: list.count)
            guard !overflow, product <= ResultValidation.maximumSeries else {
                throw context.error("\(path).params", "has more parameter combinations than the \(ResultValidation.maximumSeries) series one run may store")
            }
            combinations = product
        }
        let values: [JSONValue]
        if case .array(let items) = result { values = items } else { values = Array(repeating: result, count: combinations) }
        guard values.count == combinations else {
            throw context.error("\(path).result", "holds \(values.count) value(s) for \(combinations) parameter combination(s); is the file cut or edited?")
        }
        var sampleLists: [JSONValue]?
        if case .array(let items)? = samples, items.count == combinations { sampleLists = items }
        let names = parameterNames(name, count: lists.count)
        for index in 0..<combinations {
            var parameters: [String: String] = [:]
            var rest = index
            for position in lists.indices.reversed() where !lists[position].isEmpty {
                parameters[names[position]] = lists[position][rest % lists[position].count]
                rest /= lists[position].count
            }
            let at = combinations == 1 && lists.isEmpty ? "\(path).result" : "\(path).result[\(index)]"
            switch values[index] {
            case .number(let value):
                var measured = [value]
                if case .array? = sampleLists?[index] {
                    let all = try context.numbers(sampleLists?[index], "\(path).samples[\(index)]")
                    if !all.isEmpty { measured = all }
                }
                add(name, parameters: parameters, samples: measured)
            case .null:
                fail(name, parameters: parameters, reason: "asv recorded no result: the benchmark failed (its traceback is in asv's output)")
            case .string("NaN"):
                fail(name, parameters: parameters, reason: "asv recorded NaN: the benchmark was skipped (it raised NotImplementedError)")
            case .string(let infinite) where infinite.hasSuffix("Infinity"):
                fail(name, parameters: parameters, reason: "asv recorded \(infinite), not a measurement")
            default:
                throw context.error(at, "is \(values[index].typeName), expected a number, null or NaN")
            }
        }
    }

    /// One series, its unit from the benchmark's type.
    mutating func add(_ name: String, parameters: [String: String], samples: [Double]) {
        let (unit, direction, guessed) = unit(of: name)
        let result = BenchmarkResult(benchmark: name, parameters: parameters, unit: unit, direction: direction, samples: samples)
        if guessed {
            if let index = guessedUnits.firstIndex(where: { $0.unit == unit }) {
                guessedUnits[index].series.append(result.displayName)
            } else {
                guessedUnits.append((unit, [result.displayName]))
            }
        }
        results.append(result)
    }

    mutating func fail(_ name: String, parameters: [String: String], reason: String) {
        let label = BenchmarkResult(benchmark: name, parameters: parameters, unit: "", direction: .lowerIsBetter, samples: []).displayName
        failures.append(BenchmarkFailure(benchmark: label, reason: reason))
    }

    /// The results, failures and warnings; a refusal when nothing was measured.
    func output(_ context: FormatContext) throws(FormatError) -> ParsedOutput {
        if results.isEmpty, let failure = failures.first {
            let more = failures.count > 1 ? " (and \(failures.count - 1) more)" : ""
            throw context.error("-", "every benchmark failed, so there is nothing to store: \(failure.benchmark)\(more): \(failure.reason)")
        }
        var warnings = self.warnings
        if !unnamedParameters.isEmpty {
            let more = unnamedParameters.count > 1 ? " and \(unnamedParameters.count - 1) more" : ""
            warnings.append("\(unnamedParameters[0])\(more): parameters are named param1, … because no asv benchmarks.json is next to the results (results/benchmarks.json)")
        }
        for (unit, series) in guessedUnits {
            let more = series.count > 1 ? " and \(series.count - 1) more series" : ""
            let direction = ResultValidation.direction(ofUnit: unit).direction == .higherIsBetter ? "higher" : "lower"
            warnings.append(PlainText.singleLine("unit '\(unit)' of \(series[0])\(more) is \(unit.isEmpty ? "unknown" : "not one BenchBot knows"): taken as \(direction) is better, a guess"))
        }
        return ParsedOutput(results: results, failures: failures, warnings: warnings)
    }

    /// asv's types (`time`, `memory`, `peakmemory`, `track` in benchmarks.json; else the name's
    /// prefix): timings in seconds, memory in bytes, a `track_` in its `unit`.
    func unit(of name: String) -> (unit: String, direction: Direction, guessed: Bool) {
        let description = descriptions[name]
        let last = name.split(separator: ".").last.map(String.init) ?? name
        let type = description?.type ?? ["timeraw", "time", "peakmem", "mem", "track"].first { last.hasPrefix($0 + "_") }
        switch type {
        case "time", "timeraw": return ("s", .lowerIsBetter, false)
        case "mem", "peakmem", "memory", "peakmemory": return ("B", .lowerIsBetter, false)
        default:
            // asv's own default unit for a track_ is "unit": a plain number, lower is better as asv compares it.
            guard let unit = description?.unit else { return ("", .lowerIsBetter, true) }
            switch unit {
            case "unit": return ("", .lowerIsBetter, false)
            case "seconds": return ("s", .lowerIsBetter, false)
            case "bytes": return ("B", .lowerIsBetter, false)
            default: break
            }
            let (direction, guessed) = ResultValidation.direction(ofUnit: unit)
            return (unit, direction, guessed)
        }
    }

    private mutating func parameterNames(_ name: String, count: Int) -> [String] {
        if let names = descriptions[name]?.parameterNames, names.count == count, Set(names).count == count, !names.contains("") {
            return names
        }
        if count > 0 { unnamedParameters.append(name) }
        return (0..<count).map { "param\($0 + 1)" }
    }

    /// `'int'` → `int`: asv keeps each value's `repr`, and its console shows strings without quotes.
    static func parameterText(_ value: JSONValue) -> String {
        switch value {
        case .string(let text):
            if text.count >= 2, let first = text.first, first == "'" || first == "\"", text.last == first {
                return String(text.dropFirst().dropLast())
            }
            return text
        case .number(let number): return JSONText.number(number)
        default: return String(decoding: value.compactJSON(), as: UTF8.self)
        }
    }
}
