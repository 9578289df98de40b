/// Removes secrets from text before it reaches a log, a message or a backup.
///
/// Two kinds of secret are removed: the values of environment variables the configuration
/// names as secret holders, and credentials embedded in URLs (`https://user:token@host`).
public struct SecretRedactor: Sendable, Hashable {
    /// What replaces each secret.
    public static let mask = "[redacted]"

    private let secrets: [String]

    /// Creates a redactor for known secret values.
    ///
    /// - Parameter secrets: Secret values; see ``isMaskable(_:)`` for the values left alone.
    public init(secrets: some Sequence<String> = []) {
        self.secrets = Array(Set(secrets.filter(Self.isMaskable))).sorted { $0.count > $1.count }
    }

    /// Whether a secret's value is worth masking in text: not shorter than 6 characters, not a
    /// number and not a switch word (`true`, `false`, `yes`, `off`…). A variable wrongly taken
    /// for a secret, such as `SOME_FLAG_KEY=false`, would otherwise mask every "false" in a log,
    /// hiding more than it protects.
    public static func isMaskable(_ value: String) -> Bool {
        let switches: Set = ["true", "false", "yes", "no", "on", "off", "none", "null", "enabled", "disabled", "default", "auto"]
        guard value.count >= 6, !switches.contains(value.lowercased()) else { return false }
        return Double(value) == nil
    }

    /// Creates a redactor for the values of the named environment variables.
    ///
    /// - Parameters:
    ///   - names: Variable names, such as `BENCHBOT_GIT_TOKEN`.
    ///   - environment: The environment to read them from.
    public init(environmentVariables names: some Sequence<String>, in environment: [String: String]) {
        self.init(secrets: names.compactMap { environment[$0] })
    }

    /// Whether a variable or config field of this name holds a secret, by the conventions CI
    /// systems mask by, and it is not merely the name of where one is kept (`*_env`, `*_file`).
    ///
    /// The name is read as words split at `_`, `-` and `.`, case aside; a rule matches whole words,
    /// so `TOKENIZERS_PARALLELISM` or `AUTHOR_NAME` is not a secret:
    /// - a word ending in `token(s)` or `cookie(s)` (`GITHUB_TOKEN`, `NPMTOKEN`);
    /// - a word containing `secret`, `password`, `passwd`, `passphrase`, `credential`, `webhook`,
    ///   `jwt`, or the compounds `apikey`, `privatekey`, `accesskey`, `connstr` (`DBPASSWORD`);
    /// - the pairs `api_key`, `private_key`, `access_key`, `secret_key`, `connection_string`, `client_secret`;
    /// - as the last of two or more words: `key(s)`, `pass`, `pwd`, `auth`, `dsn`, `pat` (`GH_PAT`)
    ///   and `session`. A `_KEY` is a secret in CI practice (`STRIPE_KEY`, `RAILS_MASTER_KEY`) unless
    ///   the word before says it is not one: public, cache, sort, primary, partition, foreign,
    ///   routing, shard, gpg/pgp (Docker images' `GPG_KEY` is a fingerprint). `DESKTOP_SESSION`
    ///   and `XDG_SESSION_*` are the desktop's.
    /// - `DOCKER_AUTH_CONFIG`, and `SSH_AUTH_SOCK`: not a secret itself, but whoever may use the
    ///   agent behind it may use BenchBot's SSH keys.
    public static func namesSecret(_ name: String) -> Bool {
        let lowered = name.lowercased()
        guard !lowered.hasSuffix("_env"), !lowered.hasSuffix("_file") else { return false }
        if ["docker_auth_config", "ssh_auth_sock"].contains(lowered) { return true }
        let words = lowered.split(whereSeparator: { $0 == "_" || $0 == "-" || $0 == "." }).map(String.init)
        guard let last = words.last else { return false }
        let endings = ["token", "tokens", "cookie", "cookies"]
        let inside = ["secret", "password", "passwd", "passphrase", "credential", "webhook", "jwt", "apikey", "privatekey", "accesskey", "connstr"]
        if words.contains(where: { word in endings.contains(where: word.hasSuffix) || inside.contains(where: word.contains) }) { return true }
        let pairs = zip(words, words.dropFirst()).map { "\($0)_\($1)" }
        let secretPairs = ["api_key", "private_key", "access_key", "secret_key", "connection_string", "client_secret"]
        if pairs.contains(where: secretPairs.contains) { return true }
        guard words.count > 1 else { return false }
        let before = words[words.count - 2]
        switch last {
        case "key", "keys":
            return !["public", "cache", "sort", "primary", "partition", "foreign", "routing", "shard", "gpg", "pgp"].contains(before)
        case "session":
            return before != "desktop" && words.first != "xdg"
        default:
            return ["pass", "pwd", "auth", "dsn", "pat"].contains(last)
        }
    }

    /// Returns `text` with every known secret and every URL credential masked.
    public func redact(_ text: String) -> String {
        var result = Self.redactURLCredentials(in: text)
        for secret in secrets {
            result = result.replacing(secret, with: Self.mask)
        }
        return result
    }

    /// Masks the user-info part of every `scheme://user[:password]@host` in `text`, and the value
    /// of a token in a URL's query (`?access_token=`, `?token=`, `?private_token=`).
    public static func redactURLCredentials(in text: String) -> String {
        maskingQueryTokens(in: rewritingUserInfo(in: text) { _, _ in Self.mask })
    }

