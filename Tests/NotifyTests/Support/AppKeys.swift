import Crypto
import Foundation
import Notify
import _CryptoExtras

/// RSA keys made when the tests run: no key file is committed.
enum AppKeys {
    /// The App's key, made once for the suite: a 2048-bit key takes a moment to make.
    static let app: _RSA.Signing.PrivateKey = try! _RSA.Signing.PrivateKey(keySize: .bits2048)
    /// Another App's key, whose tokens GitHub refuses for this App.
    static let other: _RSA.Signing.PrivateKey = try! _RSA.Signing.PrivateKey(keySize: .bits2048)

    /// Whether `jwt` is an RS256 token signed by `key`'s private half.
    static func verifies(_ jwt: String, with key: _RSA.Signing.PrivateKey = app) -> Bool {
        let parts = jwt.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let signature = GitHubAppJWT.data(base64URL: parts[2]) else { return false }
        return key.publicKey.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature),
                                              for: SHA256.hash(data: Data("\(parts[0]).\(parts[1])".utf8)), padding: .insecurePKCS1v1_5)
    }

    /// The JSON object of a token's header (0) or claims (1).
    static func part(_ jwt: String, _ index: Int) -> [String: Any]? {
        let parts = jwt.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let data = GitHubAppJWT.data(base64URL: parts[index]) else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }
}
