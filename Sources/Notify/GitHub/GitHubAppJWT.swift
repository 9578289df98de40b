import Crypto
import _CryptoExtras
public import Foundation

/// The JSON web token a GitHub App authenticates as itself with: RS256 (RSASSA-PKCS1-v1_5 over
/// SHA-256) with the App's private key, the App as issuer, valid for 9 minutes from a minute ago.
///
/// GitHub refuses a token that expires more than 10 minutes ahead by its own clock; the minute
/// taken off the start and the minute left off the end let either clock run a little off.
public enum GitHubAppJWT {
    /// How far before `now` it counts as issued.
    public static let backdating: TimeInterval = 60
    /// How long after `now` it expires.
    public static let lifetime: TimeInterval = 9 * 60

    /// A signed token.
    ///
    /// - Parameters:
    ///   - issuer: The App's ID (`12345`) or its client ID (`Iv23li…`), as configured.
    ///   - key: The App's private key.
    ///   - now: The time it is minted.
    /// - Throws: ``GitHubAppError`` when the key cannot sign, which a key that loaded does not do.
    public static func make(issuer: String, key: GitHubAppKey, now: Date) throws(GitHubAppError) -> String {
        let seconds = Int(now.timeIntervalSince1970.rounded(.down))
        let header = #"{"alg":"RS256","typ":"JWT"}"#
        // Built by hand for a fixed member order; the issuer is the one string, encoded by JSONSerialization.
        let quotedIssuer = (try? JSONSerialization.data(withJSONObject: [issuer], options: [.fragmentsAllowed]))
            .map { String(decoding: $0.dropFirst().dropLast(), as: UTF8.self) } ?? "\"\""
        let claims = #"{"iat":\#(seconds - Int(backdating)),"exp":\#(seconds + Int(lifetime)),"iss":\#(quotedIssuer)}"#
        let signingInput = base64URL(Data(header.utf8)) + "." + base64URL(Data(claims.utf8))
        do {
            let signature = try key.privateKey.signature(for: SHA256.hash(data: Data(signingInput.utf8)), padding: .insecurePKCS1v1_5)
            return signingInput + "." + base64URL(signature.rawRepresentation)
        } catch {
            throw GitHubAppError("GitHub App \(issuer): the private key could not sign the App's JSON web token (\(error)); "
                                 + "download a new private key from the App's settings page", transient: false)
        }
    }

    /// Base64url without padding (RFC 7515, section 2).
    public static func base64URL(_ data: Data) -> String {
        data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Reads base64url without padding back, for tests and for reading a token's parts.
    public static func data(base64URL text: some StringProtocol) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64)
    }
}
