import Compare
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import BenchBot
@testable import Notify
import Testing

/// The renderers under hostile names and extreme numbers: their output stays well-formed.
/// Valid XML for the site, exactly one markdown row per benchmark, and JSON that parses.
@Suite("Fuzz: renderers", .serialized)
struct FuzzRendererTests {
    static let baseline = ObjectID(hex: String(repeating: "a", count: 40))!
    static let candidate = ObjectID(hex: String(repeating: "b", count: 40))!

    /// A comparison of benchmarks with hostile, distinct names and samples from anywhere in the doubles.
    static func comparison(random: inout SplitMix64) -> SuiteComparison {
        var names: [String] = []
        for index in 0..<Int.random(in: 1...12, using: &random) { names.append(FuzzMutator.hostileName(random: &random) + "#\(index)") }
        func series(_ name: String) -> MeasuredSeries {
            let samples = (0..<Int.random(in: 1...8, using: &random)).map { _ in FuzzMutator.sample(random: &random) }
            let unit = Bool.random(using: &random) ? "ns" : FuzzMutator.hostileName(random: &random)
            return MeasuredSeries(name: name, unit: unit, direction: Bool.random(using: &random) ? .lowerIsBetter : .higherIsBetter, samples: samples)
        }
        let before = names.filter { _ in Int.random(in: 0..<8, using: &random) != 0 }.map(series)
        let after = names.filter { _ in Int.random(in: 0..<8, using: &random) != 0 }.map(series)
        return SuiteComparison(baseline: before, candidate: after)
    }

    /// `|` not preceded by a backslash: what splits a GitHub markdown table's cells (its table
    /// extension takes `\|` as a pipe inside a cell whatever comes before the backslash).
    static func cellSeparators(_ line: Substring) -> Int {
        let scalars = Array(line.unicodeScalars)
        return scalars.indices.filter { scalars[$0] == "|" && ($0 == 0 || scalars[$0 - 1] != "\\") }.count
    }

    @Test("the comparison table: one markdown row and one text line per benchmark, JSON that parses, a PR comment that is JSON")
    func comparisonTable() async {
        await FuzzRun("markdown-table", defaultCases: 1000).run { random in
            let comparison = Self.comparison(random: &random)
            let table = ComparisonTable(baseline: Self.baseline, candidate: Self.candidate, baselineReason: "named", comparison: comparison)
            let markdown = table.markdown()
            let input = Data(comparison.benchmarks.map(\.name).joined(separator: "\u{0}").utf8)
            let rows = markdown.split(separator: "\n", omittingEmptySubsequences: false)
                .filter { $0.hasPrefix("| ") && !$0.hasPrefix("| benchmark |") && !$0.hasPrefix("| --- |") }
            try fuzzCheck(rows.count == comparison.benchmarks.count, "\(rows.count) rows for \(comparison.benchmarks.count) benchmarks:\n\(markdown)", input: input)
            for row in rows {
                try fuzzCheck(Self.cellSeparators(row) == 8, "a row that is not seven cells: \(row.debugDescription)", input: input)
                try fuzzCheck(row.unicodeScalars.filter { $0 == "`" }.count == 2, "a code span broken open: \(row.debugDescription)", input: input)
            }
            let text = table.text()
            try fuzzCheck(text.split(separator: "\n", omittingEmptySubsequences: false).count == comparison.benchmarks.count + 3,
                          "the text table is not one line per benchmark:\n\(text)", input: input)
            try fuzzCheck(!text.unicodeScalars.contains { $0.value == 0x1B || ($0.value < 0x20 && $0 != "\n") }, "a control character reaches the terminal", input: input)
            guard case .object(let fields) = try JSONValue.parse(table.json().compactJSON()), case .array(let items)? = fields["benchmarks"] else {
                throw FuzzRun.Failure(description: "the JSON is not an object with benchmarks")
            }
            try fuzzCheck(items.count == comparison.benchmarks.count, "the JSON lost benchmarks", input: input)
            let comment = PullRequestComment(pullRequest: 7, markdown: markdown, context: "bench", moreAt: "https://x/y").message(repository: "o/r", occasion: "job1@1")
            guard case .object(let body) = try JSONValue.parse(comment.body), case .string(let posted)? = body["body"] else {
                throw FuzzRun.Failure(description: "the comment's body is not JSON with a body")
            }
            try fuzzCheck(posted.count <= PullRequestComment.maximumBody, "the comment is over GitHub's limit", input: input)
            let status = CommitStatus(state: .failure, context: "bench", description: "worst " + comparison.benchmarks.map(\.name).joined(separator: " "), targetURL: nil)
            try fuzzCheck(status.description.count <= CommitStatus.maximumDescription && !status.description.contains("\n"), "a status description over one line", input: input)
            _ = try JSONValue.parse(status.message(repository: "o/r", commit: Self.candidate.hex, occasion: "x").body)
            return markdown.utf8.count
        }
    }

