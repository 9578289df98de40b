import Foundation

extension HomeCheck {
    /// What `serve` would refuse or misread in `benchbot.github` and `benchbot.serve`: secret files
    /// it cannot read, and push patterns no branch name can match.
    static func gitHubProblems(_ settings: BenchBotSettings, home: Home, file: String) -> [ConfigProblem] {
        var problems: [ConfigProblem] = []
        do {
            _ = try settings.github.webhookSecret(environment: [:], home: home)
        } catch {
            problems.append(ConfigProblem(file: file, field: "benchbot.github.webhook_secret_file", problem: Self.withoutField(error.message)))
        }
        do {
            _ = try settings.serve.apiToken(environment: [:], home: home)
        } catch {
            problems.append(ConfigProblem(file: file, field: "benchbot.serve.api_token_file", problem: Self.withoutField(error.message)))
        }
        for pattern in settings.github.pushBranches {
            // A pattern is matched against branch names, so it must be one itself once its wildcards are filled.
            let sample = pattern.replacingOccurrences(of: "*", with: "x").replacingOccurrences(of: "?", with: "x")
            if PushUpdate.referenceProblem("refs/heads/\(sample)") != nil {
                problems.append(ConfigProblem(file: file, field: "benchbot.github.push_branches",
                                              problem: "'\(PlainText.singleLine(pattern))' can match no branch name git allows; use a name or a pattern such as release/*"))
            }
        }
        return problems
    }

    /// A secret's message without the field it starts with, which the problem names already.
    private static func withoutField(_ message: String) -> String {
        guard let colon = message.range(of: "_file: "), message.hasPrefix("benchbot.") else { return message }
        return String(message[colon.upperBound...])
    }
}
