import Compare
import Foundation
import Notify
@testable import BenchBot
import Testing

/// What Slack and a pull request's comment say about a judgement: the worst change first and its
/// size, in human units, with the threshold each verdict used, the machine, and working links.
@Suite("Message content")
struct MessageContentTests {
    static let base = ObjectID(hex: String(repeating: "a", count: 40))!
    static let head = ObjectID(hex: String(repeating: "b", count: 40))!

    /// Five samples around `center`, ±1%.
    static func samples(_ center: Double) -> [Double] { [0.99, 0.995, 1, 1.005, 1.01].map { $0 * center } }

    static func notifications(slack: Bool = true, github: Bool = false) -> RunNotifications {
        var settings = NotifySettings()
        settings.siteURL = "https://bench.example.org"
        if slack {
            var slackSettings = NotifySettings.SlackSettings()
            slackSettings.mentions = ["<@U0DEMO>"]
            settings.slack = slackSettings
        }
        if github { settings.github = NotifySettings.GitHubSettings(repository: "octo-org/project") }
        return RunNotifications(settings: settings, repositoryName: "project", machine: "bench-1",
                                hostCommitURL: { "https://git.example.org/project/commit/\($0.hex)" })
    }

    static func slackBody(_ messages: [OutgoingMessage]) throws -> (text: String, blocks: [String]) {
        let message = try #require(messages.first { $0.kind == "regression" })
        let json = try #require(try JSONSerialization.jsonObject(with: message.body) as? [String: Any])
        let blocks = try #require(json["blocks"] as? [[String: Any]]).map { block in
            ((block["text"] as? [String: Any])?["text"] as? String) ?? ((block["elements"] as? [[String: Any]])?.first?["text"] as? String) ?? ""
        }
        return (try #require(json["text"] as? String), blocks)
    }

    @Test("Slack: the header and notification name the worst change and its size; worst first, in human units; 1 sample; machine; commit links")
    func slackRegression() throws {
        var policy = ComparisonPolicy()
        policy.historicalNoise = ["c.single": 0.001]
        let comparison = SuiteComparison(
            baseline: [MeasuredSeries(name: "a.small", unit: "ns", direction: .lowerIsBetter, samples: Self.samples(1e6)),
                       MeasuredSeries(name: "b.big", unit: "ns", direction: .lowerIsBetter, samples: Self.samples(1e6)),
                       MeasuredSeries(name: "c.single", unit: "instructions", direction: .lowerIsBetter, samples: [6e8])],
            candidate: [MeasuredSeries(name: "a.small", unit: "ns", direction: .lowerIsBetter, samples: Self.samples(1.2e6)),
                        MeasuredSeries(name: "b.big", unit: "ns", direction: .lowerIsBetter, samples: Self.samples(2.1e6)),
                        MeasuredSeries(name: "c.single", unit: "instructions", direction: .lowerIsBetter, samples: [1.2e9])],
            policy: policy)
        #expect(comparison.benchmarks.filter { $0.verdict == .regression }.count == 3, "\(comparison.benchmarks)")
        let occasion = RunNotifications.Occasion(commit: Self.head, subject: "Process every item twice", branch: "main", pullRequest: nil, lease: "job1@1")
        let messages = Self.notifications().judged(occasion, baseline: (Self.base, "nearest measured first-parent ancestor"),
                                                   comparison: comparison, outcomes: [])
        let (text, blocks) = try Self.slackBody(messages)
        #expect(text == "b.big +110.0% slower at \(Self.head.short) (and 2 more regressions) in project on bench-1", "\(text)")
        #expect(blocks[0] == "b.big +110.0% slower at \(Self.head.short) (and 2 more regressions)")
        #expect(blocks[1].hasPrefix("<https://git.example.org/project/commit/\(Self.head.hex)|*\(Self.head.short)*> Process every item twice on `main`"), "\(blocks[1])")
        #expect(blocks[1].contains("<https://bench.example.org/commit/\(Self.head.hex).html|its page>") && blocks[1].contains("measured on `bench-1`"))
        let lines = blocks.filter { $0.hasPrefix("*") && $0.contains("*: ") }
        #expect(lines.map { String($0.prefix { $0 != ":" }) } == ["*b.big*", "*c.single*", "*a.small*"], "\(lines)")
        #expect(lines[0].hasPrefix("*b.big*: +110.0% slower, 1 ms → 2.1 ms; estimate +") && lines[0].contains("% [") && !lines[0].contains("e+"), "\(lines[0])")
        #expect(lines[1].hasPrefix("*c.single*: +100.0% worse, 0.6G instructions → 1.2G instructions (1 sample)") && !lines[1].contains("["), "\(lines[1])")
        #expect(lines[2].contains("<https://bench.example.org/benchmark/a.small.html|graph>"))
    }

