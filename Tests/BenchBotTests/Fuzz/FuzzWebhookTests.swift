import Foundation
@testable import BenchBot
import Testing

/// GitHub's payloads and maintainers' comments under mutation: a signed delivery is trusted to be
/// GitHub's, yet its fields still come from people (branch names, comment text).
@Suite("Fuzz: webhook payloads and commands", .serialized)
struct FuzzWebhookTests {
    static let events = ["push", "pull_request", "issue_comment", "check_run", "ping"]

    static let seeds: [Data] = {
        let sha = String(repeating: "ab", count: 20)
        return [
            try? GitHubPayload.push(ref: "refs/heads/main", before: GitHubPayload.zero, after: sha),
            try? GitHubPayload.pullRequest("opened", number: 7, head: sha, base: sha, fork: "outsider/octo-repo"),
            try? GitHubPayload.comment("/benchbot bisect size.loop abc def", number: 7, id: 9),
            try? GitHubPayload.checkRun(head: sha),
            try? GitHubPayload.ping(),
        ].compactMap { $0 }
    }()

    @Test("a payload is read, or refused naming its event and field; never a crash")
    func payloads() async {
        let corpus = Self.seeds + FuzzCorpus.all.prefix(8)
        await FuzzRun("webhook-payload", defaultCases: 1500).run { random in
            let input = FuzzMutator.mutate(FuzzCorpus.seed(Self.seeds, random: &random), corpus: corpus, random: &random)
            let event = Self.events[Int.random(in: 0..<Self.events.count, using: &random)]
            guard let payload = try? JSONValue.parse(input) else { return input.count }
            do {
                switch try GitHubEvent.parse(event: event, payload: payload) {
                case .push(let push):
                    try fuzzCheck(push.before.hex.count == 40 && push.after.hex.count == 40, "a push with a malformed hash", input: input)
                case .pullRequest(_, let pullRequest):
                    try fuzzCheck(!pullRequest.author.isEmpty && !pullRequest.headRef.isEmpty, "a pull request without author or head", input: input)
                default: break
                }
            } catch let error as GitHubPayloadError {
                try fuzzCheck(startsWith(error.description, "\(event) payload: ") && !error.field.isEmpty, "an error that names nothing: \(error)", input: input)
            }
            return input.count
        }
    }

    @Test("the route's action, read without building the payload, is the full parser's, and it refuses exactly what the parser refuses, with the same message")
    func actionAsTheParserReadsIt() async throws {
        let corpus = Self.seeds + FuzzCorpus.all.prefix(8)
        let escaped = Data(#"{"number": 1, "\u0061ction": "opened", "pull_request": {"action": "inner"}}"#.utf8)
        await FuzzRun("webhook-action", defaultCases: 3000).run { random in
            let input = FuzzMutator.mutate(FuzzCorpus.seed(Self.seeds + [escaped], random: &random), corpus: corpus, random: &random)
            let full = Result { () throws(JSONSyntaxError) in try JSONValue.parse(input) }
            let field = Result { () throws(JSONSyntaxError) in try JSONParser.topLevelField("action", in: input) }
            switch (full, field) {
            case (.success(let payload), .success(let action)):
                try fuzzCheck((payload["action"] ?? .null) == action, "action \(action), the parser's \(String(describing: payload["action"]))", input: input)
            case (.failure(let expected), .failure(let got)):
                try fuzzCheck("\(expected)" == "\(got)", "refused with \(got), the parser with \(expected)", input: input)
            default:
                try fuzzCheck(false, "the parser gave \(full), the route's reader \(field)", input: input)
            }
            return input.count
        }
        #expect(try JSONParser.topLevelField("action", in: escaped) == .string("opened"), "an escaped key is the same key")
    }

    @Test("a comment is a command only when its first non-empty line starts with /benchbot; the rest is never a command")
    func commands() async {
        let words = ["/benchbot", "run", "rerun", "cancel", "bisect", "help", "x", "\n", " ", "\t", "`", "/BENCHBOT", "size.loop", "\u{0}", "é"]
        await FuzzRun("pull-request-command", defaultCases: 3000).run { random in
            var text = ""
            for _ in 0..<Int.random(in: 0..<12, using: &random) {
                text += words[Int.random(in: 0..<words.count, using: &random)] + (Bool.random(using: &random) ? " " : "")
            }
            let input = Data(text.utf8)
            let command = PullRequestCommand.parse(text)
            let firstLine = text.split(whereSeparator: \.isNewline).first { !$0.allSatisfy(\.isWhitespace) }
            let starts = firstLine.map { $0.split(whereSeparator: \.isWhitespace).first?.lowercased() == "/benchbot" } ?? false
            try fuzzCheck((command != nil) == starts, "parse gave \(String(describing: command)) for a comment whose first line \(starts ? "is" : "is not") a command", input: input)
            if case .unknown(let line) = command { try fuzzCheck(line.count <= 200, "an unknown command kept \(line.count) characters", input: input) }
            return input.count
        }
    }
}
