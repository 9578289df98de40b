import CGit2
import Foundation

/// A failed libgit2 call, with the message libgit2 left for it.
public struct GitError: Error, Sendable, CustomStringConvertible {
    private enum Kind: Sendable, Hashable {
        case notFound
        case timedOut
        case authentication
        case rejected
        case other
    }

    private let kind: Kind
    /// What BenchBot was doing, such as "fetch https://example.com/repo.git".
    public let operation: String
    /// libgit2's return code (`GIT_ENOTFOUND` and friends).
    public let code: Int32
    /// libgit2's own message (`git_error_last()`), or BenchBot's when libgit2 gave none.
    public let message: String

    /// The object, reference or repository does not exist.
    public var isNotFound: Bool { kind == .notFound }
    /// A network operation ran past its deadline and was cancelled.
    public var isTimeout: Bool { kind == .timedOut }
    /// A push the remote refused, because the branch moved meanwhile or a hook said no.
    public var isRejected: Bool { kind == .rejected }

    public var description: String { "\(operation): \(message)" }

    private init(kind: Kind, operation: String, code: Int32, message: String) {
        self.kind = kind
        self.operation = operation
        self.code = code
        self.message = message
    }

    /// Captures libgit2's last error for a call that returned `code`.
    ///
    /// This must run on the thread that made the call, before any `await`: libgit2 keeps its last
    /// error per thread.
    static func last(code: Int32, operation: String) -> GitError {
        let message: String
        if let error = git_error_last(), let text = error.pointee.message {
            message = String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines)
        } else {
            message = "libgit2 error \(code)"
        }
        return reported(code: code, operation: operation, message: message)
    }

    /// An error a child process reported with libgit2's code and message.
    static func reported(code: Int32, operation: String, message: String) -> GitError {
        let kind: Kind = switch code {
        case GIT_ENOTFOUND.rawValue: .notFound
        case GIT_EAUTH.rawValue: .authentication
        case GIT_ENONFASTFORWARD.rawValue: .rejected
        default: .other
        }
        return GitError(kind: kind, operation: operation, code: code, message: message)
    }

    static func notFound(_ operation: String, _ message: String) -> GitError {
        GitError(kind: .notFound, operation: operation, code: GIT_ENOTFOUND.rawValue, message: message)
    }

    static func timedOut(_ operation: String, after seconds: Double) -> GitError {
        GitError(kind: .timedOut, operation: operation, code: GIT_EUSER.rawValue,
                 message: "no progress within the \(Int(seconds)) s deadline; the transfer was cancelled")
    }

    static func rejected(_ operation: String, _ message: String) -> GitError {
        GitError(kind: .rejected, operation: operation, code: GIT_ENONFASTFORWARD.rawValue, message: message)
    }

    static func invalid(_ operation: String, _ message: String) -> GitError {
        GitError(kind: .other, operation: operation, code: GIT_EINVALIDSPEC.rawValue, message: message)
    }
}

/// Runs a libgit2 call and turns a negative result into a ``GitError``.
@discardableResult
func gitCheck(_ code: Int32, _ operation: @autoclosure () -> String) throws(GitError) -> Int32 {
    if code < 0 { throw GitError.last(code: code, operation: operation()) }
    return code
}

