import Crypto
import Foundation
import Notify
import Testing
import _CryptoExtras

@Suite("GitHub App JSON web token and key")
struct GitHubAppJWTTests {
    @Test("the token is RS256 over SHA-256 with the App's key: iat a minute back, exp 9 minutes ahead, iss the App")
    func claims() throws {
        let now = Date(timeIntervalSince1970: 1_700_000_000.7)
        let key = try GitHubAppKey(pem: AppKeys.app.pemRepresentation)
        let jwt = try GitHubAppJWT.make(issuer: "12345", key: key, now: now)
        #expect(jwt.split(separator: ".").count == 3 && !jwt.contains("=") && !jwt.contains("+") && !jwt.contains("/"), "base64url, no padding")
        let header = try #require(AppKeys.part(jwt, 0))
        #expect(header.count == 2 && header["alg"] as? String == "RS256" && header["typ"] as? String == "JWT", "\(header)")
        let claims = try #require(AppKeys.part(jwt, 1))
        #expect(claims["iat"] as? Int == 1_700_000_000 - 60 && claims["exp"] as? Int == 1_700_000_000 + 540, "\(claims)")
        #expect(claims["iss"] as? String == "12345")
        #expect(AppKeys.verifies(jwt), "the App's public key verifies it")
        #expect(!AppKeys.verifies(jwt, with: AppKeys.other), "another key's does not")
        // A claim changed after signing no longer verifies.
        let parts = jwt.split(separator: ".")
        let forged = GitHubAppJWT.base64URL(Data(#"{"iat":1,"exp":2,"iss":"12345"}"#.utf8))
        #expect(!AppKeys.verifies("\(parts[0]).\(forged).\(parts[2])"))
    }

    @Test("a client ID is the issuer as it is written")
    func clientID() throws {
        let jwt = try GitHubAppJWT.make(issuer: "Iv23li.Ab-Cd_Ef", key: GitHubAppKey(pem: AppKeys.app.pemRepresentation), now: Date())
        #expect(AppKeys.part(jwt, 1)?["iss"] as? String == "Iv23li.Ab-Cd_Ef" && AppKeys.verifies(jwt))
    }

    @Test("GitHub's PKCS#1 download and its PKCS#8 form both load and sign alike")
    func keyForms() throws {
        let pkcs1 = AppKeys.app.pemRepresentation, pkcs8 = AppKeys.app.pkcs8PEMRepresentation
        #expect(pkcs1.hasPrefix("-----BEGIN RSA PRIVATE KEY-----") && pkcs8.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        for pem in [pkcs1, pkcs8, pkcs1.replacingOccurrences(of: "\n", with: "\r\n")] {
            let jwt = try GitHubAppJWT.make(issuer: "1", key: GitHubAppKey(pem: pem), now: Date())
            #expect(AppKeys.verifies(jwt))
        }
    }

    @Test("what is not an RSA private key is named for what it is, and no line of it is shown",
          arguments: ["public key", "EC key", "not PEM", "damaged", "certificate"])
    func notAnRSAKey(_ kind: String) throws {
        let pem: String
        let expected: String
        switch kind {
        case "public key": (pem, expected) = (AppKeys.app.publicKey.pemRepresentation, "holds a PEM \"PUBLIC KEY\", not an RSA private key")
        case "EC key": (pem, expected) = (P256.Signing.PrivateKey().pemRepresentation, "is not a readable RSA key")
        case "not PEM": (pem, expected) = ("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 user@host\n", "holds no PEM key")
        case "damaged":
            let lines = AppKeys.app.pemRepresentation.split(separator: "\n")
            (pem, expected) = ((lines.prefix(5) + lines.suffix(1)).joined(separator: "\n"), "is not a readable RSA key")
        default: (pem, expected) = ("-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n", "\"CERTIFICATE\", not an RSA")
        }
        do {
            _ = try GitHubAppKey(pem: pem)
            Issue.record("\(kind) was taken for a key")
        } catch {
            #expect(error.description.contains(expected), "\(error)")
            let body = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") && $0.count > 8 }
            #expect(!body.contains { error.description.contains($0) }, "no key material in \(error)")
        }
    }

    @Test("the key's text and each line of its body are secrets the redactor masks")
    func keySecrets() {
        let pem = AppKeys.app.pemRepresentation
        let secrets = GitHubAppKey.secrets(in: pem)
        let line = String(pem.split(separator: "\n")[3])
        let redactor = SecretRedactor(secrets: secrets)
        #expect(redactor.redact("server said: \(line)") == "server said: \(SecretRedactor.mask)")
        #expect(redactor.redact(pem).contains(SecretRedactor.mask) && !redactor.redact(pem).contains(line))
        #expect(!secrets.contains { $0.hasPrefix("-----BEGIN") && !$0.contains("\n") }, "the BEGIN and END lines are no secret")
    }
}
