/// Input intake cannot act on, with what to do about it.
public struct IntakeError: Error, Sendable, CustomStringConvertible {
    private enum Kind: Sendable {
        case malformedHookInput(line: Int, text: String)
        case invalidReference(line: Int, reference: String, problem: String)
        case unknownRevision(revision: String, repository: String)
        case malformedRange(String)
        case emptyRange(String)
        case notARepository(path: String, detail: String)
        case notBare(path: String)
        case fetchFailed(url: String, detail: String)
        case missingBranch(url: String, detail: String)
        case hookExists(path: String)
        case io(path: String, detail: String)
    }

    private let kind: Kind

    private init(_ kind: Kind) { self.kind = kind }

    static func malformedHookInput(line: Int, text: String) -> IntakeError { .init(.malformedHookInput(line: line, text: text)) }
    static func invalidReference(line: Int, reference: String, problem: String) -> IntakeError {
        .init(.invalidReference(line: line, reference: reference, problem: problem))
    }
    static func unknownRevision(_ revision: String, repository: String) -> IntakeError { .init(.unknownRevision(revision: revision, repository: repository)) }
    static func malformedRange(_ range: String) -> IntakeError { .init(.malformedRange(range)) }
    static func emptyRange(_ range: String) -> IntakeError { .init(.emptyRange(range)) }
    static func notARepository(_ path: String, detail: String) -> IntakeError { .init(.notARepository(path: path, detail: detail)) }
    static func notBare(_ path: String) -> IntakeError { .init(.notBare(path: path)) }
    static func fetchFailed(_ url: String, detail: String) -> IntakeError { .init(.fetchFailed(url: url, detail: detail)) }
    static func missingBranch(_ url: String, detail: String) -> IntakeError { .init(.missingBranch(url: url, detail: detail)) }
    static func hookExists(_ path: String) -> IntakeError { .init(.hookExists(path: path)) }
    static func io(_ path: String, detail: String) -> IntakeError { .init(.io(path: path, detail: detail)) }

    /// What kind of problem it is, for an HTTP answer's status.
    public enum Category: Sendable, Hashable {
        /// A commit, revision or branch that does not exist.
        case notFound
        /// Input that is wrong as written, such as a malformed or empty range.
        case invalid
        /// The remote could not be fetched from.
        case unreachable
        /// Anything else intake refused or failed at, with its reason.
        case refused
    }

    public var category: Category {
        switch kind {
        case .unknownRevision, .missingBranch: .notFound
        case .malformedHookInput, .invalidReference, .malformedRange, .emptyRange: .invalid
        case .fetchFailed: .unreachable
        case .notARepository, .notBare, .hookExists, .io: .refused
        }
    }

    public var description: String {
        switch kind {
        case .malformedHookInput(let line, let text):
            "post-receive input line \(line) is not '<old-sha> <new-sha> <ref>': '\(text)'; "
                + "run `benchbot hook post-receive` only from a git post-receive hook"
        case .invalidReference(let line, let reference, let problem):
            "post-receive input line \(line): reference '\(reference)' \(problem); nothing from this push was queued"
        case .unknownRevision(let revision, let repository):
            "unknown commit or ref '\(revision)': not found in \(repository) after fetching its branches; "
                + "check the spelling, or fetch its branch with `benchbot enqueue --branch NAME [--remote URL]`"
        case .malformedRange(let range):
            "range '\(range)' is not of the form OLD..NEW; write it as, say, v1.0..main"
        case .emptyRange(let range):
            "range '\(range)' holds no commits: NEW is already an ancestor of OLD; swap them or widen the range"
        case .notARepository(let path, let detail):
            "\(path) is not a git repository (\(detail)); pass the path of the repository's folder"
        case .notBare(let path):
            "\(path) is not a bare repository; install the hook in the server's bare repository that people push to"
        case .fetchFailed(let url, let detail):
            "cannot fetch \(url): \(detail); check benchbot.repository.url in config/config.json, "
                + "the network, and BENCHBOT_GIT_TOKEN or ssh-agent for private repositories"
        case .missingBranch(let url, let detail):
            "\(url): \(detail); check the branch name, and benchbot.repository.branches in config/config.json"
        case .hookExists(let path):
            "\(path) already exists and was not written by BenchBot; merge it by hand or pass --force to replace it"
        case .io(let path, let detail):
            "\(path): \(detail)"
        }
    }
}