    @Test("Slack: a change point confirmed after the run's own alert went out is told, once, under a key of its own")
    func laterConfirmationIsTold() throws {
        let comparison = SuiteComparison(
            baseline: [MeasuredSeries(name: "loop.operations", unit: "count", direction: .lowerIsBetter, samples: Self.samples(2e7))],
            candidate: [MeasuredSeries(name: "loop.operations", unit: "count", direction: .lowerIsBetter, samples: Self.samples(4e7))])
        let occasion = RunNotifications.Occasion(commit: Self.head, subject: "Process every item twice", branch: "main", pullRequest: nil, lease: "job1@1")
        let notifications = Self.notifications()
        let first = try #require(notifications.judged(occasion, baseline: (Self.base, "nearest measured first-parent ancestor"),
                                                      comparison: comparison, outcomes: []).first { $0.kind == "regression" })
        // CPU time was no run-to-run suspect; its change point, confirmed by a later paired job, is news.
        let cpu = SuspectRecord(id: 7, commit: Self.head, benchmark: "loop.cpu", kind: .regression, origin: .change, baseline: Self.base,
                                state: .confirmed, ratio: 1.87, confirmedRatio: 2.12, createdAt: Date())
        let later = try #require(notifications.confirmedChanges(occasion, held: [cpu], confirmed: ["loop.cpu"]).first { $0.kind == "regression" })
        #expect(later.key != first.key, "taken for the first alert, it would never be sent")
        let (text, _) = try Self.slackBody([later])
        #expect(text.hasPrefix("loop.cpu +112.0% worse at \(Self.head.short)"), "\(text)")
        let again = try #require(notifications.confirmedChanges(occasion, held: [cpu], confirmed: ["loop.cpu"]).first { $0.kind == "regression" })
        #expect(again.key == later.key, "confirmed again (a rerun), it is the same message, sent once")
    }

    @Test("Slack: with more regressions than a message holds, the worst are the ones kept")
    func truncatedKeepsTheWorst() throws {
        // Names sort opposite to sizes: z59 is the worst.
        let names = (0..<60).map { "z\(String(format: "%02d", $0))" }
        let comparison = SuiteComparison(
            baseline: names.map { MeasuredSeries(name: $0, unit: "ms", direction: .lowerIsBetter, samples: Self.samples(10)) },
            candidate: names.enumerated().map { MeasuredSeries(name: $1, unit: "ms", direction: .lowerIsBetter, samples: Self.samples(20 + Double($0))) })
        let occasion = RunNotifications.Occasion(commit: Self.head, subject: nil, branch: nil, pullRequest: nil, lease: "job1@1")
        let (text, blocks) = try Self.slackBody(Self.notifications().judged(occasion, baseline: (Self.base, "nearest measured first-parent ancestor"),
                                                                             comparison: comparison, outcomes: []))
        #expect(text.hasPrefix("z59 +690.0% slower at"), "\(text)")
        #expect(blocks.count == 50 && blocks.last?.hasPrefix("…and") == true, "\(blocks.count)")
        #expect(blocks.contains { $0.hasPrefix("*z59*") } && blocks.contains { $0.hasPrefix("*z58*") } && !blocks.contains { $0.hasPrefix("*z00*") })
    }

    @Test("PR comment: a graph link per benchmark (a PR-only one links its comparison), each verdict's threshold, the noise that explains an unchanged, the machine, human units")
    func pullRequestComment() throws {
        var policy = ComparisonPolicy()
        policy.historicalNoise = ["noisy": 1.6]
        let comparison = SuiteComparison(
            baseline: [MeasuredSeries(name: "size.loop", unit: "ns", direction: .lowerIsBetter, samples: Self.samples(6.51e7)),
                       MeasuredSeries(name: "noisy", unit: "ns", direction: .lowerIsBetter, samples: [1e6, 1.4e6, 0.7e6, 2e6, 0.9e6])],
            candidate: [MeasuredSeries(name: "size.loop", unit: "ns", direction: .lowerIsBetter, samples: Self.samples(1.3e8)),
                        MeasuredSeries(name: "noisy", unit: "ns", direction: .lowerIsBetter, samples: [1.5e6, 2.1e6, 1.05e6, 3e6, 1.35e6]),
                        MeasuredSeries(name: "pr.only", unit: "B", direction: .lowerIsBetter, samples: [2048, 2048, 2048])],
            policy: policy)
        let occasion = RunNotifications.Occasion(commit: Self.head, subject: "Faster", branch: "feature", pullRequest: 7, lease: "job1@1")
        let messages = Self.notifications(slack: false, github: true).judged(occasion, baseline: (Self.base, "merge base with the tracked branch"),
                                                                            comparison: comparison, outcomes: [])
        let comment = try #require(messages.first { $0.kind == "pr-comment" })
        let body = try #require((try JSONSerialization.jsonObject(with: comment.body) as? [String: Any])?["body"] as? String)
        let compare = "https://bench.example.org/compare/\(Self.base.hex)...\(Self.head.hex).html"
        #expect(body.contains("on machine `bench-1`"), "\(body)")
        #expect(body.contains("| threshold |"))
        #expect(body.contains("| [`size.loop`](https://bench.example.org/benchmark/size.loop.html) | 65.1 ms ±") && body.contains("| 130 ms ±"), "\(body)")
        #expect(body.contains("| [`pr.only`](\(compare)) | - | 2 KiB ±0.0% | - | - |"), "\(body)")
        #expect(body.contains("| ±160.0% | **unchanged**: within this benchmark's noise of ±160.0% |"), "\(body)")
        #expect(body.contains("| ±1.0% | **regression** |") && !body.contains("e+"))
    }
}
