import Foundation
import Notify

/// Publishes a generated site as a commit on a branch of a git repository, such as GitHub Pages'
/// `gh-pages`, through libgit2: the branch is fetched, the site's files are committed on top of
/// it, and the commit is pushed, never forced. Nothing is committed when the files are the branch's
/// already, and a branch that moved meanwhile is fetched again and committed on once more.
public struct SitePublisher: Sendable {
    public let home: Home
    public let settings: SiteSettings.PublishSettings
    /// Where the token variable is read.
    public let environment: [String: String]

    public init(home: Home, settings: SiteSettings.PublishSettings, environment: [String: String]) {
        self.home = home
        self.settings = settings
        self.environment = environment
    }

    public enum Outcome: Sendable, Hashable {
        /// The branch already holds these files, at this commit.
        case unchanged(ObjectID)
        /// A new commit was pushed.
        case published(ObjectID)
    }

    /// - Parameters:
    ///   - folder: A site ``SiteGenerator`` wrote.
    ///   - message: The commit's message.
    /// - Throws: ``SiteError`` naming what failed: the folder, the token file, or the git operation.
    public func publish(folder: String, message: String) throws -> Outcome {
        guard FileManager.default.fileExists(atPath: folder + "/" + SiteWriter.manifestName) else {
            throw SiteError(message: "\(home.display(folder)) is not a generated site; run benchbot site first")
        }
        let options = FetchOptions(timeout: .seconds(settings.timeout), httpsToken: try settings.token(environment: environment, home: home))
        let branch = "refs/heads/\(settings.branch)", tracking = "refs/benchbot/pages/\(settings.branch)"
        do {
            let repository = try GitRepository.create(at: home.path("cache", "site-publish.git"), bare: true)
            for attempt in 1...2 {
                try repository.fetch(from: settings.url, refspecs: ["+\(branch):\(tracking)"], options: options)
                let parent = try repository.target(of: tracking)
                // GitHub Pages would otherwise run Jekyll over the files, which hides some of them;
                // and its custom domain lives in the branch's CNAME, which the site does not make.
                var extra = [".nojekyll": Data()]
                if let parent, let domain = try repository.file("CNAME", in: parent) { extra["CNAME"] = domain }
                let tree = try repository.writeTree(of: folder, adding: extra)
                if let parent, try repository.tree(of: parent) == tree { return .unchanged(parent) }
                let commit = try repository.commit(tree: tree, parent: parent, reference: branch, message: message,
                                                   author: (settings.authorName, settings.authorEmail))
                if try push(repository, branch: branch, options: options, mayRetry: attempt == 1) { return .published(commit) }
            }
            throw SiteError(message: "the branch \(settings.branch) kept moving while BenchBot published to it; try again")
        } catch let error as GitError {
            throw SiteError(message: "cannot publish the site to \(settings.branch) of \(SecretRedactor.redactURLCredentials(in: settings.url)): \(error)")
        }
    }

    /// - Returns: `false` when the remote refused because the branch moved, and `mayRetry`.
    private func push(_ repository: GitRepository, branch: String, options: FetchOptions, mayRetry: Bool) throws(GitError) -> Bool {
        do {
            try repository.push(to: settings.url, refspecs: ["\(branch):\(branch)"], options: options)
            return true
        } catch {
            if error.isRejected, mayRetry { return false }
            throw error
        }
    }
}
