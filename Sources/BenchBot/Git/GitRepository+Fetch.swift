import CGit2
import Foundation
import Notify
import Synchronization

/// How a fetch authenticates and how long it may take.
public struct FetchOptions: Sendable {
    /// The whole fetch is cancelled after this long.
    public var timeout: Duration
    /// An HTTPS token (GitHub, GitLab, Gitea), sent as the password of `x-access-token`.
    public var httpsToken: String?

    /// - Parameters:
    ///   - timeout: The deadline for the whole fetch; default 10 minutes.
    ///   - httpsToken: An HTTPS token, usually read from `BENCHBOT_GIT_TOKEN`.
    public init(timeout: Duration = .seconds(600), httpsToken: String? = nil) {
        self.timeout = timeout
        self.httpsToken = httpsToken
    }

    /// Options whose token comes from `BENCHBOT_GIT_TOKEN` in `environment`.
    public static func fromEnvironment(_ environment: [String: String], timeout: Duration = .seconds(600)) -> FetchOptions {
        FetchOptions(timeout: timeout, httpsToken: environment["BENCHBOT_GIT_TOKEN"].flatMap { $0.isEmpty ? nil : $0 })
    }
}

/// State shared with libgit2's C callbacks through their payload pointer, for a fetch or a push.
final class RemoteCallbackState {
    let deadline: ContinuousClock.Instant
    let httpsToken: String?
    var triedSSHAgent = false
    var triedToken = false
    var timedOut = false
    /// References the remote refused to update in a push, with its reason.
    var rejected: [(reference: String, reason: String)] = []

    init(options: FetchOptions) {
        deadline = ContinuousClock.now.advanced(by: options.timeout)
        httpsToken = options.httpsToken
    }

    /// Called from every progress callback; a non-zero return makes libgit2 cancel the transfer.
    func checkDeadline() -> Int32 {
        if ContinuousClock.now >= deadline {
            timedOut = true
            return -1
        }
        return 0
    }
}

extension GitRepository {
    /// Fetches references from a URL into this repository.
    ///
    /// - Parameters:
    ///   - url: The remote, such as `https://github.com/org/repo.git`, `git@host:org/repo.git`
    ///     or a local path. It is passed to libgit2 as it is, never to a shell.
    ///   - refspecs: Forced refspecs, such as `+refs/heads/main:refs/remotes/origin/main`.
    ///   - options: The deadline and credentials.
    /// - Throws: ``GitError``; ``GitError/isTimeout`` when the deadline passed.
    public func fetch(from url: String, refspecs: [String], options: FetchOptions = FetchOptions()) throws(GitError) {
        if let helper = Self.fetchHelper.withLock({ $0 }), Self.isNetworkURL(url) {
            try fetchInChild(helper, from: url, refspecs: refspecs, options: options)
        } else {
            try fetchInProcess(from: url, refspecs: refspecs, options: options)
        }
    }

    /// Fetches in this process: the deadline holds only while libgit2 reports progress, which a
    /// hanging connect never does. For local paths, and for the child process a network fetch runs in.
    public func fetchInProcess(from url: String, refspecs: [String], options: FetchOptions = FetchOptions()) throws(GitError) {
        try transfer(with: url, operation: "fetch", options: options) { remote, state in
            var fetchOptions = benchbot_git_fetch_options()
            fetchOptions.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE
            fetchOptions.prune = GIT_FETCH_NO_PRUNE
            fetchOptions.update_fetchhead = 0
            fetchOptions.proxy_opts.type = GIT_PROXY_AUTO
            state.install(in: &fetchOptions.callbacks)
            return withStringArray(refspecs) { array in git_remote_fetch(remote, &array, &fetchOptions, "benchbot: fetch") }
        }
    }

