import Compare
import Foundation

/// airspeed velocity (asv): a results file (`results/<machine>/<commit>-<env>.json`) or the
/// console output of `asv run` (see `AsvFormat+Console.swift`).
///
/// Results files of asv 0.5 and 0.6 (`version` 2) hold one row per benchmark, its columns named by
/// `result_columns`; asv 0.4 and older (`version` 1) hold a number, `null`, `NaN` or
/// `{"result": [...], "params": [...]}` per benchmark. Every raw sample is kept where asv recorded
/// them (`asv run --record-samples`, the `samples` column); otherwise the file holds one value per
/// benchmark, asv's summary (the median for timings), and that value is the one sample stored.
/// Parameterised benchmarks become one series per combination, the parameters named by
/// `param_names` from the `benchmarks.json` two folders up when it is there (`param1`, … when not).
/// Units follow asv's benchmark types: `time_` in s, `mem_` and `peakmem_` in B, `track_` in the
/// benchmark's `unit` from `benchmarks.json`, with a guessed direction and a warning. A `null`
/// (failed) or `NaN` (skipped) result is that benchmark's failure; the rest are stored.
enum AsvFormat {
    /// What `benchmarks.json` says of one benchmark.
    struct Description {
        var type: String?
        var unit: String?
        var parameterNames: [String] = []
    }

    static func parse(_ data: Data, _ context: FormatContext) throws(FormatError) -> ParsedOutput {
        guard data.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }) == UInt8(ascii: "{") else {
            return try parseConsole(String(decoding: data, as: UTF8.self), context)
        }
        let root = try context.object(try context.json(pythonJSON(data)), "-")
        guard case .object(let results)? = root["results"] else {
            if root["machine"] != nil, root["os"] != nil {
                throw context.error("-", "is asv's machine.json, not results; pass a results file, results/<machine>/<commit>-<env>.json")
            }
            if root.values.contains(where: { if case .object(let fields) = $0 { fields["code"] != nil && fields["type"] != nil } else { false } }) {
                throw context.error("-", "is asv's benchmarks.json (the list of benchmarks), not results; pass a results file, results/<machine>/<commit>-<env>.json")
            }
            throw context.error("results", "missing; is this really an asv results file?")
        }
        let descriptions = benchmarksJSON(nextTo: context.file)
        var builder = AsvResults(descriptions: descriptions.descriptions)
        if let problem = descriptions.problem { builder.warnings.append(problem) }
        if case .array(let columns)? = root["result_columns"] {
            let names = columns.map { if case .string(let name) = $0 { name } else { "" } }
            guard let resultColumn = names.firstIndex(of: "result") else {
                throw context.error("result_columns", "has no 'result' column; is this really an asv results file?")
            }
            let paramsColumn = names.firstIndex(of: "params"), samplesColumn = names.firstIndex(of: "samples")
            for name in results.keys.sorted() {
                let row = try context.array(results[name], "results.\(name)")
                func column(_ index: Int?) -> JSONValue? { index.flatMap { $0 < row.count ? row[$0] : nil } }
                try builder.add(name, result: column(resultColumn) ?? .null, params: column(paramsColumn), samples: column(samplesColumn),
                                path: "results.\(name)", context)
            }
        } else {
            for name in results.keys.sorted() {
                let value = results[name] ?? .null
                if case .object(let fields) = value {
                    try builder.add(name, result: fields["result"] ?? .null, params: fields["params"], samples: fields["samples"],
                                    path: "results.\(name)", context)
                } else {
                    try builder.add(name, result: value, params: nil, samples: nil, path: "results.\(name)", context)
                }
            }
        }
        return try builder.output(context)
    }

    /// True for a results file (`results` with `commit_hash` or `result_columns`) or for `asv run`'s console output.
    static func recognizes(_ probe: FormatProbe) -> Bool {
        if let json = probe.json ?? (try? JSONValue.parse(pythonJSON(probe.data))) {
            guard case .object(let root) = json, case .object? = root["results"] else { return false }
            return root["result_columns"] != nil || (root["commit_hash"] != nil && root["env_name"] != nil)
                || (root["commit_hash"] != nil && root["python"] != nil)
        }
        return probe.text.contains(" total benchmarks (") && probe.text.contains("] ··· ")
    }

    /// Python's `json.dump` writes `NaN`, `Infinity` and `-Infinity`, which JSON has no words for.
    /// Outside strings they become the strings `"NaN"` and `"Infinity"`, so a reader can tell a
    /// skipped benchmark (`NaN`) from a failed one (`null`).
    static func pythonJSON(_ data: Data) -> Data {
        let bytes = [UInt8](data)
        let words: [(word: [UInt8], replacement: [UInt8])] = ["-Infinity", "Infinity", "NaN"].map { (Array($0.utf8), Array("\"\($0)\"".utf8)) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 64)
        var inString = false, escaped = false, index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            } else if byte == UInt8(ascii: "N") || byte == UInt8(ascii: "I") || byte == UInt8(ascii: "-"),
                      let match = words.first(where: { bytes[index...].starts(with: $0.word) }) {
                out += match.replacement
                index += match.word.count
                continue
            }
            out.append(byte)
            index += 1
        }
        return Data(out)
    }

    /// `benchmarks.json` two folders up from a results file, the way asv lays them out.
    static func benchmarksJSON(nextTo file: String) -> (descriptions: [String: Description], problem: String?) {
        let results = ((file as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent as NSString
        let path = results.appendingPathComponent("benchmarks.json")
        guard file != "-", let data = FileManager.default.contents(atPath: path) else { return ([:], nil) }
        guard case .object(let entries)? = try? JSONValue.parse(pythonJSON(data)) else {
            return ([:], PlainText.singleLine("\(path) is not JSON, so parameters are named param1, … and track_ units are unknown"))
        }
        var descriptions: [String: Description] = [:]
        for (name, entry) in entries {
            guard case .object(let fields) = entry else { continue }
            var description = Description()
            if case .string(let type)? = fields["type"] { description.type = type }
            if case .string(let unit)? = fields["unit"] { description.unit = unit }
            if case .array(let names)? = fields["param_names"] {
                description.parameterNames = names.map { if case .string(let text) = $0 { text } else { "" } }
            }
            descriptions[name] = description
        }
        return (descriptions, nil)
    }
}
