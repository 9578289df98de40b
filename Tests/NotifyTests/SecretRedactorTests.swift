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

    @Test("stored URLs lose their passwords and http(s) user-info; SSH user names and plain paths stay")
    func storedURLs() {
        #expect(SecretRedactor.maskingURLPasswords(in: "https://x-access-token:ghp_abc123@github.com/org/repo.git")
            == "https://[redacted]@github.com/org/repo.git")
        #expect(SecretRedactor.maskingURLPasswords(in: "https://ghp_abc123@github.com/o/r") == "https://[redacted]@github.com/o/r")
        #expect(SecretRedactor.maskingURLPasswords(in: "ssh://deploy:hunter22@host/r.git") == "ssh://deploy:[redacted]@host/r.git")
        #expect(SecretRedactor.maskingURLPasswords(in: "ssh://git@host/r.git") == "ssh://git@host/r.git")
        #expect(SecretRedactor.maskingURLPasswords(in: "git@github.com:o/r.git") == "git@github.com:o/r.git")
        #expect(SecretRedactor.maskingURLPasswords(in: "https://host/path?a=b@c") == "https://host/path?a=b@c")
        #expect(SecretRedactor.holdsURLCredentials("HTTPS://u:p@h/x") && !SecretRedactor.holdsURLCredentials("/srv/git/p.git"))
    }

    @Test("values of the named environment variables are masked everywhere, short values are not")
    func environmentSecrets() {
        let redactor = SecretRedactor(environmentVariables: ["SLACK_TOKEN", "SHORT", "UNSET"],
                                      in: ["SLACK_TOKEN": "xoxb-1234-secret", "SHORT": "ok"])
        #expect(redactor.redact("posting with xoxb-1234-secret: ok") == "posting with [redacted]: ok")
    }
}
