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

    @Test("secret names by whole words and CI conventions", arguments: [
        ("GITHUB_TOKEN", true), ("NPMTOKEN", true), ("ACCESS_TOKENS", true), ("DB_PASSPHRASE", true), ("GPG_PASSPHRASE", true),
        ("JWT_SIGNING", true), ("MYJWT", true), ("GH_PAT", true), ("GITHUB_PAT", true), ("DOCKER_AUTH_CONFIG", true),
        ("SSH_AUTH_SOCK", true), ("DBPASSWORD", true), ("STRIPE_KEY", true), ("RAILS_MASTER_KEY", true), ("SIGNING_KEY", true),
        ("AWS_ACCESS_KEY_ID", true), ("SECRET_KEY_BASE", true), ("PORTAL_SESSION", true), ("SESSION_COOKIE", true),
        ("TOKENIZERS_PARALLELISM", false), ("TOKENIZER", false), ("HF_TOKENIZER_PATH", false), ("SSH_PUBLIC_KEY", false),
        ("GPG_KEY", false), ("CACHE_KEY", false), ("SORT_KEY", false), ("PRIMARY_KEY", false), ("PARTITION_KEY", false),
        ("DESKTOP_SESSION", false), ("XDG_SESSION_TYPE", false), ("XDG_SESSION_DESKTOP", false), ("PATH", false),
        ("PATTERN", false), ("COMPAT", false), ("AUTHOR_NAME", false), ("KEY", false), ("PAT", false), ("GIT_ASKPASS", false),
        ("github_token_env", false), ("password_file", false),
    ])
    func names(name: String, secret: Bool) {
        #expect(SecretRedactor.namesSecret(name) == secret, "\(name)")
    }

    @Test("a secret's value is masked in logs only when it is not a switch word, a number or very short")
    func maskableValues() {
        let redactor = SecretRedactor(secrets: ["false", "true", "12345678", "0.5", "hunter", "s3cr3t-value"])
        #expect(redactor.redact("parallel=false verbose=true id=12345678 ratio=0.5 pw=hunter k=s3cr3t-value")
                == "parallel=false verbose=true id=12345678 ratio=0.5 pw=[redacted] k=[redacted]")
    }

    @Test("tokens in git+https URLs and in query strings are masked; plain user names are kept and not taken for credentials")
    func urlForms() {
        #expect(SecretRedactor.maskingURLPasswords(in: "git+https://ghp_abc123@github.com/o/r") == "git+https://[redacted]@github.com/o/r")
        #expect(SecretRedactor.redactURLCredentials(in: "GET https://h/api?access_token=abc123&x=1 failed")
                == "GET https://h/api?access_token=[redacted]&x=1 failed")
        #expect(SecretRedactor.maskingURLPasswords(in: "https://gitlab.example/p.git?private_token=glpat-xyz")
                == "https://gitlab.example/p.git?private_token=[redacted]")
        #expect(SecretRedactor.redactURLCredentials(in: "https://h/x?a=1&token=t0k") == "https://h/x?a=1&token=[redacted]")
        #expect(SecretRedactor.redactURLCredentials(in: "https://h/x?tokens=no&sort=token") == "https://h/x?tokens=no&sort=token")
        // Encoded names and other secret-named parameters; ordinary ones are kept.
        #expect(SecretRedactor.maskingURLPasswords(in: "http://h/x.git?access%5Ftoken=SEKRIT&page=2") == "http://h/x.git?access%5Ftoken=[redacted]&page=2")
        #expect(SecretRedactor.redactURLCredentials(in: "https://b/c?sv=1&sig=abc%2F&api_key=k&password=p")
                == "https://b/c?sv=1&sig=[redacted]&api_key=[redacted]&password=[redacted]")
        #expect(SecretRedactor.holdsURLCredentials("http://h/x.git?access%5Ftoken=SEKRIT"))
        for url in ["https://org@dev.azure.com/org/proj/_git/repo", "https://alice@bitbucket.org/team/repo.git", "ssh://git@host/r"] {
            #expect(!SecretRedactor.holdsURLCredentials(url), "\(url)")
            #expect(SecretRedactor.maskingURLPasswords(in: url) == url)
        }
        for url in ["https://glpat-abcdef@gitlab.com/r", "https://x-access-token@github.com/r", "https://xoxb-1@h/r",
                    "https://a1b2c3d4e5f6a7b8c9d0e1f2@host/r", "https://gho_x@github.com/r", "https://github_pat_1@github.com/r"] {
            #expect(SecretRedactor.holdsURLCredentials(url), "\(url)")
        }
    }
}
