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
    /// - Parameter secrets: Secret values; values shorter than 4 characters are ignored, since
    ///   masking every "1" or "ok" in a log would hide more than it protects.
    public init(secrets: some Sequence<String> = []) {
        self.secrets = Array(Set(secrets.filter { $0.count >= 4 })).sorted { $0.count > $1.count }
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
    /// Anywhere in the name: token, secret, password/passwd, webhook, credential(s), cookie,
    /// private key, API key, access key, connection string. As its last word: key, pass, pwd, auth,
    /// session, dsn. `PWD` and `OLDPWD` alone are the working directory; `author_name` holds no auth.
    public static func namesSecret(_ name: String) -> Bool {
        let lowered = name.lowercased()
        guard !lowered.hasSuffix("_env"), !lowered.hasSuffix("_file") else { return false }
        let words = lowered.split(whereSeparator: { $0 == "_" || $0 == "-" || $0 == "." }).map(String.init)
        guard let last = words.last else { return false }
        let anywhere = ["token", "secret", "password", "passwd", "webhook", "credential", "cookie", "apikey", "privatekey", "connstr"]
        if anywhere.contains(where: { lowered.contains($0) }) { return true }
        let pairs = zip(words, words.dropFirst()).map { "\($0)_\($1)" }
        if pairs.contains(where: { ["api_key", "private_key", "access_key", "connection_string", "client_secret"].contains($0) }) { return true }
        return words.count > 1 && ["key", "pass", "pwd", "auth", "session", "dsn"].contains(last)
    }

    /// Returns `text` with every known secret and every URL credential masked.
    public func redact(_ text: String) -> String {
        var result = Self.redactURLCredentials(in: text)
        for secret in secrets {
            result = result.replacing(secret, with: Self.mask)
        }
        return result
    }

    /// Masks the user-info part of every `scheme://user[:password]@host` in `text`.
    public static func redactURLCredentials(in text: String) -> String {
        var output = ""
        var rest = Substring(text)
        while let schemeEnd = rest.firstRange(of: "://") {
            output += rest[..<schemeEnd.upperBound]
            rest = rest[schemeEnd.upperBound...]
            let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" || $0.isWhitespace })
                ?? rest.endIndex
            let authority = rest[..<authorityEnd]
            if let at = authority.lastIndex(of: "@") {
                output += Self.mask + "@"
                rest = rest[rest.index(after: at)...]
            }
        }
        return output + rest
    }

    /// Masks the credentials of every URL in `text`, for what is stored or archived: a password
    /// (`user:password@`), and any user-info of an http(s) URL, where a lone name is as often a
    /// token (`https://ghp_…@github.com`). An SSH user name such as `ssh://git@host` is kept.
    public static func maskingURLPasswords(in text: String) -> String {
        var output = ""
        var rest = Substring(text)
        while let schemeEnd = rest.firstRange(of: "://") {
            let scheme = rest[..<schemeEnd.lowerBound].reversed().prefix { $0.isLetter || $0.isNumber || "+-.".contains($0) }
            let isHTTP = ["http", "https"].contains(String(scheme.reversed()).lowercased())
            output += rest[..<schemeEnd.upperBound]
            rest = rest[schemeEnd.upperBound...]
            let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" || $0.isWhitespace }) ?? rest.endIndex
            guard let at = rest[..<authorityEnd].lastIndex(of: "@") else { continue }
            let userInfo = rest[..<at]
            if isHTTP || userInfo.contains(":") {
                let user = userInfo.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
                output += (isHTTP || user.isEmpty ? Self.mask : user + ":" + Self.mask) + "@"
                rest = rest[rest.index(after: at)...]
            }
        }
        return output + rest
    }

    /// Whether `text` holds a URL with credentials that ``maskingURLPasswords(in:)`` masks.
    public static func holdsURLCredentials(_ text: String) -> Bool {
        maskingURLPasswords(in: text) != text
    }
}