    /// Runs one fetch or push against `url` through an anonymous remote, with the deadline and
    /// credentials of `options`, and turns its outcome into a ``GitError``.
    ///
    /// - Parameters:
    ///   - operation: `fetch` or `push`, for messages; the URL is added without its credentials.
    ///   - body: Makes the libgit2 call with the remote and the callbacks' state, and returns its code.
    /// - Returns: The callbacks' state after the transfer, with what the remote refused.
    /// - Throws: ``GitError``; ``GitError/isTimeout`` when the deadline passed.
    @discardableResult
    func transfer(with url: String, operation: String, options: FetchOptions,
                  _ body: (OpaquePointer, RemoteCallbackState) -> Int32) throws(GitError) -> RemoteCallbackState {
        let operation = "\(operation) \(SecretRedactor.redactURLCredentials(in: url))"
        var remote: OpaquePointer?
        try gitCheck(git_remote_create_anonymous(&remote, handle, url), operation)
        guard let remote else { throw GitError.invalid(operation, "libgit2 made no remote") }
        defer { git_remote_free(remote) }
        let state = RemoteCallbackState(options: options)
        let code = body(remote, state)
        if state.timedOut { throw GitError.timedOut(operation, after: Double(options.timeout.components.seconds)) }
        try gitCheck(code, operation)
        return state
    }
}

extension RemoteCallbackState {
    /// Points `callbacks` at this state: the deadline on every progress report, and credentials.
    /// The state must outlive the transfer.
    func install(in callbacks: inout git_remote_callbacks) {
        callbacks.payload = Unmanaged.passUnretained(self).toOpaque()
        callbacks.transfer_progress = { _, payload in
            Unmanaged<RemoteCallbackState>.fromOpaque(payload!).takeUnretainedValue().checkDeadline()
        }
        callbacks.sideband_progress = { _, _, payload in
            Unmanaged<RemoteCallbackState>.fromOpaque(payload!).takeUnretainedValue().checkDeadline()
        }
        callbacks.push_transfer_progress = { _, _, _, payload in
            Unmanaged<RemoteCallbackState>.fromOpaque(payload!).takeUnretainedValue().checkDeadline()
        }
        callbacks.pack_progress = { _, _, _, payload in
            Unmanaged<RemoteCallbackState>.fromOpaque(payload!).takeUnretainedValue().checkDeadline()
        }
        callbacks.push_update_reference = { reference, status, payload in
            if let status {
                Unmanaged<RemoteCallbackState>.fromOpaque(payload!).takeUnretainedValue().rejected
                    .append((reference.map { String(cString: $0) } ?? "?", String(cString: status)))
            }
            return 0
        }
        callbacks.credentials = { credential, _, usernameFromURL, allowedTypes, payload in
            let state = Unmanaged<RemoteCallbackState>.fromOpaque(payload!).takeUnretainedValue()
            if state.checkDeadline() != 0 { return -1 }
            let username = usernameFromURL.map { String(cString: $0) }
            // Each kind of credential is offered once: libgit2 calls back again after a
            // rejection, and offering the same one forever would hang the transfer.
            if allowedTypes & GIT_CREDENTIAL_SSH_KEY.rawValue != 0, !state.triedSSHAgent {
                state.triedSSHAgent = true
                return git_credential_ssh_key_from_agent(credential, username ?? "git")
            }
            if allowedTypes & GIT_CREDENTIAL_USERPASS_PLAINTEXT.rawValue != 0, let token = state.httpsToken, !state.triedToken {
                state.triedToken = true
                return git_credential_userpass_plaintext_new(credential, username ?? "x-access-token", token)
            }
            return GIT_EAUTH.rawValue
        }
    }
}

/// Lends `strings` to C as a `git_strarray` for the duration of `body`.
func withStringArray<Result>(_ strings: [String], _ body: (inout git_strarray) -> Result) -> Result {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    defer { pointers.forEach { free($0) } }
    return pointers.withUnsafeMutableBufferPointer { buffer in
        var array = git_strarray(strings: buffer.baseAddress, count: buffer.count)
        return body(&array)
    }
}
