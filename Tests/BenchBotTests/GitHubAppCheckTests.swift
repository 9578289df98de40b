@testable import BenchBot
import Crypto
import Foundation
import Testing
import _CryptoExtras

@Suite("GitHub App settings in benchbot check")
struct GitHubAppCheckTests {
    static func github(_ app: [String: Any]) -> [String: Any] {
        ["github": (["repository": "octo-org/project"] as [String: Any]).merging(app) { $1 }]
    }

    /// `check`'s exit status and its whole output.
    static func check(_ fixture: RunnerFixture, environment: [String: String?] = [:]) async throws -> (Int32, String) {
        let result = try await BenchBotProcess.run(["check", "--home", fixture.home], environment: environment)
        return (result.status, result.standardOutput + result.standardError)
    }

    @Test("wrong App fields are each named with the fix")
    func badFields() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            let cases: [([String: Any], String)] = [
                (["app_id": 1.5, "app_private_key_file": "app.pem"], "benchbot.notify.github.app_id: is 1.5; expected the App's ID"),
                (["app_id": "Iv23 li", "app_private_key_file": "app.pem"], "benchbot.notify.github.app_id: is \"Iv23 li\"; expected the App's ID"),
                (["app_id": true, "app_private_key_file": "app.pem"], "benchbot.notify.github.app_id: is a boolean; expected the App's ID"),
                (["app_id": 12345], "benchbot.notify.github.app_private_key_file: missing; an App needs its private key"),
                (["app_id": 12345, "app_private_key_file": "a.pem", "app_private_key_env": "APP_KEY"],
                 "benchbot.notify.github.app_private_key_env: is set beside app_private_key_file"),
                (["app_id": 12345, "app_private_key_env": "APP_KEY", "installation_id": "42"],
                 "benchbot.notify.github.installation_id: is a string, expected a whole number"),
                (["app_id": 12345, "app_private_key_env": "APP_KEY", "installation_id": 0],
                 "benchbot.notify.github.installation_id: is 0, expected at least 1"),
                (["installation_id": 42], "benchbot.notify.github.installation_id: goes with app_id, which is missing"),
                (["app_private_key_file": "app.pem"], "benchbot.notify.github.app_private_key_file: goes with app_id, which is missing"),
                (["app_key_file": "app.pem"], "benchbot.notify.github.app_key_file: unknown field"),
            ]
            for (app, expected) in cases {
                try fixture.setNotify(Self.github(app))
                let (status, output) = try await Self.check(fixture)
                #expect(status == 1 && output.contains(expected), "\(app): \(output)")
            }
        }
    }

    @Test("GitHub's PKCS#1 download and its PKCS#8 form pass; so does a one-line key with \\n in a variable")
    func goodKeys() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            try fixture.setNotify(Self.github(["app_id": "Iv23liAbCdEf", "app_private_key_file": "secrets/app.pem", "installation_id": 42]))
            for pem in [AppKeyFixture.key.pemRepresentation, AppKeyFixture.key.pkcs8PEMRepresentation] {
                try AppKeyFixture.install(pem, in: fixture.home)
                let (status, output) = try await Self.check(fixture)
                #expect(status == 0 && output.hasPrefix("ok:"), "\(output)")
            }
            try fixture.setNotify(Self.github(["app_id": 12345, "app_private_key_env": "TEST_APP_KEY"]))
            let oneLine = AppKeyFixture.key.pemRepresentation.replacingOccurrences(of: "\n", with: "\\n")
            let (status, output) = try await Self.check(fixture, environment: ["TEST_APP_KEY": oneLine])
            #expect(status == 0 && output.hasPrefix("ok:"), "\(output)")
        }
    }

    @Test("a key file that is missing, a directory, or not an RSA private key is named with its fix, and nothing of it is printed",
          arguments: ["missing", "directory", "public key", "EC key", "OpenSSH key", "damaged"])
    func badKeyFile(_ kind: String) async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            try fixture.setNotify(Self.github(["app_id": 12345, "app_private_key_file": "secrets/app.pem"]))
            let path = (fixture.home as NSString).appendingPathComponent("secrets/app.pem")
            var pem = ""
            let expected: String
            switch kind {
            case "missing":
                expected = "cannot read \(path): no such file; save the App's private key"
            case "directory":
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
                expected = "\(path) is not a key file"
            case "public key":
                pem = AppKeyFixture.key.publicKey.pemRepresentation
                expected = "\(path) holds a PEM \"PUBLIC KEY\", not an RSA private key; use the .pem file"
            case "EC key":
                pem = P256.Signing.PrivateKey().pemRepresentation
                expected = "\(path) holds a \"PRIVATE KEY\" that is not a readable RSA key"
            case "OpenSSH key":
                pem = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----\n"
                expected = "holds a PEM \"OPENSSH PRIVATE KEY\", not an RSA private key"
            default:
                let lines = AppKeyFixture.key.pemRepresentation.split(separator: "\n")
                pem = (lines.prefix(8) + lines.suffix(1)).joined(separator: "\n")
                expected = "holds a \"RSA PRIVATE KEY\" that is not a readable RSA key"
            }
            if !pem.isEmpty { try AppKeyFixture.install(pem, in: fixture.home) }
            let (status, output) = try await Self.check(fixture)
            #expect(status == 1 && output.contains("benchbot.notify.github.app_private_key_file: ") && output.contains(expected), "\(output)")
            #expect(!AppKeyFixture.bodyLines(pem).contains { output.contains($0) }, "no key material in \(output)")
        }
    }

    @Test("a key in a variable that is not one is named by its field; the variable may not be passed to builds")
    func badKeyVariable() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            try fixture.setNotify(Self.github(["app_id": 12345, "app_private_key_env": "TEST_APP_KEY"]))
            try fixture.editConfig { config in
                var benchbot = config["benchbot"] as! [String: Any]
                var runner = benchbot["runner"] as? [String: Any] ?? [:]
                runner["pass_environment"] = ["TEST_APP_KEY"]
                benchbot["runner"] = runner
                config["benchbot"] = benchbot
            }
            let (status, output) = try await Self.check(fixture, environment: ["TEST_APP_KEY": "not a key at all"])
            #expect(status == 1, "\(output)")
            #expect(output.contains("benchbot.notify.github.app_private_key_env: the variable TEST_APP_KEY holds no PEM key"), "\(output)")
            #expect(output.contains("benchbot.runner.pass_environment: names TEST_APP_KEY, which holds BenchBot's own secret"), "\(output)")
        }
    }

    @Test("the App's private key kept in the home's config folder is left out of backups")
    func keyStaysHome() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            let pem = AppKeyFixture.key.pemRepresentation
            let file = fixture.home.appending(path: "config/secrets/app.pem")
            try FileManager.default.createDirectory(atPath: fixture.home.appending(path: "config/secrets"), withIntermediateDirectories: true)
            try pem.write(toFile: file, atomically: true, encoding: .utf8)
            try fixture.setNotify(Self.github(["app_id": 12345, "app_private_key_file": "config/secrets/app.pem"]))
            let home = Home(root: fixture.home)
            let archive = try await HomeBackup.create(home: home, config: try HomeConfig.load(from: home), label: "test")
            let listing = try await CommandRunner.run("tar", arguments: ["-tzf", archive], timeout: .seconds(60))
            #expect(listing.succeeded && listing.standardOutput.contains("config/config.json"), "\(listing.standardOutput)")
            #expect(!listing.standardOutput.contains("config/secrets/app.pem"), "\(listing.standardOutput)")
            let line = try #require(AppKeyFixture.bodyLines(pem).first)
            let bytes = try await CommandRunner.run("sh", arguments: ["-c", "gzip -dc \"$1\" | grep -c -F -e \"$2\" || true", "sh", archive, line],
                                                    timeout: .seconds(60))
            #expect(bytes.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        }
    }
}
