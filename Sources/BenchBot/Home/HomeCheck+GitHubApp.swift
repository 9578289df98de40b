import Foundation
import Notify

extension HomeCheck {
    /// A GitHub App's private key that cannot be read, or is not an RSA private key: every GitHub
    /// notification would fail. Says what the file holds, never what is in it.
    ///
    /// A key in a variable is checked when `check` runs with that variable set.
    static func appKeyProblems(_ settings: BenchBotSettings, home: Home) -> [ConfigProblem] {
        guard let github = settings.notify?.github, let app = github.app else { return [] }
        let file = home.display(home.effectiveConfigFile)
        let field = app.privateKeyFile != nil ? "benchbot.notify.github.app_private_key_file" : "benchbot.notify.github.app_private_key_env"
        let pem: String
        switch NotifySettings.GitHubSettings.appKeyText(app, environment: ProcessInfo.processInfo.environment, home: home) {
        case .success(let text?): pem = text
        case .success(nil): return []
        case .failure(let error):
            // The error starts with the field's name, which the problem shows on its own.
            let message = error.message.hasPrefix(field + ": ") ? String(error.message.dropFirst(field.count + 2)) : error.message
            return [ConfigProblem(file: file, field: field, problem: message)]
        }
        do {
            _ = try GitHubAppKey(pem: pem)
            return []
        } catch {
            let holder = app.privateKeyFile.map { home.resolvePath($0) } ?? "the variable \(app.privateKeyEnvironment ?? "")"
            return [ConfigProblem(file: file, field: field, problem: "\(holder) \(error)")]
        }
    }
}
