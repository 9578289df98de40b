import BenchBot
import Foundation

/// `push` and `pull_request` payloads in GitHub's documented shapes and sizes (a few KB, most of
/// it the repository object every delivery carries), each with its own delivery id and commit.
enum WebhookPayloads {
    /// The repository the deliveries are about: not the one the benchmark's home tracks.
    static let repository = "octo-org/untracked"

    /// Alternately a push and a pull request, signed with `secret`.
    static func make(count: Int, secret: String) -> [SignedDelivery] {
        (0..<count).map { index in
            let body = Data((index.isMultiple(of: 2) ? push(index) : pullRequest(index)).utf8)
            return SignedDelivery(id: UUID().uuidString.lowercased(), event: index.isMultiple(of: 2) ? "push" : "pull_request",
                                  signature: WebhookSignature.header(for: body, secret: secret), body: body)
        }
    }

    private static func sha(_ index: Int, _ salt: Int) -> String {
        String(repeating: String(format: "%08x", (index &* 2_654_435_761 &+ salt) & 0xffff_ffff), count: 5)
    }

    private static func user(_ login: String, id: Int) -> String {
        """
        {"login":"\(login)","id":\(id),"node_id":"MDQ6VXNlcj\(id)","avatar_url":"https://avatars.githubusercontent.com/u/\(id)?v=4",\
        "gravatar_id":"","url":"https://api.github.com/users/\(login)","html_url":"https://github.com/\(login)",\
        "followers_url":"https://api.github.com/users/\(login)/followers","repos_url":"https://api.github.com/users/\(login)/repos",\
        "type":"User","site_admin":false}
        """
    }

    private static let repositoryObject: String = {
        let api = "https://api.github.com/repos/\(repository)"
        let urls = ["forks", "keys", "collaborators", "teams", "hooks", "issue_events", "events", "assignees", "branches", "tags",
                    "blobs", "git_tags", "git_refs", "trees", "statuses", "languages", "stargazers", "contributors", "subscribers",
                    "subscription", "commits", "git_commits", "comments", "issue_comment", "contents", "compare", "merges", "archive",
                    "downloads", "issues", "pulls", "milestones", "notifications", "labels", "releases", "deployments"]
            .map { "\"\($0)_url\":\"\(api)/\($0)\"" }.joined(separator: ",")
        return """
            {"id":123456789,"node_id":"R_kgDOHdF2lQ","name":"untracked","full_name":"\(repository)","private":false,\
            "owner":\(user("octo-org", id: 9919)),"html_url":"https://github.com/\(repository)","description":"A project BenchBot does not track",\
            "fork":false,"url":"\(api)",\(urls),"created_at":"2024-01-01T00:00:00Z","updated_at":"2026-11-30T12:00:00Z",\
            "pushed_at":"2026-12-01T09:00:00Z","git_url":"git://github.com/\(repository).git","ssh_url":"git@github.com:\(repository).git",\
            "clone_url":"https://github.com/\(repository).git","homepage":null,"size":2048,"stargazers_count":42,"watchers_count":42,\
            "language":"Swift","has_issues":true,"has_projects":true,"has_downloads":true,"has_wiki":false,"has_pages":false,\
            "forks_count":3,"archived":false,"disabled":false,"open_issues_count":5,"license":null,"topics":["benchmarks"],\
            "visibility":"public","forks":3,"open_issues":5,"watchers":42,"default_branch":"main"}
            """
    }()

    private static func push(_ index: Int) -> String {
        let before = sha(index, 1), after = sha(index, 2)
        let commit = """
            {"id":"\(after)","tree_id":"\(sha(index, 3))","distinct":true,"message":"Speed up the parser (\(index))",\
            "timestamp":"2026-12-01T09:00:00Z","url":"https://github.com/\(repository)/commit/\(after)",\
            "author":{"name":"Ada Lovelace","email":"ada@example.org","username":"ada"},\
            "committer":{"name":"Ada Lovelace","email":"ada@example.org","username":"ada"},\
            "added":[],"removed":[],"modified":["Sources/Parser/Parser.swift","Tests/ParserTests/ParserTests.swift"]}
            """
        return """
            {"ref":"refs/heads/feature-\(index % 50)","before":"\(before)","after":"\(after)","repository":\(repositoryObject),\
            "pusher":{"name":"ada","email":"ada@example.org"},"sender":\(user("ada", id: 1001)),"created":false,"deleted":false,\
            "forced":false,"base_ref":null,"compare":"https://github.com/\(repository)/compare/\(before.prefix(12))...\(after.prefix(12))",\
            "commits":[\(commit)],"head_commit":\(commit)}
            """
    }

    private static func pullRequest(_ index: Int) -> String {
        let number = 1000 + index, head = sha(index, 4), base = sha(index, 5)
        let url = "https://api.github.com/repos/\(repository)/pulls/\(number)"
        return """
            {"action":"synchronize","number":\(number),"before":"\(sha(index, 6))","after":"\(head)","pull_request":{"url":"\(url)",\
            "id":\(2_000_000 + index),"node_id":"PR_kwDOHdF2lc5\(index)","html_url":"https://github.com/\(repository)/pull/\(number)",\
            "diff_url":"https://github.com/\(repository)/pull/\(number).diff","number":\(number),"state":"open","locked":false,\
            "title":"Faster parsing (\(index))","user":\(user("grace", id: 1002)),"body":"Avoids a copy per token.",\
            "created_at":"2026-12-01T08:00:00Z","updated_at":"2026-12-01T09:00:00Z","closed_at":null,"merged_at":null,\
            "draft":false,"commits_url":"\(url)/commits","review_comments_url":"\(url)/comments",\
            "head":{"label":"octo-org:faster-\(index)","ref":"faster-\(index)","sha":"\(head)","user":\(user("octo-org", id: 9919)),"repo":\(repositoryObject)},\
            "base":{"label":"octo-org:main","ref":"main","sha":"\(base)","user":\(user("octo-org", id: 9919)),"repo":\(repositoryObject)},\
            "author_association":"MEMBER","merged":false,"mergeable":null,"comments":0,"review_comments":0,"commits":1,\
            "additions":12,"deletions":7,"changed_files":2},"repository":\(repositoryObject),"sender":\(user("grace", id: 1002))}
            """
    }
}
