import Compare
import Foundation
@testable import BenchBot
import Testing

/// Text from outside stays inside its container: a markdown cell, a terminal line, an XML page,
/// a reference name git would accept.
@Suite("Text that could break its container")
struct TextContainmentTests {
    static let hostileNames = ["two\nlines", "back`tick`s", "a|pipe", "<b>html</b> & co", "\u{1B}[31mred\u{1B}[0m", "cr\r\nlf", "tab\there", "``", "trailing\\", "|\u{301}pipe", "`\u{301}tick"]

    @Test("a benchmark name with a newline, backticks, pipes or HTML is one markdown row of seven cells")
    func markdownRows() throws {
        let series = Self.hostileNames.map { MeasuredSeries(name: $0, unit: "ms", direction: .lowerIsBetter, samples: [1, 1.1, 0.9]) }
        let regressed = Self.hostileNames.map { MeasuredSeries(name: $0, unit: "ms", direction: .lowerIsBetter, samples: [2, 2.1, 1.9]) }
        let table = ComparisonTable(baseline: try #require(ObjectID(hex: String(repeating: "a", count: 40))),
                                    candidate: try #require(ObjectID(hex: String(repeating: "b", count: 40))),
                                    baselineReason: "named", comparison: SuiteComparison(baseline: series, candidate: regressed))
        let markdown = table.markdown()
        let rows = markdown.split(separator: "\n").filter { $0.hasPrefix("| `") }
        #expect(rows.count == Self.hostileNames.count, "\(markdown)")
        for row in rows {
            #expect(FuzzRendererTests.cellSeparators(row) == 8, "\(row)")
            #expect(row.unicodeScalars.filter { $0 == "`" }.count == 2, "\(row)")
        }
        #expect(markdown.contains("| `two lines` |") && markdown.contains("| `back'tick's` |") && markdown.contains("| `a\\|pipe` |"), "\(markdown)")
        #expect(!markdown.contains("\u{1B}"), "no escape sequence in a PR comment")
        let text = table.text()
        #expect(text.split(separator: "\n").count == Self.hostileNames.count + 3 && !text.contains("\u{1B}"), "\(text)")
    }

    @Test("site escaping replaces what XML 1.0 forbids and keeps the rest")
    func xmlEscaping() {
        #expect(SiteHTML.escape("a\u{1}b\u{1B}[0m\u{FFFF}<\t\n\r") == "a\u{FFFD}b\u{FFFD}[0m\u{FFFD}&lt;\t\n\r")
        #expect(SiteHTML.xmlSafe("ok\u{0}<b>") == "ok\u{FFFD}<b>")
        #expect(FuzzRendererTests.xmlProblem("<p>\(SiteHTML.escape("\u{1B}[31m\u{8}\u{FFFE}x"))</p>") == nil)
    }

    @Test("a quote or ampersand followed by a combining mark is escaped in pages too (Mustache compares whole characters)")
    func combiningMarks() throws {
        let hostile = "\"\u{301} onmouseover=alert(1) x=\"\u{301}&\u{301}<\u{301}b>"
        let page = try SiteTemplates().render("layout", ["title": hostile, "root": hostile, "repository": "r", "machine": "m", "content": ""])
        #expect(FuzzRendererTests.xmlProblem(page) == nil, "\(page)")
        #expect(page.contains("href=\"&quot;\u{301} onmouseover=alert(1) x=&quot;\u{301}&amp;\u{301}&lt;\u{301}b&gt;style.css\""), "\(page)")
    }

