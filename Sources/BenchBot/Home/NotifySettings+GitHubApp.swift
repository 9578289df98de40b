import Foundation
import Notify

extension NotifySettings {
    /// `benchbot.notify.github.app_*`: a GitHub App that BenchBot authenticates as, instead of a
    /// token. Only an App's installation token may write check runs.
    public struct GitHubAppSettings: Sendable, Hashable {
        /// The App's ID (`123456`) or client ID (`Iv23li…`), the JSON web token's issuer.
        public var appID: String
        /// The private key's PEM file, relative to the home unless absolute.
        public var privateKeyFile: String?
        /// A variable holding the private key's PEM text instead.
        public var privateKeyEnvironment: String?
        /// The App's installation on the repository; unset, it is looked up from the repository.
        public var installationID: Int?

        static let fields = ["app_id", "app_private_key_file", "app_private_key_env", "installation_id"]
        /// The largest key file read: GitHub's 2048-bit PEM is under 2 KB.
        static let largestKeyFile = 64 * 1024
    }
}

extension NotifySettings.GitHubSettings {
    /// The App's token source, reading its key now; `nil` when no App is configured, or its key's
    /// variable is unset (its messages then go to the outbox folder, as with a missing token).
    ///
    /// - Throws: ``NotifySettingsError`` naming the field when the key file cannot be read.
    func appTokens(environment: [String: String], home: Home) throws(NotifySettingsError) -> GitHubAppTokens? {
        guard let app else { return nil }
        let pem: String
        switch Self.appKeyText(app, environment: environment, home: home) {
        case .success(let text?): pem = text
        case .success(nil): return nil
        case .failure(let error): throw error
        }
        let configuration = GitHubAppTokens.Configuration(appID: app.appID, apiURL: apiURL, repository: repository,
                                                          installationID: app.installationID, wantsLogin: login == nil)
        return GitHubAppTokens.shared(configuration, pem: pem)
    }

    /// The App's key as configured: the file's text, or the variable's (`nil` when it is unset or
    /// empty). A key kept in a one-line variable with `\n` for its line breaks is read as PEM.
    static func appKeyText(_ app: NotifySettings.GitHubAppSettings, environment: [String: String],
                           home: Home) -> Result<String?, NotifySettingsError> {
        if let file = app.privateKeyFile {
            let path = home.resolvePath(file)
            let fix = "save the App's private key (the .pem file from the App's settings page, Private keys) there, or point "
                + "benchbot.notify.github.app_private_key_file to it"
            // Only a small regular file: a FIFO or a device named there must not hang a sender or `check`.
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: (path as NSString).resolvingSymlinksInPath) else {
                return .failure(NotifySettingsError(message: "benchbot.notify.github.app_private_key_file: cannot read \(path): no such file; \(fix)"))
            }
            guard attributes[.type] as? FileAttributeType == .typeRegular,
                  (attributes[.size] as? Int ?? .max) <= NotifySettings.GitHubAppSettings.largestKeyFile else {
                return .failure(NotifySettingsError(message: "benchbot.notify.github.app_private_key_file: \(path) is not a key file "
                    + "(not a regular file of at most \(NotifySettings.GitHubAppSettings.largestKeyFile / 1024) KB); \(fix)"))
            }
            guard let data = FileManager.default.contents(atPath: path) else {
                return .failure(NotifySettingsError(message: "benchbot.notify.github.app_private_key_file: cannot read \(path) "
                    + "(no permission?); let the user BenchBot runs as read it (chmod 600, owned by that user), or \(fix)"))
            }
            return .success(String(decoding: data, as: UTF8.self))
        }
        guard let variable = app.privateKeyEnvironment, let text = environment[variable],
              !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return .success(nil) }
        if !text.contains("\n"), text.contains("\\n") { return .success(text.replacingOccurrences(of: "\\n", with: "\n")) }
        return .success(text)
    }
}

extension HomeConfig {
    /// The App fields of `benchbot.notify.github`; `nil` when there is no `app_id`, or the App's
    /// fields are wrong (each reported, naming the field).
    static func parseGitHubApp(_ github: [String: JSONValue], reader: inout ConfigReader) -> NotifySettings.GitHubAppSettings? {
        let prefix = "benchbot.notify.github."
        guard let value = github["app_id"] else {
            for field in NotifySettings.GitHubAppSettings.fields.dropFirst() where github[field] != nil {
                reader.report(prefix + field, "goes with app_id, which is missing; set app_id to the App's ID or client ID "
                    + "(both on the App's settings page), or remove \(field)")
            }
            return nil
        }
        var appID: String?
        switch value {
        case .number(let number) where number.rounded() == number && number >= 1 && number < 1e15:
            appID = String(Int(number))
        case .string(let text) where !text.isEmpty && text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }):
            appID = text
        default:
            let shown = switch value {
            case .number(let number): BoundedSeconds.text(number)
            case .string(let text): "\"\(text.prefix(60))\""
            default: value.typeName
            }
            reader.report(prefix + "app_id", "is \(shown); expected the App's ID (a whole number such as 123456) or its client "
                + "ID (a string such as \"Iv23liAbCdEf\"), both on the App's settings page")
        }
        let file = reader.string(github["app_private_key_file"], prefix + "app_private_key_file")
        let variable = reader.string(github["app_private_key_env"], prefix + "app_private_key_env")
        let installationID = reader.integer(github["installation_id"], prefix + "installation_id", minimum: 1)
        if file != nil, variable != nil {
            reader.report(prefix + "app_private_key_env", "is set beside app_private_key_file; keep the one that holds the key")
            return nil
        }
        if github["app_private_key_file"] == nil, github["app_private_key_env"] == nil {
            reader.report(prefix + "app_private_key_file", "missing; an App needs its private key: set app_private_key_file to "
                + "the .pem file from the App's settings page (Private keys), or app_private_key_env to a variable holding it")
        }
        guard let appID, file != nil || variable != nil, github["installation_id"] == nil || installationID != nil else { return nil }
        return NotifySettings.GitHubAppSettings(appID: appID, privateKeyFile: file, privateKeyEnvironment: variable, installationID: installationID)
    }
}
