import Foundation
import Notify
import Synchronization

/// Network fetches in a child process, so that their deadline holds.
///
/// libgit2 1.5 has no connect timeout, and the fetch's deadline lives in progress callbacks that
/// a hanging connect or a server that never answers never calls. The child, `benchbot
/// fetch-mirror`, fetches into the repository while this process holds its lock, and is killed
/// with everything it started at the deadline; what it fetched is read from the repository after.
extension GitRepository {
    /// The `benchbot` executable that runs network fetches; `nil` fetches in process.
    static let fetchHelper = Mutex<String?>(nil)

    /// The variables the child reads its URL and token from: values kept off its command line,
    /// which every user of the machine can read.
    public static let childURLVariable = "BENCHBOT_FETCH_URL"
    public static let childTokenVariable = "BENCHBOT_FETCH_TOKEN"
    /// The process id of the child's caller, which the child dies with.
    public static let childParentVariable = "BENCHBOT_FETCH_PARENT"
    /// Starts the child's last line of standard error on failure: `<prefix>\t<libgit2 code>\t<message>`.
    public static let childErrorPrefix = "benchbot-git-error"
    /// The child's exit status when its own deadline passed.
    public static let childTimeoutStatus: Int32 = 3

    /// Makes every later network fetch of this process run in `executable fetch-mirror`.
    public static func fetchInChildProcesses(using executable: String) {
        fetchHelper.withLock { $0 = executable }
    }

    /// Whether `url` leaves the machine: a URL with a scheme other than `file`, or SCP-like `host:path`.
    static func isNetworkURL(_ url: String) -> Bool {
        if url.contains("://") { return !url.lowercased().hasPrefix("file://") }
        guard !url.hasPrefix("/"), !url.hasPrefix("."), !url.hasPrefix("~"), let colon = url.firstIndex(of: ":") else { return false }
        return !url[..<colon].contains("/")
    }

    /// The line a failing child writes last to standard error, for ``fetchInChild(_:from:refspecs:options:)`` to rebuild the error from.
    public static func childErrorLine(_ error: GitError) -> String {
        "\(childErrorPrefix)\t\(error.code)\t\(error.message.replacingOccurrences(of: "\n", with: " "))\n"
    }

    func fetchInChild(_ helper: String, from url: String, refspecs: [String], options: FetchOptions) throws(GitError) {
        let operation = "fetch \(SecretRedactor.redactURLCredentials(in: url))"
        let seconds = Double(options.timeout.components.seconds) + Double(options.timeout.components.attoseconds) / 1e18
        let outcome: BlockingChild.Outcome
        do {
            // The child's own deadline reports a stalled transfer; this one, a little later, ends a hung one.
            outcome = try BlockingChild.run(
                helper, arguments: ["fetch-mirror", "--repository=\(path)", "--timeout=\(seconds)"] + refspecs.map { "--refspec=\($0)" },
                environment: [Self.childURLVariable: url, Self.childTokenVariable: options.httpsToken ?? "",
                              Self.childParentVariable: String(getpid()),
                              // A dead worker's successor finds what it left by this name, as it does its stages.
                              Worker.workerVariable: ProcessInfo.processInfo.environment[Worker.workerVariable]
                                ?? WorkerIdentity.current.description],
                timeout: options.timeout + .seconds(2))
        } catch {
            throw GitError.invalid(operation, "cannot start the fetch: \(error)")
        }
        if outcome.timedOut || outcome.status == Self.childTimeoutStatus { throw GitError.timedOut(operation, after: seconds) }
        if outcome.status == 0 { return }
        let last = outcome.standardError.split(separator: "\n").last { $0.hasPrefix(Self.childErrorPrefix + "\t") }
        let fields = last?.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false) ?? []
        if fields.count == 3, let code = Int32(fields[1]) {
            // libgit2 may name the URL in its message.
            throw GitError.reported(code: code, operation: operation, message: SecretRedactor.redactURLCredentials(in: String(fields[2])))
        }
        let tail = SecretRedactor.redactURLCredentials(in: String(outcome.standardError.suffix(500)))
        throw GitError.invalid(operation, "the fetch process failed with status \(outcome.status): \(tail)")
    }
}
