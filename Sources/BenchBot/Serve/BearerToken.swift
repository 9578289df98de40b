import Crypto
import Foundation

/// Checks an `Authorization: Bearer` header against the configured token in constant time.
///
/// Both tokens are first put through HMAC-SHA256 with a key made for this one check, and the
/// two codes compared with swift-crypto's constant-time comparison: neither the token's length
/// nor how much of it a guess got right shows in how long the answer takes.
enum BearerToken {
    static func matches(_ header: String?, token: String) -> Bool {
        guard let header, let presented = credential(in: header) else { return false }
        let key = SymmetricKey(size: .bits256)
        let expected = HMAC<SHA256>.authenticationCode(for: Data(token.utf8), using: key)
        return HMAC<SHA256>.isValidAuthenticationCode(expected, authenticating: Data(presented.utf8), using: key)
    }

    /// The token of `Bearer TOKEN`; the scheme's case does not matter (RFC 9110, section 11.1).
    static func credential(in header: String) -> Substring? {
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : Substring(token)
    }
}