    /// Masks the credentials of every URL in `text`, for what is stored or archived: a password
    /// (`user:password@`; of an http(s) URL, with its user, as often a token's label), a user name
    /// that looks like a token (`https://ghp_…@github.com`; see ``looksLikeToken(_:)``), and a token
    /// in the query. A plain user name, such as `ssh://git@host` or Azure DevOps'
    /// `https://org@dev.azure.com/…`, is kept: it is needed to fetch, and no secret.
    public static func maskingURLPasswords(in text: String) -> String {
        let masked = rewritingUserInfo(in: text) { scheme, userInfo in
            let parts = userInfo.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            let user = parts.first.map(String.init) ?? ""
            if looksLikeToken(user) { return Self.mask }
            guard parts.count == 2 else { return nil }
            // `git+https`, `svn+http` and the like are http(s) too.
            let isHTTP = ["http", "https"].contains(scheme.split(separator: "+").last.map { $0.lowercased() } ?? "")
            return isHTTP || user.isEmpty ? Self.mask : user + ":" + Self.mask
        }
        return maskingQueryTokens(in: masked)
    }

    /// Whether `text` holds a URL with credentials that ``maskingURLPasswords(in:)`` masks.
    public static func holdsURLCredentials(_ text: String) -> Bool {
        maskingURLPasswords(in: text) != text
    }

    /// Whether a URL's lone user name is a token rather than a name: a known token prefix (GitHub's
    /// `ghp_`, `gho_`, `ghs_`, `ghu_`, `ghr_`, `github_pat_`, GitLab's `glpat-`, Slack's `xox?-`,
    /// `x-access-token`), or 20 or more of `[A-Za-z0-9_-]` mixing letters and digits.
    public static func looksLikeToken(_ user: some StringProtocol) -> Bool {
        if hasTokenPrefix(user) || user.lowercased().hasPrefix("x-access-token") { return true }
        let allowed = user.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
        return user.count >= 20 && allowed && user.contains(where: \.isLetter) && user.contains(where: \.isNumber)
    }

    /// Whether `text` starts as the tokens of GitHub (`ghp_`, `gho_`, `ghs_`, `ghu_`, `ghr_`,
    /// `github_pat_`), GitLab (`glpat-`) or Slack (`xoxb-` and the like) do: a secret wherever it
    /// is written, whatever the field is called.
    public static func hasTokenPrefix(_ text: some StringProtocol) -> Bool {
        let lowered = text.lowercased()
        if ["ghp_", "gho_", "ghs_", "ghu_", "ghr_", "github_pat_", "glpat-"].contains(where: lowered.hasPrefix) { return true }
        return lowered.count > 4 && lowered.hasPrefix("xox") && Array(lowered)[4] == "-"
    }

    /// `text` with the user-info of every `scheme://userinfo@host` replaced by what `replacement`
    /// returns for the scheme and it; `nil` keeps it.
    private static func rewritingUserInfo(in text: String, _ replacement: (String, Substring) -> String?) -> String {
        var output = ""
        var rest = Substring(text)
        while let schemeEnd = rest.firstRange(of: "://") {
            let scheme = String(rest[..<schemeEnd.lowerBound].reversed().prefix { $0.isLetter || $0.isNumber || "+-.".contains($0) }.reversed())
            output += rest[..<schemeEnd.upperBound]
            rest = rest[schemeEnd.upperBound...]
            let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" || $0.isWhitespace }) ?? rest.endIndex
            guard let at = rest[..<authorityEnd].lastIndex(of: "@"), let replaced = replacement(scheme, rest[..<at]) else { continue }
            output += replaced + "@"
            rest = rest[rest.index(after: at)...]
        }
        return output + rest
    }

    /// `text` with the value of every query parameter whose name, percent-decoded, names a secret
    /// (`access_token`, `private_token`, `access%5Ftoken`, `password`, `api_key`, a signature) masked.
    private static func maskingQueryTokens(in text: String) -> String {
        var output = ""
        var rest = Substring(text)
        while let separator = rest.firstIndex(where: { $0 == "?" || $0 == "&" }) {
            output += rest[...separator]
            rest = rest[rest.index(after: separator)...]
            let nameEnd = rest.firstIndex(where: { "=&#?/\"'".contains($0) || $0.isWhitespace }) ?? rest.endIndex
            guard nameEnd < rest.endIndex, rest[nameEnd] == "=", isSecretParameter(rest[..<nameEnd]) else { continue }
            let valueStart = rest.index(after: nameEnd)
            let valueEnd = rest[valueStart...].firstIndex(where: { $0 == "&" || $0 == "#" || $0.isWhitespace || $0 == "\"" || $0 == "'" })
                ?? rest.endIndex
            output += rest[..<valueStart]
            if valueStart < valueEnd { output += Self.mask }
            rest = rest[valueEnd...]
        }
        return output + rest
    }

    private static func isSecretParameter(_ name: Substring) -> Bool {
        let decoded = (String(name).removingPercentEncoding ?? String(name)).lowercased()
        let known: Set = ["token", "sig", "signature", "key", "apikey", "auth", "password", "passwd", "secret",
                          "x-amz-signature", "x-amz-credential", "x-goog-signature"]
        // A compound name (`access_token`, `client_secret`) by the environment's rule; a lone word
        // only when known, so `tokens=` or `sort=` stay.
        return known.contains(decoded) || (decoded.contains("_") && namesSecret(decoded.uppercased()))
    }
}
