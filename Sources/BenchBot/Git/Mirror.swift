import Foundation
import Notify

/// The home's bare copy of the project under test, kept in `cache/<name>.git`.
///
/// Every build checks out from here, and commits are resolved here. Branches of the configured
/// remote land in `refs/remotes/origin/<branch>`; a fork's branch lands under
/// `refs/benchbot/forks/<key>/<branch>`, so it can never overwrite the project's own refs.
public struct Mirror: Sendable {
    /// The bare repository's folder.
    public let path: String
    /// The project's remote.
    public let url: String
    public let fetchOptions: FetchOptions

    public init(path: String, url: String, fetchOptions: FetchOptions) {
        self.path = path
        self.url = url
        self.fetchOptions = fetchOptions
    }

    /// The reference holding the fetched tip of one of the project's branches.
    public static func trackingReference(for branch: String) -> String {
        "refs/remotes/origin/\(branch)"
    }

    /// The reference holding the fetched tip of a fork's branch.
    public static func forkReference(url: String, branch: String) -> String {
        "refs/benchbot/forks/\(stableKey(for: url))/\(branch)"
    }

    /// Opens the mirror, creating an empty bare repository the first time.
    ///
    /// - Throws: ``GitError``.
    public func open() throws(GitError) -> GitRepository {
        if exists { return try GitRepository.open(at: path) }
        return try withUpdateLock { () throws(GitError) in try openOrCreate() }
    }

