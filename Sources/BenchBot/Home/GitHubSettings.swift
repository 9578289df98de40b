import Foundation

/// `benchbot.github`: how GitHub drives BenchBot — its webhooks, whom it trusts, and pull requests.
///
/// Where results are reported (the repository, the token or App) stays in `benchbot.notify.github`.
public struct GitHubSettings: Sendable, Hashable {
    /// The variable holding the webhook secret GitHub signs deliveries with.
    public var webhookSecretEnvironment: String? = "BENCHBOT_WEBHOOK_SECRET"
    /// A file holding it instead.
    public var webhookSecretFile: String?
    /// The `author_association` values whose pull requests run on their own and whose commands are obeyed.
    public var trustedAssociations: Set<String> = ["OWNER", "MEMBER", "COLLABORATOR"]
    /// Logins trusted besides them, such as an outside maintainer.
    public var maintainers: [String] = []
    /// Whether draft pull requests are measured before they are marked ready for review.
    public var drafts: Bool = false
    /// The pushes a webhook queues, as shell-style patterns; the tracked branches when empty.
    public var pushBranches: [String] = []

    public init() {}

    /// Every association GitHub documents; anything else in the config is a typo.
    public static let knownAssociations: Set<String> = [
        "COLLABORATOR", "CONTRIBUTOR", "FIRST_TIMER", "FIRST_TIME_CONTRIBUTOR", "MANNEQUIN", "MEMBER", "NONE", "OWNER",
    ]

    /// Whether a login with this association is a maintainer: trusted to run code and give commands.
    public func isMaintainer(login: String, association: String?) -> Bool {
        if maintainers.contains(where: { $0.caseInsensitiveCompare(login) == .orderedSame }) { return true }
        return association.map { trustedAssociations.contains($0.uppercased()) } ?? false
    }

    /// The webhook secret, read now; `nil` when none is configured.
    ///
    /// - Throws: ``NotifySettingsError`` naming the field when the file cannot be read or is empty.
    public func webhookSecret(environment: [String: String], home: Home) throws(NotifySettingsError) -> String? {
        try SecretSource(environment: webhookSecretEnvironment, file: webhookSecretFile, field: "benchbot.github.webhook_secret")
            .read(environment: environment, home: home)
    }
}

/// `benchbot.serve`: the long-running server.
public struct ServeSettings: Sendable, Hashable {
    /// `host:port` to listen on; loopback by default, behind a TLS proxy in production.
    public var listen: String = "127.0.0.1:8080"
    /// The variable holding the bearer token `POST /api/v1/enqueue` requires.
    public var apiTokenEnvironment: String? = "BENCHBOT_API_TOKEN"
    /// A file holding it instead.
    public var apiTokenFile: String?
    /// Serve the results site's folder at `/`.
    public var serveSite: Bool = true
    /// Whether a webhook's answer waits for its delivery to reach the disk, or only the operating system.
    public var durability: DeliveryDurability = .disk

    public init() {}

    /// The host and port of ``listen``.
    public var hostAndPort: (host: String, port: Int)? {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]),
              (0...65535).contains(port) else { return nil }
        var host = String(listen[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host.isEmpty ? nil : (host, port)
    }

    /// The API token, read now; `nil` when none is configured, which leaves `POST /api/v1/enqueue` refused.
    public func apiToken(environment: [String: String], home: Home) throws(NotifySettingsError) -> String? {
        try SecretSource(environment: apiTokenEnvironment, file: apiTokenFile, field: "benchbot.serve.api_token")
            .read(environment: environment, home: home)
    }
}

/// A secret named by a variable or a file, never written in the config itself.
struct SecretSource: Sendable {
    var environment: String?
    var file: String?
    /// The config field, without `_env` or `_file`, for messages.
    var field: String

    func read(environment variables: [String: String], home: Home) throws(NotifySettingsError) -> String? {
        if let file {
            let path = home.resolvePath(file)
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw NotifySettingsError(message: "\(field)_file: cannot read \(path); create it (mode 600), or remove the field")
            }
            let secret = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !secret.isEmpty else { throw NotifySettingsError(message: "\(field)_file: \(path) is empty; write the secret in it") }
            return secret
        }
        return environment.flatMap { variables[$0] }.flatMap { $0.isEmpty ? nil : $0 }
    }
}

extension HomeConfig {
    static func parseGitHub(_ object: [String: JSONValue], reader: inout ConfigReader) -> GitHubSettings {
        reader.rejectUnknownFields(object, known: ["webhook_secret_env", "webhook_secret_file", "trusted_associations", "maintainers",
                                                   "drafts", "push_branches"], prefix: "benchbot.github")
        var settings = GitHubSettings()
        settings.webhookSecretEnvironment = reader.string(object["webhook_secret_env"], "benchbot.github.webhook_secret_env")
            ?? settings.webhookSecretEnvironment
        settings.webhookSecretFile = reader.string(object["webhook_secret_file"], "benchbot.github.webhook_secret_file")
        if let associations = reader.strings(object["trusted_associations"], "benchbot.github.trusted_associations") {
            let upper = associations.map { $0.uppercased() }
            if let unknown = upper.first(where: { !GitHubSettings.knownAssociations.contains($0) }) {
                reader.report("benchbot.github.trusted_associations", "holds '\(PlainText.singleLine(unknown))'; GitHub's values are "
                    + GitHubSettings.knownAssociations.sorted().joined(separator: ", "))
            } else {
                settings.trustedAssociations = Set(upper)
            }
        }
        settings.maintainers = reader.strings(object["maintainers"], "benchbot.github.maintainers") ?? []
        settings.drafts = reader.bool(object["drafts"], "benchbot.github.drafts") ?? settings.drafts
        settings.pushBranches = reader.strings(object["push_branches"], "benchbot.github.push_branches") ?? []
        return settings
    }

    static func parseServe(_ object: [String: JSONValue], reader: inout ConfigReader) -> ServeSettings {
        reader.rejectUnknownFields(object, known: ["listen", "api_token_env", "api_token_file", "site", "durability"], prefix: "benchbot.serve")
        var settings = ServeSettings()
        if let listen = reader.string(object["listen"], "benchbot.serve.listen") {
            settings.listen = listen
            if settings.hostAndPort == nil {
                reader.report("benchbot.serve.listen", "is '\(PlainText.singleLine(listen))'; must be host:port with a port from 0 to 65535, such as 127.0.0.1:8080 or [::1]:8080")
            }
        }
        settings.apiTokenEnvironment = reader.string(object["api_token_env"], "benchbot.serve.api_token_env") ?? settings.apiTokenEnvironment
        settings.apiTokenFile = reader.string(object["api_token_file"], "benchbot.serve.api_token_file")
        settings.serveSite = reader.bool(object["site"], "benchbot.serve.site") ?? settings.serveSite
        if let durability = reader.string(object["durability"], "benchbot.serve.durability") {
            if let known = DeliveryDurability(rawValue: durability) {
                settings.durability = known
            } else {
                reader.report("benchbot.serve.durability", "is '\(PlainText.singleLine(durability))'; must be \"disk\" (synced before the answer) or \"process\" (synced within 100 ms after it)")
            }
        }
        return settings
    }
}
