import Foundation
import Testing

/// A pull request's comment and the comparison page it links to show the same change for each
/// benchmark: both come from `MedianChange`, not one from a paired or Hodges–Lehmann estimate
/// and the other from the medians.
@Suite("One change, wherever it is shown")
struct OneChangeTests {
    /// The first cell of each table row naming a benchmark, and the row's change cell: the
    /// page's last `<td>`, the comment's fifth markdown cell.
    static func pageChanges(_ html: String) -> [String: String] {
        var found: [String: String] = [:]
        for row in html.components(separatedBy: "<tr").dropFirst() {
            guard let nameStart = row.range(of: ".html\">"), let nameEnd = row.range(of: "</a>", range: nameStart.upperBound..<row.endIndex) else { continue }
            let cells = row.components(separatedBy: "<td>").dropFirst().map { $0.components(separatedBy: "</td>")[0] }
            guard let change = cells.last else { continue }
            found[String(row[nameStart.upperBound..<nameEnd.lowerBound])] = change.components(separatedBy: " (")[0]
        }
        return found
    }

    static func commentChanges(_ markdown: String) -> [String: String] {
        var found: [String: String] = [:]
        for line in markdown.split(separator: "\n") where line.hasPrefix("| [`") || line.hasPrefix("| `") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 6, let name = cells[0].split(separator: "`").dropFirst().first else { continue }
            found[String(name)] = String(cells[3].split(separator: " ")[0])
        }
        return found
    }

    @Test("the PR comment's change for each benchmark is the comparison page's, to the digit")
    func commentAgreesWithThePage() async throws {
        try await withTemporaryDirectory { root in
            let (fixture, commits) = try await PullRequestNotificationTests.pullRequestFixture(
                in: root, notify: ["site_url": "https://bench.example.org", "github": ["repository": "octo-org/project", "token_env": "TEST_NO_TOKEN"]])
            let environment: [String: String?] = ["TEST_NO_TOKEN": nil]
            #expect(try await BenchBotProcess.run(["work", "--verbose", "--home", fixture.home], environment: environment).succeeded)
            try await BenchBotProcess.succeed(["enqueue", "--home", fixture.home, "--commit", commits[3], "--pull-request", "7"])
            let work = try await BenchBotProcess.run(["work", "--verbose", "--home", fixture.home], environment: environment)
            #expect(work.succeeded, "\(work.standardOutput)\(work.standardError)")

            let outbox = fixture.home.appending(path: "results/outbox")
            let comments = try FileManager.default.contentsOfDirectory(atPath: outbox).filter { $0.hasSuffix("-pr-comment.json") }.sorted()
            let file = try #require(comments.last, "\(comments)")
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: outbox.appending(path: file)))) as? [String: Any]
            let comment = try #require(json?["body"] as? String)
            let link = try #require(comment.range(of: "https://bench.example.org/compare/").map { start in
                comment[start.upperBound...].prefix { $0 != ")" }
            })

            let site = root.appending(path: "site")
            try await BenchBotProcess.succeed(["site", "--home", fixture.home, "--out", site])
            let page = try String(contentsOfFile: site.appending(path: "compare/\(link)"), encoding: .utf8)
            let onPage = Self.pageChanges(page), inComment = Self.commentChanges(comment)
            #expect(!inComment.isEmpty && inComment.keys.contains("size.loop"), "\(comment)")
            #expect(inComment == onPage.filter { inComment[$0.key] != nil }, "comment \(inComment), page \(onPage)")
            #expect(Set(inComment.keys) == Set(onPage.keys), "comment \(inComment), page \(onPage)")
        }
    }
}
