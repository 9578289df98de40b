import CGit2
import Foundation

extension GitRepository {
    /// Checks a commit out into a reusable work tree that borrows this repository's objects.
    ///
    /// The work tree is a small repository of its own whose `objects/info/alternates` points at
    /// this one, so checking out costs no copy of the history. Every file that does not belong to
    /// the commit is removed, so one build never sees another's leftovers.
    ///
    /// - Parameters:
    ///   - commit: The commit to check out; it must be in this repository.
    ///   - directory: The work tree's folder, created when missing and reused afterwards.
    ///   - removeIgnored: Also delete files the project's `.gitignore` ignores (build outputs).
    ///     Keep them only when incremental builds are trusted.
    /// - Throws: ``GitError``.
    public func checkOut(_ commit: ObjectID, into directory: String, removeIgnored: Bool = true) throws(GitError) {
        let operation = "check out \(commit.short) into \(directory)"
        let gitDirectory = (directory as NSString).appendingPathComponent(".git")
        // A `.git` without a HEAD is what a worker killed while libgit2 made it leaves (with its
        // `config.lock`, on which every later creation fails): the work tree is this checkout's
        // alone, so it is made again.
        if !FileManager.default.fileExists(atPath: (gitDirectory as NSString).appendingPathComponent("HEAD")) {
            if FileManager.default.fileExists(atPath: gitDirectory) {
                do {
                    try FileManager.default.removeItem(atPath: gitDirectory)
                } catch {
                    throw GitError.invalid(operation, "cannot remove the half-made \(gitDirectory): \(error.localizedDescription)")
                }
            }
            _ = try GitRepository.create(at: directory, bare: false)
        }
        let alternates = ((gitDirectory as NSString).appendingPathComponent("objects/info") as NSString)
            .appendingPathComponent("alternates")
        let objects = (objectsDirectory as NSString).standardizingPath + "\n"
        if (try? String(contentsOfFile: alternates, encoding: .utf8)) != objects {
            do {
                try objects.write(toFile: alternates, atomically: true, encoding: .utf8)
            } catch {
                throw GitError.invalid(operation, "cannot write \(alternates): \(error.localizedDescription)")
            }
        }
        // Opened after the alternates file is written: libgit2 reads it when it opens.
        let worktree = try GitRepository.open(at: directory)
        try worktree.forceCheckout(commit, removeIgnored: removeIgnored, operation: operation)
    }

    private func forceCheckout(_ commit: ObjectID, removeIgnored: Bool, operation: String) throws(GitError) {
        var oid = commit.oid
        var object: OpaquePointer?
        try gitCheck(git_object_lookup(&object, handle, &oid, GIT_OBJECT_COMMIT), operation)
        guard let object else { return }
        defer { git_object_free(object) }
        var options = benchbot_git_checkout_options()
        options.checkout_strategy = GIT_CHECKOUT_FORCE.rawValue | GIT_CHECKOUT_REMOVE_UNTRACKED.rawValue
            | (removeIgnored ? GIT_CHECKOUT_REMOVE_IGNORED.rawValue : 0)
        try gitCheck(git_checkout_tree(handle, object, &options), operation)
        try gitCheck(git_repository_set_head_detached(handle, &oid), operation)
    }
}
