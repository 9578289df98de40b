import CGit2
import Foundation

extension GitRepository {
    /// Resolves a revision to the commit it names.
    ///
    /// - Parameter revision: A full or abbreviated hash, a reference (`refs/heads/main`,
    ///   `origin/main`), or any expression `git rev-parse` accepts.
    /// - Returns: The commit's full hash; tags are peeled to their commit.
    /// - Throws: ``GitError``; ``GitError/isNotFound`` when nothing matches.
    public func resolve(_ revision: String) throws(GitError) -> ObjectID {
        var object: OpaquePointer?
        let code = git_revparse_single(&object, handle, revision)
        guard code == 0, let object else {
            throw GitError.last(code: code, operation: "resolve '\(revision)'")
        }
        defer { git_object_free(object) }
        var commit: OpaquePointer?
        let peelCode = git_object_peel(&commit, object, GIT_OBJECT_COMMIT)
        guard peelCode == 0, let commit else {
            throw GitError.last(code: peelCode, operation: "resolve '\(revision)' to a commit")
        }
        defer { git_object_free(commit) }
        return ObjectID(git_object_id(commit).pointee)
    }

    /// The commit a reference points to, or `nil` when the reference does not exist.
    ///
    /// - Parameter reference: A full reference name, such as `refs/remotes/origin/main`.
    /// - Throws: ``GitError`` for anything but a missing reference.
    public func target(of reference: String) throws(GitError) -> ObjectID? {
        var oid = git_oid()
        let code = git_reference_name_to_id(&oid, handle, reference)
        if code == GIT_ENOTFOUND.rawValue { return nil }
        try gitCheck(code, "read reference \(reference)")
        return try resolve(ObjectID(oid).hex)
    }

    /// Whether the repository holds the commit.
    public func contains(_ commit: ObjectID) -> Bool {
        var oid = commit.oid
        var object: OpaquePointer?
        guard git_commit_lookup(&object, handle, &oid) == 0, let object else { return false }
        git_commit_free(object)
        return true
    }

    /// Lists the commits reachable from `tip` but not from `excluded`, oldest first.
    ///
    /// - Parameters:
    ///   - tip: The newest commit.
    ///   - excluded: Commits whose history is already known (an old branch tip); their ancestors
    ///     are left out too. A missing excluded commit is an error, not silently ignored.
    ///   - firstParent: Follow only first parents, as a branch's own history.
    ///   - limit: Keep only the newest `limit` commits.
    /// - Throws: ``GitError``.
    public func commits(
        from tip: ObjectID,
        excluding excluded: [ObjectID] = [],
        firstParent: Bool,
        limit: Int? = nil
    ) throws(GitError) -> [ObjectID] {
        var walk: OpaquePointer?
        try gitCheck(git_revwalk_new(&walk, handle), "walk history")
        guard let walk else { return [] }
        defer { git_revwalk_free(walk) }
        if firstParent {
            // A first-parent history is one chain, already in order. Topological sorting would
            // visit all of it before yielding the first commit: 100 ms on 10,000 commits.
            try gitCheck(git_revwalk_simplify_first_parent(walk), "walk history")
        } else {
            try gitCheck(git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL.rawValue | GIT_SORT_TIME.rawValue), "walk history")
        }
        var tipOID = tip.oid
        try gitCheck(git_revwalk_push(walk, &tipOID), "walk history from \(tip.short)")
        for commit in excluded {
            var oid = commit.oid
            try gitCheck(git_revwalk_hide(walk, &oid), "walk history excluding \(commit.short)")
        }
        var newestFirst: [ObjectID] = []
        var next = git_oid()
        while limit.map({ newestFirst.count < $0 }) ?? true {
            let code = git_revwalk_next(&next, walk)
            if code == GIT_ITEROVER.rawValue { break }
            try gitCheck(code, "walk history from \(tip.short)")
            newestFirst.append(ObjectID(next))
        }
        return newestFirst.reversed()
    }

    /// Whether `ancestor` is `commit` or one of its ancestors.
    public func isAncestor(_ ancestor: ObjectID, of commit: ObjectID) throws(GitError) -> Bool {
        if ancestor == commit { return true }
        var commitOID = commit.oid
        var ancestorOID = ancestor.oid
        let code = git_graph_descendant_of(handle, &commitOID, &ancestorOID)
        try gitCheck(code, "compare \(ancestor.short) with \(commit.short)")
        return code == 1
    }

    /// The best common ancestor of two commits, or `nil` when their histories are unrelated.
    ///
    /// - Throws: ``GitError`` when either commit is missing.
    public func mergeBase(_ first: ObjectID, _ second: ObjectID) throws(GitError) -> ObjectID? {
        var base = git_oid()
        var firstOID = first.oid
        var secondOID = second.oid
        let code = git_merge_base(&base, handle, &firstOID, &secondOID)
        if code == GIT_ENOTFOUND.rawValue { return nil }
        try gitCheck(code, "merge base of \(first.short) and \(second.short)")
        return ObjectID(base)
    }

    /// Reads a commit's hash, parents, author, time and subject.
    ///
    /// - Throws: ``GitError``; ``GitError/isNotFound`` when the commit is missing.
    public func metadata(of id: ObjectID) throws(GitError) -> CommitMetadata {
        var oid = id.oid
        var commit: OpaquePointer?
        let code = git_commit_lookup(&commit, handle, &oid)
        guard code == 0, let commit else {
            throw GitError.last(code: code, operation: "read commit \(id.short)")
        }
        defer { git_commit_free(commit) }
        let parents = (0..<git_commit_parentcount(commit)).map { ObjectID(git_commit_parent_id(commit, $0).pointee) }
        let author = git_commit_author(commit).pointee
        return CommitMetadata(
            id: id,
            parents: parents,
            authorName: author.name.map { String(cString: $0) } ?? "",
            authorEmail: author.email.map { String(cString: $0) } ?? "",
            authorTime: Date(timeIntervalSince1970: TimeInterval(author.when.time)),
            subject: git_commit_summary(commit).map { String(cString: $0) } ?? ""
        )
    }
}
