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

    /// Whether a variable or config field of this name holds a secret: its name mentions a
    /// token, secret, password or webhook, and it is not merely the name of where one is kept
    /// (`*_env`, `*_file`).
    public static func namesSecret(_ name: String) -> Bool {
        let lowered = name.lowercased()
        guard !lowered.hasSuffix("_env"), !lowered.hasSuffix("_file") else { return false }
        return ["token", "secret", "password", "webhook"].contains { lowered.contains($0) }
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
}
