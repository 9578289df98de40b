import Foundation

/// `go test -bench` text output, with or without `-v`, `-benchmem` and `-count`, of one package
/// or many (`./...`). Each `-count` repetition is one sample; every `value unit` pair is a series
/// (`ns/op` in ns, `B/op` in B, `allocs/op`, `MB/s`, and `b.ReportMetric` units as given, such as
/// `compares/op`, with a guessed direction and a warning). `BenchmarkRepeat/n=8-2` in package
/// `example.com/strs` becomes `BenchmarkRepeat` with `n=8`, `procs=2` and `pkg=example.com/strs`,
/// so one name in two packages stays two series. Lines that are not results (test logs,
/// `=== RUN`, what a benchmark prints to stdout, even glued in front of its result) are skipped.
/// A benchmark's `--- FAIL` is that benchmark's failure; the rest are stored. Output that ends
/// before a package's closing `PASS`, `FAIL` or `ok` line is refused as truncated.
enum GoTestFormat {
    static func parse(_ text: String, _ context: FormatContext) throws(FormatError) -> ParsedOutput {
        try parse(text, context, byteLines: true)
    }

    /// `byteLines`: result lines of the usual shape are read from their bytes (``GoTestReader/read(lines:byteLines:_:number:)``);
    /// `false` reads every line as a `Substring`, the rule the byte path must match (`TextFastPathTests`).
    static func parse(_ text: String, _ context: FormatContext, byteLines: Bool) throws(FormatError) -> ParsedOutput {
        // `\r\n` ends a line as `\n` does: a file saved on Windows reads as the one it was.
        var reader = GoTestReader()
        try reader.read(lines: text, byteLines: byteLines, context) { index, _ in index + 1 }
        return try finish(&reader, context, json: GoTestJSONFormat.recognizes(FormatProbe(Data(text.prefix(64 * 1024).utf8))))
    }

    /// The reader's output, or a refusal when it holds no results: every benchmark failed, or the
    /// file is not `go test -bench` output (`json`: it is `go test -json`'s, which another format reads;
    /// asked only then, as telling costs a JSON parse of the file's start).
    static func finish(_ reader: inout GoTestReader, _ context: FormatContext, json: @autoclosure () -> Bool) throws(FormatError) -> ParsedOutput {
        let output = try reader.finish(context)
        if output.results.isEmpty, let failure = output.failures.first {
            let more = output.failures.count > 1 ? " (and \(output.failures.count - 1) more)" : ""
            throw context.error("-", "every benchmark failed, so there is nothing to store: \(failure.benchmark)\(more): \(failure.reason)")
        }
        guard !output.results.isEmpty else {
            let hint = context.format == .goTest && json() ? "; for go test -json output use --format go-test-json" : "; is this really go test -bench output?"
            throw context.error("-", "holds no benchmark result lines ('BenchmarkName-P  iterations  value unit …')\(hint)")
        }
        return output
    }

    /// A line that `testing` prints for a result, `BenchmarkName-P <tab> iterations <tab> value unit`,
    /// or for a benchmark that failed, `--- FAIL: BenchmarkName` (a file where every benchmark
    /// failed is still go test's, and its refusal should give the reasons), in a file that is not JSON.
    static func recognizes(_ probe: FormatProbe) -> Bool {
        guard probe.json == nil else { return false }
        let text = probe.text
        guard text.drop(while: { $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" }).first != "{" else { return false }
        return text.split(separator: "\n").contains { line in
            guard line.contains("Benchmark") else { return false }
            let line = line.last == "\r" ? line.dropLast() : line
            if let verdict = GoTestLine.verdict(line.trimmingSpaces), verdict.kind == "FAIL", GoTestLine.nameWord(verdict.name) == verdict.name {
                return true
            }
            return GoTestLine.result(line)?.name != nil
        }
    }
}