    @Test("a Slack message: JSON that parses, within Slack's limits, with names that cannot open markup")
    func slackMessage() async {
        await FuzzRun("slack-message", defaultCases: 1000).run { random in
            let names = (0..<Int.random(in: 1...60, using: &random)).map { _ in FuzzMutator.hostileName(random: &random) }
            var message = SlackMessage(text: names[0], moreAt: Bool.random(using: &random) ? "https://bench.example.org/c.html" : nil)
            message.header(names[0])
            for name in names {
                let escaped = SlackMessage.escape(name)
                try fuzzCheck(!escaped.contains("<") && !escaped.contains(">") && !escaped.contains("`")
                              && !escaped.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" && $0 != "\t" },
                              "escape leaves markup: \(escaped.debugDescription)", input: Data(name.utf8))
                message.section("*\(escaped)*: \(NumberText.compact(FuzzMutator.sample(random: &random))) `\(escaped)`")
            }
            message.context(SlackMessage.escape(names.joined(separator: "\n")))
            let body = message.body()
            guard case .object(let fields) = try JSONValue.parse(body), case .array(let blocks)? = fields["blocks"] else {
                throw FuzzRun.Failure(description: "the body is not JSON with blocks: \(String(decoding: body, as: UTF8.self))")
            }
            try fuzzCheck(blocks.count <= SlackMessage.maximumBlocks, "\(blocks.count) blocks", input: body)
            for block in blocks {
                if case .object(let text)? = block["text"], case .string(let content)? = text["text"] {
                    try fuzzCheck(content.count <= SlackMessage.maximumSectionText, "a block of \(content.count) characters", input: body)
                }
            }
            return body.count
        }
    }

    /// Whether `text` is well-formed XML, and the parser's complaint if not.
    static func xmlProblem(_ text: String) -> String? {
        let parser = XMLParser(data: Data(text.utf8))
        return parser.parse() ? nil : "\(parser.parserError.map { "\($0)" } ?? "?") at line \(parser.lineNumber)"
    }

    @Test("site markup: escaped text, plots and a whole page stay valid XML whatever the names and numbers")
    func siteMarkup() async throws {
        let templates = try SiteTemplates()
        await FuzzRun("site-html", defaultCases: 1000).run { random in
            let name = FuzzMutator.hostileName(random: &random)
            let other = FuzzMutator.hostileName(random: &random)
            let escaped = "<p title=\"\(SiteHTML.escape(name))\">\(SiteHTML.escape(other))</p>"
            if let problem = Self.xmlProblem(escaped) { throw FuzzRun.Failure(description: "escape: \(problem): \(escaped.debugDescription)") }

            let points = (0..<Int.random(in: 0...6, using: &random)).map { index in
                let values = [FuzzMutator.sample(random: &random), FuzzMutator.sample(random: &random), FuzzMutator.sample(random: &random)].sorted()
                return SVGPlot.Point(commit: FuzzMutator.hostileName(random: &random) + "\(index)", label: FuzzMutator.hostileName(random: &random),
                                     median: values[1], minimum: values[0], maximum: values[2],
                                     link: Bool.random(using: &random) ? FuzzMutator.hostileName(random: &random) : nil)
            }
            let marks = Dictionary(points.prefix(2).map { ($0.commit, SVGPlot.Mark.regression) }, uniquingKeysWith: { first, _ in first })
            let svg = SVGPlot(id: "p", title: name, unit: other, points: points, marks: marks).svg()
            if let problem = Self.xmlProblem(svg) { throw FuzzRun.Failure(description: "plot: \(problem): \(svg.debugDescription)") }

            var table = SiteHTML.Table(headers: [name, "value"])
            table.row([SiteHTML.escape(other), NumberText.compact(FuzzMutator.sample(random: &random))], className: "regression")
            let content = templates.render("index", [
                "hasRuns": true,
                "lastRun": ["link": name, "short": other, "subject": name + other, "branch": other, "finished": name, "duration": "1 s",
                            "experiments": [["state": "succeeded", "slug": "s", "name": name, "message": other]]] as [String: Any],
                "hasChanges": true,
                "changes": [["kind": "regression", "slug": "x", "benchmark": name, "percent": "+1%", "link": other, "short": "abc",
                             "subject": other, "before": "1", "after": "2", "unit": name]],
                "hasDeadlines": true, "deadlines": [["urgency": "due", "name": other, "date": name, "left": "1 day"]],
                "hasScore": true, "score": name,
            ]) + svg + table.html
            let page = templates.render("layout", ["title": name, "root": "", "repository": other, "machine": name, "content": content, "asOf": other])
            if let problem = Self.xmlProblem(page) { throw FuzzRun.Failure(description: "page: \(problem): \(page.debugDescription)") }
            return page.utf8.count
        }
    }
}
