import Notify
import Testing

@Suite("Secret redaction")
struct SecretRedactorTests {
    @Test("URL credentials are masked, the rest of the URL is kept")
    func urlCredentials() {
        #expect(SecretRedactor.redactURLCredentials(in: "fetch https://x-access-token:ghp_abc123@github.com/org/repo.git failed")
            == "fetch https://[redacted]@github.com/org/repo.git failed")
        #expect(SecretRedactor.redactURLCredentials(in: "ssh://git@host/repo and https://host/path?a=b@c")
            == "ssh://[redacted]@host/repo and https://host/path?a=b@c")
        #expect(SecretRedactor.redactURLCredentials(in: "/srv/git/project.git") == "/srv/git/project.git")
    }

    @Test("values of the named environment variables are masked everywhere, short values are not")
    func environmentSecrets() {
        let redactor = SecretRedactor(environmentVariables: ["SLACK_TOKEN", "SHORT", "UNSET"],
                                      in: ["SLACK_TOKEN": "xoxb-1234-secret", "SHORT": "ok"])
        #expect(redactor.redact("posting with xoxb-1234-secret: ok") == "posting with [redacted]: ok")
    }
}
