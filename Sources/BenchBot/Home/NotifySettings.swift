import Foundation
public import Notify

/// `benchbot.notify`: who is told of what, and the names of the variables or files that hold the
/// secrets; never the secrets themselves.
public struct NotifySettings: Sendable, Hashable {
    /// The results site, for links: a tracked commit's comparison is on `<site_url>/commit/<sha>.html`,
    /// any other's on `<site_url>/compare/<baseline>...<candidate>.html`.
    public var siteURL: String?
    public var slack: SlackSettings?
    public var github: GitHubSettings?
    /// Backoff and the deadline after which a notification is given up.
    public var retry = RetryPolicy()

    public struct SlackSettings: Sendable, Hashable {
        /// A channel ID: post through the Web API with a bot token, which allows threads, instead
        /// of the incoming webhook.
        public var channel: String?
        /// The variable holding the bot token (`xoxb-…`), for ``channel``.
        public var botTokenEnvironment: String? = "SLACK_BOT_TOKEN"
        /// A file holding it instead.
        public var botTokenFile: String?
        public var apiURL = Credentials.publicSlackAPI
        /// The variable holding the incoming webhook URL.
        public var webhookURLEnvironment: String? = "BENCHBOT_SLACK_WEBHOOK_URL"
        /// A file holding it instead.
        public var webhookURLFile: String?
        /// Who is @mentioned on a regression, such as `<@U024BE7LH>`.
        public var mentions: [String] = []

        /// Where Slack messages go: the channel when one is set, the webhook otherwise.
        public var destination: Destination { channel.map(Destination.slackChannel) ?? .slackWebhook }
    }

    public struct GitHubSettings: Sendable, Hashable {
        /// `owner/name`.
        public var repository: String
        public var tokenEnvironment: String? = "GITHUB_TOKEN"
        public var tokenFile: String?
        public var apiURL = Credentials.publicGitHubAPI
        /// The login the token writes as (a user, or `<app-slug>[bot]`); only its pull request
        /// comments are edited. Unset, it is asked of GitHub when needed.
        public var login: String?
        /// The commit status's label, also the check run's name.
        public var context = "benchbot"
        /// A check run per commit with the comparison table. Only a GitHub App's token may write
        /// check runs, so they are off unless asked for.
        public var checkRuns = false
        /// One comment per pull request with the comparison table, edited on each push.
        public var pullRequestComments = true
        /// A `pending` status when a job starts.
        public var pendingStatus = true
        /// A GitHub App to authenticate as; when set, the token fields are ignored.
        public var app: GitHubAppSettings?
    }

    /// The credentials the settings point to, read now from `environment` and the files; a secret
    /// that is not there leaves its destination to the outbox folder.
    ///
    /// - Throws: ``NotifySettingsError``, naming the field and the file, when a named file cannot be read.
    public func credentials(environment: [String: String], home: Home) throws(NotifySettingsError) -> Credentials {
        func secret(_ variable: String?, _ file: String?, _ field: String) throws(NotifySettingsError) -> String? {
            if let file {
                let path = home.resolvePath(file)
                guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                    throw NotifySettingsError(message: "\(field): cannot read \(path); create it, or remove the field to use \(variable ?? "a variable")")
                }
                return text.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            return variable.flatMap { environment[$0] }.flatMap { $0.isEmpty ? nil : $0 }
        }
        return Credentials(
            slackWebhookURL: try slack.flatMap { slack throws(NotifySettingsError) in
                slack.channel != nil ? nil : try secret(slack.webhookURLEnvironment, slack.webhookURLFile, "benchbot.notify.slack.webhook_url_file")
            },
            slackBotToken: try slack.flatMap { slack throws(NotifySettingsError) in
                slack.channel == nil ? nil : try secret(slack.botTokenEnvironment, slack.botTokenFile, "benchbot.notify.slack.bot_token_file")
            },
            slackAPIURL: slack?.apiURL ?? Credentials.publicSlackAPI,
            githubToken: try github.flatMap { github throws(NotifySettingsError) in
                github.app != nil ? nil : try secret(github.tokenEnvironment, github.tokenFile, "benchbot.notify.github.token_file")
            },
            githubApp: try github?.appTokens(environment: environment, home: home),
            githubAPIURL: github?.apiURL ?? Credentials.publicGitHubAPI, githubLogin: github?.login)
    }
}

public struct NotifySettingsError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

