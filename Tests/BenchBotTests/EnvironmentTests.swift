import Foundation
import Notify
import Testing

@Suite("What builds and stages see of BenchBot's environment")
struct EnvironmentTests {
    static let secrets: [String: String] = [
        "DEPLOY_TOKEN": "v-deploy-token", "STRIPE_API_KEY": "v-stripe-api-key", "SERVICE_APIKEY": "v-service-apikey",
        "SIGNING_KEY": "v-signing-key", "DB_PASS": "v-db-pass", "DB_PASSWD": "v-db-passwd", "DB_PWD": "v-db-pwd",
        "AZURE_CREDENTIALS": "v-azure-credentials", "DEPLOY_PRIVATE_KEY": "v-deploy-private-key", "NPM_AUTH": "v-npm-auth",
        "TRACKER_COOKIE": "v-tracker-cookie", "PORTAL_SESSION": "v-portal-session", "SENTRY_DSN": "v-sentry-dsn",
        "AWS_SECRET_ACCESS_KEY": "v-aws-secret", "AWS_SESSION_TOKEN": "v-aws-session", "AWS_ACCESS_KEY_ID": "v-aws-access-key-id",
        "GOOGLE_APPLICATION_CREDENTIALS": "v-google-credentials", "SQL_CONNECTION_STRING": "v-sql-connection-string",
        "DATABASE_URL": "postgres://app:v-database-url@db.invalid/app", "SSH_AUTH_SOCK": "/tmp/v-ssh-agent.sock",
        "GH_PAT": "v-gh-pat", "DOCKER_AUTH_CONFIG": "v-docker-auth-config", "GPG_PASSPHRASE": "v-gpg-passphrase",
    ]
    static let kept: [String: String] = ["MY_API_KEY": "v-my-api-key", "PLAIN_SETTING": "v-plain-setting", "GIT_ASKPASS": "v-askpass",
                                         "TOKENIZERS_PARALLELISM": "false", "SSH_PUBLIC_KEY": "v-ssh-public-key"]

    @Test("secret-named variables reach neither the build nor a stage, unless passed through; PWD, HOME and PATH stay")
    func secretsStripped() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            var stages = RunnerFixture.timingStages
            stages["run.sh"] = stages["run.sh"]!.replacingOccurrences(of: "set -e\n", with: "set -e\nenv > \"$BENCHBOT_HOME/stage-env.txt\"\n")
            try fixture.addExperiment("stages", scripts: stages)
            try fixture.editConfig { config in
                var benchbot = config["benchbot"] as! [String: Any]
                benchbot["build"] = ["command": "env > \"$BENCHBOT_HOME/build-env.txt\" && cc -O1 -o loop loop.c"]
                var runner = benchbot["runner"] as! [String: Any]
                runner["pass_environment"] = ["MY_API_KEY"]
                benchbot["runner"] = runner
                config["benchbot"] = benchbot
            }
            try await BenchBotProcess.succeed(["enqueue", "--home", fixture.home, "--commit", "main"])
            let environment = Self.secrets.merging(Self.kept) { $1 }.mapValues { Optional($0) }
            let work = try await BenchBotProcess.run(["work", "--verbose", "--home", fixture.home], environment: environment)
            #expect(work.succeeded, "\(work.standardOutput)\(work.standardError)")
            for file in ["build-env.txt", "stage-env.txt"] {
                let seen = try String(contentsOfFile: fixture.home.appending(path: file), encoding: .utf8)
                let names = Set(seen.split(separator: "\n").compactMap { $0.split(separator: "=", maxSplits: 1).first.map(String.init) })
                for (name, value) in Self.secrets {
                    #expect(!names.contains(name) && !seen.contains(value), "\(file) holds \(name)")
                }
                for (name, value) in Self.kept { #expect(seen.contains("\(name)=\(value)"), "\(file) lacks \(name)") }
                #expect(names.isSuperset(of: ["PWD", "HOME", "PATH"]), "\(file): \(names.sorted())")
            }
        }
    }

    @Test("the name rule: common secret names match; PWD, OLDPWD, author_name, *_env and *_file do not")
    func nameRule() {
        for name in Self.secrets.keys where name != "DATABASE_URL" { #expect(SecretRedactor.namesSecret(name), "\(name)") }
        for name in ["PWD", "OLDPWD", "HOME", "PATH", "author_name", "token_env", "bot_token_file", "GIT_ASKPASS", "KEYBOARD",
                     "XDG_SESSION_ID", "PLAIN_SETTING", "MONKEY"] {
            #expect(!SecretRedactor.namesSecret(name), "\(name)")
        }
    }

    @Test("check refuses a pass_environment that hands builds BenchBot's own git or notification token")
    func passingOwnSecrets() async throws {
        try await withTemporaryDirectory { root in
            let fixture = try await RunnerFixture.make(in: root, commits: 1)
            try fixture.setNotify(["github": ["repository": "o/r", "token_env": "BOT_GH_TOKEN"]])
            try fixture.editConfig { config in
                var benchbot = config["benchbot"] as! [String: Any]
                var runner = benchbot["runner"] as! [String: Any]
                runner["pass_environment"] = ["MY_API_KEY", "BENCHBOT_GIT_TOKEN", "BOT_GH_TOKEN"]
                benchbot["runner"] = runner
                config["benchbot"] = benchbot
            }
            let check = try await BenchBotProcess.run(["check", "--home", fixture.home])
            let output = check.standardOutput + check.standardError
            #expect(!check.succeeded && output.contains("benchbot.runner.pass_environment"), "\(output)")
            #expect(output.contains("BENCHBOT_GIT_TOKEN") && output.contains("BOT_GH_TOKEN") && !output.contains("names MY_API_KEY"), "\(output)")
        }
    }
}
