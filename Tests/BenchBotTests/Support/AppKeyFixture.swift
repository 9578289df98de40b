import Crypto
import Foundation
import _CryptoExtras

/// GitHub App keys made when the tests run (no key file is committed), and the check GitHub
/// makes of the App's JSON web token.
enum AppKeyFixture {
    static let key: _RSA.Signing.PrivateKey = try! _RSA.Signing.PrivateKey(keySize: .bits2048)
    static let otherKey: _RSA.Signing.PrivateKey = try! _RSA.Signing.PrivateKey(keySize: .bits2048)

    /// Whether `jwt` is RS256-signed by ``key``.
    @Sendable static func verifies(_ jwt: String) -> Bool {
        let parts = jwt.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let signature = Data(base64URL: parts[2]) else { return false }
        return key.publicKey.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature),
                                              for: SHA256.hash(data: Data("\(parts[0]).\(parts[1])".utf8)), padding: .insecurePKCS1v1_5)
    }

    /// Writes `pem` to `<home>/secrets/app.pem`, readable by its owner only, as GitHub's download should be kept.
    static func install(_ pem: String, in home: String) throws {
        let folder = (home as NSString).appendingPathComponent("secrets")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let file = (folder as NSString).appendingPathComponent("app.pem")
        try pem.write(toFile: file, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file)
    }

    /// The body lines of a PEM: none may appear in any output.
    static func bodyLines(_ pem: String) -> [String] {
        pem.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("-----") }
    }
}

extension Data {
    /// Base64url without padding.
    init?(base64URL text: some StringProtocol) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        self.init(base64Encoded: base64)
    }
}
