import Foundation

/// Catch2's `--reporter xml`: `<TestCase>`s holding `<Section>`s, `<BenchmarkResults>` (whose
/// `<mean value>` is in nanoseconds, or a `<failed message>`), failed `<Expression>`s and the
/// test case's `<OverallResult success>`.
extension Catch2Format {
    static func parseXML(_ bytes: [UInt8], _ context: FormatContext) throws(FormatError) -> [TestCase] {
        let events: [XMLEvents.Event]
        do {
            events = try XMLEvents.read(bytes)
        } catch {
            throw context.error("line \(error.line)", "\(error.reason) (is this Catch2's complete --reporter xml output?)")
        }
        guard case .start(let root, _, _)? = events.first, root == "Catch" || root == "Catch2TestRun" else {
            throw context.error("line 1", "the root element is not <Catch> (v2) or <Catch2TestRun> (v3); is this really Catch2's XML output?")
        }
        var cases: [TestCase] = []
        var current: TestCase?
        var benchmark: (name: String, line: Int, mean: Double?, failed: String?)?
        var expression: (type: String, place: String, original: String?)?
        var inOriginal = false
        // What went wrong first in the current test case; it fails only if its <OverallResult> says
        // so (a [!shouldfail] test's failed assertion is not a failure).
        var problem: String?
        var sawFinish = false
        for event in events {
            switch event {
            case .start("TestCase", let attributes, let line):
                guard current == nil else { throw context.error("line \(line)", "a <TestCase> inside another") }
                current = TestCase(path: [attributes["name"] ?? ""])
            case .start("Section", let attributes, _):
                current?.path.append(attributes["name"] ?? "")
            case .end("Section", _):
                if let count = current?.path.count, count > 1 { current?.path.removeLast() }
            case .start("BenchmarkResults", let attributes, let line):
                guard current != nil, let name = attributes["name"] else {
                    throw context.error("line \(line)", "a <BenchmarkResults> without a name or outside a <TestCase>")
                }
                benchmark = (name, line, nil, nil)
            case .start("mean", let attributes, let line) where benchmark != nil:
                guard let text = attributes["value"], let value = Double(text) else {
                    throw context.error("line \(line)", "<mean> of benchmark \(benchmark!.name) has no numeric value")
                }
                benchmark?.mean = value
            case .start("failed", let attributes, _) where benchmark != nil:
                benchmark?.failed = attributes["message"] ?? "no message"
            case .end("BenchmarkResults", _):
                guard let finished = benchmark, let testCase = current else { break }
                let name = testCase.name(finished.name)
                if let message = finished.failed {
                    current?.thrown.append(BenchmarkFailure(benchmark: name, reason: "the benchmark threw: \(message)"))
                } else if let mean = finished.mean {
                    current?.measured.append(Measured(name: name, meanNanoseconds: mean))
                } else {
                    throw context.error("line \(finished.line)", "benchmark \(finished.name) has no <mean> and no <failed>")
                }
                benchmark = nil
            case .start("Expression", let attributes, _) where attributes["success"] == "false":
                expression = (attributes["type"] ?? "assertion", "\(attributes["filename"] ?? "?"):\(attributes["line"] ?? "?")", nil)
            case .start("Original", _, _): inOriginal = expression != nil
            case .text(let text) where inOriginal:
                expression?.original = text.trimmingCharacters(in: .whitespacesAndNewlines)
            case .end("Original", _): inOriginal = false
            case .end("Expression", _):
                if let failed = expression, problem == nil { problem = "\(failed.type)( \(failed.original ?? "") ) at \(failed.place)" }
                expression = nil
            case .start(let name, _, _) where ["Exception", "FatalErrorCondition", "Failure"].contains(name):
                if problem == nil { problem = name == "Exception" ? "an unexpected exception" : name == "Failure" ? "FAIL()" : "a fatal error (signal)" }
            case .start("OverallResult", let attributes, _):
                if attributes["success"] == "false" { current?.failure = problem ?? "Catch2 reported it failed" }
            case .end("TestCase", let line):
                guard let finished = current else { throw context.error("line \(line)", "</TestCase> without a <TestCase>") }
                cases.append(finished)
                current = nil
                problem = nil
            case .start("OverallResultsCases", _, _):
                sawFinish = true
            default:
                break
            }
        }
        guard sawFinish else {
            throw context.error("-", "ends without Catch2's <OverallResultsCases> totals: the run stopped before it finished (crashed or cut short?)")
        }
        return cases
    }
}
