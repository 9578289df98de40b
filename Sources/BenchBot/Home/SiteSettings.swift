import Foundation

/// `benchbot.site`: where the results site is generated, and where it is published.
public struct SiteSettings: Sendable, Hashable {
    /// The site's folder, relative to the home: where relay-bench's website subsystem writes.
    public var folder = "results/subsystem/output/website"
    /// `nil` when the site stays in its folder.
    public var publish: PublishSettings?
    /// `benchbot.site.commit_url`: where a commit is shown on its host, with `{sha}` for its hash;
    /// `nil` to derive it from a GitHub `repository.url` (see ``commitURLPattern(repositoryURL:)``),
    /// and `""` for no links to a host.
    public var commitURL: String?

    /// The pattern every page links commits to their host with: the setting, or GitHub's
    /// `https://github.com/OWNER/REPO/commit/{sha}` for a GitHub remote; `nil` for none (a local
    /// bare repository, a host nobody named).
    ///
    /// - Parameter gitHubRepository: The `OWNER/REPO` statuses and comments go to, for a mirror of
    ///   a GitHub repository whose URL is not GitHub's.
    public func commitURLPattern(repositoryURL: String, gitHubRepository: String? = nil) -> String? {
        if let commitURL { return commitURL.isEmpty ? nil : commitURL }
        return (GitHubIntake.gitHubRepository(fromURL: repositoryURL) ?? gitHubRepository).map { "https://github.com/\($0)/commit/{sha}" }
    }

    /// A branch of a git repository that serves the site, such as GitHub Pages' `gh-pages`.
    public struct PublishSettings: Sendable, Hashable {
        /// The repository to push to: a URL, an scp-style address or a local path.
        public var url: String
        public var branch = "gh-pages"
        /// The variable holding an HTTPS token with write access.
        public var tokenEnvironment = "BENCHBOT_PAGES_TOKEN"
        /// A file holding the token, instead of the variable.
        public var tokenFile: String?
        public var authorName = "BenchBot"
        public var authorEmail = "benchbot@localhost"
        /// The push is cancelled after this many seconds.
        public var timeout: Double = 600

        public init(url: String) {
            self.url = url
        }

        /// The token from the file or the environment; `nil` when neither has one (SSH, or a local path).
        ///
        /// - Throws: ``SiteError`` when the file is named but cannot be read.
        public func token(environment: [String: String], home: Home) throws -> String? {
            if let tokenFile {
                let path = home.resolvePath(tokenFile)
                guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                    throw SiteError(message: "benchbot.site.publish.token_file: cannot read \(path); create it, or remove the field to use \(tokenEnvironment)")
                }
                return text.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            return environment[tokenEnvironment].flatMap { $0.isEmpty ? nil : $0 }
        }
    }

    public init() {}
}

extension HomeConfig {
    static func parseSite(_ object: [String: JSONValue], reader: inout ConfigReader) -> SiteSettings {
        reader.rejectUnknownFields(object, known: ["folder", "publish", "commit_url"], prefix: "benchbot.site")
        var settings = SiteSettings()
        settings.folder = reader.string(object["folder"], "benchbot.site.folder") ?? settings.folder
        if let pattern = reader.string(object["commit_url"], "benchbot.site.commit_url") {
            if pattern.isEmpty || (pattern.contains("{sha}") && (pattern.hasPrefix("https://") || pattern.hasPrefix("http://"))) {
                settings.commitURL = pattern
            } else {
                reader.report("benchbot.site.commit_url", "'\(pattern)' is not an http(s) URL with {sha} in it; use one such as "
                              + "https://github.com/OWNER/REPO/commit/{sha}, or \"\" for no links")
            }
        }
        guard let publish = reader.object(object["publish"], "benchbot.site.publish") else { return settings }
        reader.rejectUnknownFields(publish, known: ["url", "branch", "token_env", "token_file", "author_name", "author_email", "timeout"],
                                   prefix: "benchbot.site.publish")
        guard let url = reader.string(publish["url"], "benchbot.site.publish.url", required: true) else { return settings }
        var parsed = SiteSettings.PublishSettings(url: url)
        if let branch = reader.string(publish["branch"], "benchbot.site.publish.branch") {
            if LibGit2.isValidReferenceName("refs/heads/\(branch)") {
                parsed.branch = branch
            } else {
                reader.report("benchbot.site.publish.branch", "'\(branch)' is not a valid branch name; use one such as gh-pages")
            }
        }
        parsed.tokenEnvironment = reader.string(publish["token_env"], "benchbot.site.publish.token_env") ?? parsed.tokenEnvironment
        parsed.tokenFile = reader.string(publish["token_file"], "benchbot.site.publish.token_file")
        parsed.authorName = reader.string(publish["author_name"], "benchbot.site.publish.author_name") ?? parsed.authorName
        parsed.authorEmail = reader.string(publish["author_email"], "benchbot.site.publish.author_email") ?? parsed.authorEmail
        parsed.timeout = reader.secondsValue(publish["timeout"], "benchbot.site.publish.timeout") ?? parsed.timeout
        settings.publish = parsed
        return settings
    }
}
