import Foundation

/// cargo-criterion's `--message-format=json`: one JSON object a line, and for each benchmark a
/// `{"reason":"benchmark-complete","id":…,"iteration_count":[…],"measured_values":[…],"unit":"ns",…}`.
///
/// Each sample's time per iteration, `measured_values[i] / iteration_count[i]`, is one sample, in
/// the message's `unit` (`ns` for wall time). A benchmark with `throughput` also gets the series
/// `name.throughput` (or `name.throughput.<unit>` when it has several), each sample's
/// `per_iteration` over its time, in B/s or items/s, higher is better. criterion's estimates
/// (`typical`, `mean`, `median`, `slope`, `change`) are derived from the samples and are not stored.
/// Other messages (`group-complete`, cargo's `compiler-artifact`) and lines that are not JSON are
/// skipped; a line that starts as a JSON object but does not parse is refused, as a cut file ends so.
/// Names follow `criterion-text`: `sort/unstable/64` is `sort/unstable` with `input=64`.
enum CriterionJSONFormat {
    static func parse(_ text: String, _ context: FormatContext) throws(FormatError) -> ParsedOutput {
        var results: [BenchmarkResult] = []
        for (index, line) in text.outputLines.enumerated() {
            let trimmed = line.trimmedWhitespace
            guard trimmed.startsWith("{") else { continue }
            let message: JSONValue
            do {
                message = try JSONValue.parse(Data(trimmed.utf8))
            } catch {
                throw context.error("line \(index + 1)", "column \(error.column): \(error.reason); the message is cut or is not JSON")
            }
            let place = "line \(index + 1)"
            let fields = try context.object(message, place)
            guard case .string("benchmark-complete")? = fields["reason"] else { continue }
            results += try benchmark(fields, place, context)
        }
        guard !results.isEmpty else {
            throw context.error("-", "holds no {\"reason\":\"benchmark-complete\"} messages; is this `cargo criterion --message-format=json` output?")
        }
        return ParsedOutput(results: results)
    }

    /// True for cargo-criterion's messages, written by serde without spaces.
    static func recognizes(_ probe: FormatProbe) -> Bool {
        probe.text.contains(#"{"reason":"benchmark-complete""#)
    }

    private static func benchmark(_ fields: [String: JSONValue], _ place: String, _ context: FormatContext) throws(FormatError) -> [BenchmarkResult] {
        let id = try context.string(fields["id"], "\(place).id")
        let counts = try context.numbers(fields["iteration_count"], "\(place).iteration_count")
        let values = try context.numbers(fields["measured_values"], "\(place).measured_values")
        let unit = try context.string(fields["unit"], "\(place).unit")
        guard counts.count == values.count else {
            throw context.error(place, "'\(id)' has \(counts.count) iteration counts but \(values.count) measured values; the message is damaged")
        }
        if let zero = counts.firstIndex(where: { $0 <= 0 }) {
            throw context.error("\(place).iteration_count[\(zero)]", "is \(counts[zero]); every sample needs at least one iteration")
        }
        var result = CriterionTextFormat.result(id)
        result.unit = unit
        result.direction = ResultValidation.direction(ofUnit: unit).direction
        result.samples = zip(values, counts).map { $0 / $1 }
        var all = [result]
        guard case .array(let throughputs)? = fields["throughput"], unit == "ns" else { return all }
        for (index, item) in throughputs.enumerated() {
            let path = "\(place).throughput[\(index)]"
            let throughput = try context.object(item, path)
            let amount = try context.number(throughput["per_iteration"], "\(path).per_iteration")
            let kind = try context.string(throughput["unit"], "\(path).unit")
            let rateUnit = kind == "bytes" ? "B/s" : "items/s"
            let suffix = throughputs.count > 1 ? ".throughput.\(kind)" : ".throughput"
            // A sample of zero time has no rate; criterion never measures one, but the file may say so.
            let rates = result.samples.map { $0 > 0 ? amount / ($0 / 1e9) : 0 }
            all.append(BenchmarkResult(benchmark: result.benchmark + suffix, parameters: result.parameters, unit: rateUnit,
                                       direction: .higherIsBetter, samples: rates))
        }
        return all
    }
}
