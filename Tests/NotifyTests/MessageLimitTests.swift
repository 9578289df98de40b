import Foundation
import Notify
import Testing

@Suite("Message limits")
struct MessageLimitTests {
    @Test("a Slack message holds at most 50 blocks, 3,000 characters a section and 150 a header; the rest is counted with a link")
    func slackLimits() throws {
        var message = SlackMessage(text: String(repeating: "t", count: 5_000), moreAt: "https://bench.example.org/run")
        message.header(String(repeating: "h", count: 300))
        for index in 0..<200 { message.section("\(index) " + String(repeating: "s", count: 5_000)) }
        let body = try #require(try JSONSerialization.jsonObject(with: message.body()) as? [String: Any])
        let blocks = try #require(body["blocks"] as? [[String: Any]])
        #expect(blocks.count == SlackMessage.maximumBlocks)
        #expect((body["text"] as? String)?.count == SlackMessage.maximumSectionText)
        let header = try #require((blocks[0]["text"] as? [String: Any])?["text"] as? String)
        #expect(header.count == SlackMessage.maximumHeaderText && header.hasSuffix("…"))
        let sections = blocks.filter { $0["type"] as? String == "section" }.compactMap { ($0["text"] as? [String: Any])?["text"] as? String }
        #expect(sections.count == 48 && sections.allSatisfy { $0.count <= SlackMessage.maximumSectionText })
        let note = try #require(((blocks.last?["elements"] as? [[String: Any]])?.first)?["text"] as? String)
        #expect(note == "…and 152 more: <https://bench.example.org/run|the whole report>")
        #expect(SlackMessage.escape("<script> & <@U1>") == "&lt;script&gt; &amp; &lt;@U1&gt;")
    }

    @Test("GitHub's limits: a status description of 140 characters, a comment of 65,536 cut at a line with a link")
    func githubLimits() throws {
        let status = CommitStatus(state: .failure, context: "perf", description: String(repeating: "d", count: 500), targetURL: nil)
        #expect(status.description.count == CommitStatus.maximumDescription)
        let table = (0..<5_000).map { "| `benchmark \($0)` | 1.0 | 2.0 |" }.joined(separator: "\n")
        let comment = PullRequestComment(pullRequest: 3, markdown: table, context: "perf", moreAt: "https://bench.example.org/c.html")
        let body = try #require(try JSONSerialization.jsonObject(with: comment.message(repository: "o/r", occasion: "j").body) as? [String: String])
        let text = try #require(body["body"])
        #expect(text.count <= PullRequestComment.maximumBody && text.hasPrefix("<!-- benchbot:comparison:perf -->\n| `benchmark 0` |"))
        #expect(text.hasSuffix("…cut to fit GitHub's limit; [the whole report](https://bench.example.org/c.html)"))
        #expect(text.components(separatedBy: "\n").dropLast(2).last?.hasSuffix("| 2.0 |") == true, "cut between rows, not inside one")
    }
}