    @Test("references git refuses are refused by the hook's parser, naming the line", arguments: [
        "refs/heads/a..b", "refs/heads/-rf", "refs/heads/x@{1}", "refs/heads/a\u{1}b", "refs/heads/x.lock", "refs/heads/.hidden",
        "refs/heads/a\u{1B}[31m", "refs/heads/x~1", "refs/heads/x^", "refs/heads/a:b", "refs/heads/a?", "refs/heads/a*", "refs/heads/a[", "refs/heads/a\\b",
        "refs/heads/", "refs/heads//x", "refs/tags/-v1", "refs/heads/x/",
        "refs/heads/" + String(repeating: "n", count: 256), "refs/heads/" + Array(repeating: String(repeating: "n", count: 200), count: 6).joined(separator: "/"),
    ])
    func invalidReferences(reference: String) {
        let line = "\(String(repeating: "a", count: 40)) \(String(repeating: "b", count: 40)) \(reference)"
        #expect {
            try PushUpdate.parse("\(String(repeating: "c", count: 40)) \(String(repeating: "d", count: 40)) refs/heads/main\n" + line + "\n")
        } throws: { error in
            let message = "\(error)"
            return message.hasPrefix("post-receive input line 2: reference '") && !message.contains("\u{1B}") && !message.contains("\u{1}")
        }
    }

    @Test("references git accepts still pass", arguments: ["refs/heads/main", "refs/heads/feature/x-1", "refs/tags/v1.0", "refs/heads/a.b", "refs/pull/3/head", "refs/heads/ünï"])
    func validReferences(reference: String) throws {
        let updates = try PushUpdate.parse("\(String(repeating: "a", count: 40)) \(String(repeating: "b", count: 40)) \(reference)\n")
        #expect(updates.map(\.reference) == [reference])
    }

    @Test("the hook refuses a push line with a bad reference, exits non-zero, and queues nothing")
    func hookRefuses() async throws {
        try await withTemporaryDirectory { root in
            let (fixture, home) = try await IntakeAcceptanceTests.setUp(in: root, commits: 2)
            let old = try await fixture.head("HEAD~1"), new = try await fixture.head()
            let result = try await BenchBotProcess.run(["hook", "post-receive", "--home", home, "--git-dir", fixture.origin],
                                                       input: "\(old) \(new) refs/heads/main\n\(old) \(new) refs/heads/--upload-pack=x..y\n")
            #expect(result.status == 1, "\(result.status): \(result.standardError)")
            #expect(result.standardError.contains("line 2: reference 'refs/heads/--upload-pack=x..y' is not a valid git reference name"), "\(result.standardError)")
            #expect(try await BenchBotProcess.jobs(home: home).isEmpty)
        }
    }

    @Test("escape codes and control characters in a commit subject reach neither the terminal through status nor the site's XML")
    func hostileSubject() async throws {
        try await withTemporaryDirectory { root in
            let (fixture, home) = try await IntakeAcceptanceTests.setUp(in: root, commits: 1)
            let commit = try await fixture.commit("\u{1B}[2J\u{1B}[31mred alert\u{7}\u{1}\u{8}\u{9B}2J <b>&</b>")
            try await fixture.git("-C", fixture.work, "push", "-q", "origin", "main")
            try await BenchBotProcess.succeed(["enqueue", "--home", home, "--branch", "main"])
            let status = try await BenchBotProcess.succeed(["status", "--home", home])
            #expect(status.contains("red alert"), "\(status)")
            #expect(!status.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" }, "\(status.debugDescription)")
            // Every command that names the commit gets the subject made inert at intake: work too.
            let work = try await BenchBotProcess.run(["work", "--verbose", "--home", home])
            #expect(work.output.contains("red alert"), "\(work.output)")
            #expect(!work.output.unicodeScalars.contains { ($0.value < 0x20 && $0 != "\n") || (0x7F...0x9F).contains($0.value) },
                    "\(work.output.debugDescription)")
            let json = try await BenchBotProcess.succeed(["status", "--home", home, "--format", "json"])
            #expect(!json.unicodeScalars.contains { (0x7F...0x9F).contains($0.value) }, "\(json.debugDescription)")
            #expect((try? JSONSerialization.jsonObject(with: Data(json.utf8))) != nil, "JSON keeps the subject, escaped: \(json)")
            try await CompareCommandTests.importRun(home: home, root: root, commit: commit, parse: 100)
            let site = root.appending(path: "site")
            try await BenchBotProcess.succeed(["site", "--home", home, "--out", site])
            let pages = try SiteTests.checkLinks(in: site)
            #expect(pages.values.contains { $0.text.contains("red alert") }, "the subject is shown, its control characters replaced")
        }
    }
}