    private var exists: Bool {
        FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent("HEAD"))
    }

    /// Opens or creates the mirror; only while holding the update lock.
    ///
    /// A new mirror is made whole in a folder beside it, then renamed into place. `serve` killed
    /// while libgit2 wrote one left its `config.lock` behind, and every later creation failed on it:
    /// each delivery after the restart was given up. Under the update lock no other process of
    /// BenchBot's is making it, so a folder at either place without a `HEAD` is such a leftover.
    private func openOrCreate() throws(GitError) -> GitRepository {
        if exists { return try GitRepository.open(at: path) }
        let staging = path + ".new"
        for leftover in [staging, path] where FileManager.default.fileExists(atPath: leftover) {
            do {
                try FileManager.default.removeItem(atPath: leftover)
            } catch {
                throw GitError.invalid("create repository \(path)", "cannot remove a half-made copy at \(leftover): \(error.localizedDescription)")
            }
        }
        _ = try GitRepository.create(at: staging, bare: true)
        guard rename(staging, path) == 0 else {
            throw GitError.invalid("create repository \(path)", "cannot move \(staging) into place: \(String(cString: strerror(errno)))")
        }
        return try GitRepository.open(at: path)
    }

    /// Fetches the project's branches, force-updating their tracking references.
    ///
    /// - Parameter branches: Branch names, such as `main`.
    /// - Returns: Each branch's fetched tip.
    /// - Throws: ``GitError``, also when a branch name is invalid or missing on the remote.
    @discardableResult
    public func fetch(branches: [String]) throws(GitError) -> [String: ObjectID] {
        try Self.validate(branches: branches)
        let refspecs = branches.map { "+refs/heads/\($0):\(Self.trackingReference(for: $0))" }
        return try withUpdateLock { () throws(GitError) in
            let repository = try openOrCreate()
            removeStaleLocks()
            try repository.fetch(from: url, refspecs: refspecs, options: fetchOptions)
            var tips: [String: ObjectID] = [:]
            for branch in branches {
                guard let tip = try repository.target(of: Self.trackingReference(for: branch)) else {
                    throw GitError.notFound("fetch \(redactedURL)", "branch '\(branch)' does not exist on the remote")
                }
                tips[branch] = tip
            }
            return tips
        }
    }

    /// Fetches one branch of another repository, such as a contributor's fork.
    ///
    /// - Parameters:
    ///   - forkURL: The fork's URL.
    ///   - branch: The branch to fetch.
    /// - Returns: The branch's tip.
    /// - Throws: ``GitError``.
    public func fetch(branch: String, fromFork forkURL: String) throws(GitError) -> ObjectID {
        try Self.validate(branches: [branch])
        return try fetchOne(from: forkURL, source: "refs/heads/\(branch)", into: Self.forkReference(url: forkURL, branch: branch),
                            missing: "branch '\(branch)' does not exist there")
    }

    /// Fetches one remote reference into one of the mirror's, and returns its commit.
    private func fetchOne(from remote: String, source: String, into reference: String, missing: String) throws(GitError) -> ObjectID {
        try withUpdateLock { () throws(GitError) in
            let repository = try openOrCreate()
            removeStaleLocks()
            try repository.fetch(from: remote, refspecs: ["+\(source):\(reference)"], options: fetchOptions)
            guard let tip = try repository.target(of: reference) else {
                throw GitError.notFound("fetch \(SecretRedactor.redactURLCredentials(in: remote))", missing)
            }
            return tip
        }
    }

    /// The name a pull request's job goes by when its head is not a branch of the repository: the
    /// ref GitHub publishes it under.
    public static func pullRequestBranch(_ number: Int) -> String { "pull/\(number)/head" }

    /// The pull request a job's branch names, when it is one of ``pullRequestBranch(_:)``.
    public static func pullRequest(ofBranch branch: String) -> Int? {
        let parts = branch.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "pull", parts[2] == "head", let number = Int(parts[1]), number > 0 else { return nil }
        return number
    }

    /// The reference holding a pull request's fetched head.
    public static func pullRequestReference(_ number: Int) -> String {
        "refs/benchbot/pull/\(number)/head"
    }

    /// Fetches a pull request's head as GitHub publishes it in the base repository
    /// (`refs/pull/N/head`), for a fork's pull request too; the head's repository is never asked.
    ///
    /// - Returns: The head's commit.
    /// - Throws: ``GitError``.
    public func fetch(pullRequest number: Int) throws(GitError) -> ObjectID {
        try fetchOne(from: url, source: "refs/pull/\(number)/head", into: Self.pullRequestReference(number),
                     missing: "pull request #\(number) has no head (refs/pull/\(number)/head)")
    }

    /// Deletes what a fetch killed at its deadline, or with its worker, leaves behind: reference
    /// locks (`refs/**/*.lock`, `packed-refs.lock`), `index.lock`, `config.lock`, and half-written packs
    /// (`objects/pack/pack_git2_*`). A left lock makes every later update of that reference fail.
    /// Only while holding the update lock: then no other fetch or push of BenchBot's is under way,
    /// so every such file is stale.
    func removeStaleLocks() {
        let manager = FileManager.default
        let refs = (path as NSString).appendingPathComponent("refs")
        var stale = ["packed-refs.lock", "index.lock", "config.lock"].map { (path as NSString).appendingPathComponent($0) }
        if let walker = manager.enumerator(atPath: refs) {
            while let relative = walker.nextObject() as? String {
                if relative.hasSuffix(".lock") { stale.append((refs as NSString).appendingPathComponent(relative)) }
            }
        }
        let packs = (path as NSString).appendingPathComponent("objects/pack")
        for name in (try? manager.contentsOfDirectory(atPath: packs)) ?? [] where name.hasPrefix("pack_git2_") {
            stale.append((packs as NSString).appendingPathComponent(name))
        }
        for file in stale { unlink(file) }
    }

    private var redactedURL: String { SecretRedactor.redactURLCredentials(in: url) }

    /// Serialises writers of the mirror across processes: libgit2 refuses to update a reference
    /// another process has locked, and two pushes at once must both land.
    private func withUpdateLock<Result>(_ body: () throws(GitError) -> Result) throws(GitError) -> Result {
        let lock: FileLock
        do {
            lock = try FileLock.acquire(at: path + ".lock", timeout: fetchOptions.timeout + .seconds(30))
        } catch {
            throw GitError.invalid("update mirror \(path)", error.description)
        }
        defer { withExtendedLifetime(lock) {} }
        return try body()
    }

    private static func validate(branches: [String]) throws(GitError) {
        for branch in branches where !LibGit2.isValidReferenceName("refs/heads/\(branch)") {
            throw GitError.invalid("fetch branch '\(branch)'", "not a valid branch name")
        }
    }

    /// A short, stable, reference-safe key for a URL (FNV-1a, 64 bits).
    private static func stableKey(for url: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in url.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}