extension HomeConfig {
    static func parseNotify(_ object: [String: JSONValue], reader: inout ConfigReader) -> NotifySettings {
        reader.rejectUnknownFields(object, known: ["site_url", "slack", "github", "initial_backoff", "deadline_hours"], prefix: "benchbot.notify")
        var settings = NotifySettings()
        func httpURL(_ value: JSONValue?, _ field: String, example: String) -> String? {
            guard let url = reader.string(value, field) else { return nil }
            guard url.hasPrefix("https://") || url.hasPrefix("http://") else {
                reader.report(field, "must be an http(s) URL, such as \(example)")
                return nil
            }
            return url.hasSuffix("/") ? String(url.dropLast()) : url
        }
        settings.siteURL = httpURL(object["site_url"], "benchbot.notify.site_url", example: "https://bench.example.org")
        settings.retry.initialBackoff = reader.secondsValue(object["initial_backoff"], "benchbot.notify.initial_backoff", .backoff)
            ?? settings.retry.initialBackoff
        // Hours on the outside, seconds inside: the bounds are the standard 30 days either way.
        switch object["deadline_hours"] {
        case .number(let hours)? where hours > 0 && hours <= BoundedSeconds.standard.maximum / 3600:
            settings.retry.deadline = hours * 3600
        case nil: break
        case let other?:
            let shown = if case .number(let hours) = other { BoundedSeconds.text(hours) } else { other.typeName }
            reader.report("benchbot.notify.deadline_hours",
                          "is \(shown); must be a number of hours above 0 and at most \(BoundedSeconds.text(BoundedSeconds.standard.maximum / 3600))")
        }
        if let slack = reader.object(object["slack"], "benchbot.notify.slack") {
            reader.rejectUnknownFields(slack, known: ["webhook_url_env", "webhook_url_file", "mentions", "channel", "bot_token_env",
                                                      "bot_token_file", "api_url"], prefix: "benchbot.notify.slack")
            var parsed = NotifySettings.SlackSettings()
            parsed.channel = reader.string(slack["channel"], "benchbot.notify.slack.channel")
            if let channel = parsed.channel, channel.hasPrefix("#") || channel.contains(" ") {
                reader.report("benchbot.notify.slack.channel", "must be a channel ID such as C0123456789 (channel details, at the bottom), not a name")
            }
            parsed.botTokenEnvironment = reader.string(slack["bot_token_env"], "benchbot.notify.slack.bot_token_env") ?? parsed.botTokenEnvironment
            parsed.botTokenFile = reader.string(slack["bot_token_file"], "benchbot.notify.slack.bot_token_file")
            parsed.apiURL = httpURL(slack["api_url"], "benchbot.notify.slack.api_url", example: Credentials.publicSlackAPI) ?? parsed.apiURL
            parsed.webhookURLEnvironment = reader.string(slack["webhook_url_env"], "benchbot.notify.slack.webhook_url_env") ?? parsed.webhookURLEnvironment
            parsed.webhookURLFile = reader.string(slack["webhook_url_file"], "benchbot.notify.slack.webhook_url_file")
            parsed.mentions = reader.strings(slack["mentions"], "benchbot.notify.slack.mentions") ?? []
            settings.slack = parsed
        }
        if let github = reader.object(object["github"], "benchbot.notify.github") {
            reader.rejectUnknownFields(github, known: Set(["repository", "token_env", "token_file", "api_url", "context", "check_runs",
                                                           "pull_request_comments", "pending_status", "login"]
                                               + NotifySettings.GitHubAppSettings.fields), prefix: "benchbot.notify.github")
            if let repository = reader.string(github["repository"], "benchbot.notify.github.repository", required: true) {
                if repository.split(separator: "/").count == 2, !repository.contains(" ") {
                    var parsed = NotifySettings.GitHubSettings(repository: repository)
                    parsed.tokenEnvironment = reader.string(github["token_env"], "benchbot.notify.github.token_env") ?? parsed.tokenEnvironment
                    parsed.tokenFile = reader.string(github["token_file"], "benchbot.notify.github.token_file")
                    parsed.apiURL = httpURL(github["api_url"], "benchbot.notify.github.api_url", example: "https://github.example.com/api/v3") ?? parsed.apiURL
                    parsed.login = reader.string(github["login"], "benchbot.notify.github.login")
                    if let context = reader.string(github["context"], "benchbot.notify.github.context") { parsed.context = context }
                    parsed.checkRuns = reader.bool(github["check_runs"], "benchbot.notify.github.check_runs") ?? parsed.checkRuns
                    parsed.pullRequestComments = reader.bool(github["pull_request_comments"], "benchbot.notify.github.pull_request_comments")
                        ?? parsed.pullRequestComments
                    parsed.pendingStatus = reader.bool(github["pending_status"], "benchbot.notify.github.pending_status") ?? parsed.pendingStatus
                    parsed.app = parseGitHubApp(github, reader: &reader)
                    settings.github = parsed
                } else {
                    reader.report("benchbot.notify.github.repository", "must be owner/name, such as octo-org/octo-repo")
                }
            }
        }
        return settings
    }
}
