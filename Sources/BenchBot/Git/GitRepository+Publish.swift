import CGit2
import Foundation
import Notify

/// Committing a folder's files and pushing them: how the results site reaches a `gh-pages` branch.
extension GitRepository {
    /// Writes `folder`'s files, and those of its subfolders, as a tree; hidden files are left out,
    /// and `extra` files (by name, at the top) are added.
    ///
    /// - Throws: ``GitError`` when a file cannot be read or an object written.
    func writeTree(of folder: String, adding extra: [String: Data] = [:]) throws(GitError) -> ObjectID {
        var oid = git_oid()
        try writeTree(of: folder, extra: extra, into: &oid)
        return ObjectID(oid)
    }

    private func writeTree(of folder: String, extra: [String: Data], into result: inout git_oid) throws(GitError) {
        let operation = "write the tree of \(folder)"
        var builder: OpaquePointer?
        try gitCheck(git_treebuilder_new(&builder, handle, nil), operation)
        guard let builder else { return }
        defer { git_treebuilder_free(builder) }
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: folder) } catch {
            throw GitError.invalid(operation, "cannot list it: \(error.localizedDescription)")
        }
        for name in names where !name.hasPrefix(".") {
            let path = folder + "/" + name
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { continue }
            var oid = git_oid()
            if isFolder.boolValue {
                try writeTree(of: path, extra: [:], into: &oid)
                try gitCheck(git_treebuilder_insert(nil, builder, name, &oid, GIT_FILEMODE_TREE), operation)
            } else {
                try gitCheck(git_blob_create_from_disk(&oid, handle, path), "read \(path)")
                try gitCheck(git_treebuilder_insert(nil, builder, name, &oid, GIT_FILEMODE_BLOB), operation)
            }
        }
        for (name, content) in extra {
            var oid = git_oid()
            let code = content.withUnsafeBytes { bytes in git_blob_create_from_buffer(&oid, handle, bytes.baseAddress, bytes.count) }
            try gitCheck(code, operation)
            try gitCheck(git_treebuilder_insert(nil, builder, name, &oid, GIT_FILEMODE_BLOB), operation)
        }
        try gitCheck(git_treebuilder_write(&result, builder), operation)
    }

    /// The tree a commit records.
    func tree(of commit: ObjectID) throws(GitError) -> ObjectID {
        var oid = commit.oid
        var pointer: OpaquePointer?
        try gitCheck(git_commit_lookup(&pointer, handle, &oid), "read commit \(commit.short)")
        defer { git_commit_free(pointer) }
        return ObjectID(git_commit_tree_id(pointer).pointee)
    }

    /// The content of the file at `path` in `commit`'s tree; `nil` when there is none.
    func file(_ path: String, in commit: ObjectID) throws(GitError) -> Data? {
        let operation = "read \(path) in \(commit.short)"
        var oid = commit.oid
        var commitPointer: OpaquePointer?
        try gitCheck(git_commit_lookup(&commitPointer, handle, &oid), operation)
        defer { git_commit_free(commitPointer) }
        var tree: OpaquePointer?
        try gitCheck(git_commit_tree(&tree, commitPointer), operation)
        defer { git_tree_free(tree) }
        var entry: OpaquePointer?
        guard git_tree_entry_bypath(&entry, tree, path) == 0, let entry else { return nil }
        defer { git_tree_entry_free(entry) }
        guard git_tree_entry_type(entry) == GIT_OBJECT_BLOB else { return nil }
        var blob: OpaquePointer?
        try gitCheck(git_blob_lookup(&blob, handle, git_tree_entry_id(entry)), operation)
        defer { git_blob_free(blob) }
        return Data(bytes: git_blob_rawcontent(blob), count: Int(git_blob_rawsize(blob)))
    }

    /// Records `tree` as a new commit after `parent`, and points `reference` at it.
    ///
    /// - Parameters:
    ///   - tree: What the commit records.
    ///   - parent: The commit it follows; `nil` for a branch's first.
    ///   - reference: The full name of the reference to create or move, such as `refs/heads/gh-pages`.
    ///   - message: The commit message.
    ///   - author: The name and email the commit is by, and is committed by.
    /// - Throws: ``GitError``.
    func commit(tree: ObjectID, parent: ObjectID?, reference: String, message: String,
                       author: (name: String, email: String)) throws(GitError) -> ObjectID {
        let operation = "commit to \(reference)"
        var signature: UnsafeMutablePointer<git_signature>?
        try gitCheck(git_signature_now(&signature, author.name, author.email), operation)
        defer { git_signature_free(signature) }
        var treeID = tree.oid
        var treePointer: OpaquePointer?
        try gitCheck(git_tree_lookup(&treePointer, handle, &treeID), operation)
        defer { git_tree_free(treePointer) }
        var parentPointer: OpaquePointer?
        if let parent {
            var parentID = parent.oid
            try gitCheck(git_commit_lookup(&parentPointer, handle, &parentID), operation)
        }
        defer { if let parentPointer { git_commit_free(parentPointer) } }
        var created = git_oid()
        var parents: [OpaquePointer?] = parentPointer.map { [$0] } ?? []
        let code = parents.withUnsafeMutableBufferPointer { buffer in
            git_commit_create(&created, handle, nil, signature, signature, "UTF-8", message, treePointer, buffer.count, buffer.baseAddress)
        }
        try gitCheck(code, operation)
        var moved: OpaquePointer?
        try gitCheck(git_reference_create(&moved, handle, reference, &created, 1, "benchbot: \(message)"), operation)
        git_reference_free(moved)
        return ObjectID(created)
    }

    /// Pushes references to a URL; never forced, so a branch that moved meanwhile is refused.
    ///
    /// - Parameters:
    ///   - url: The remote, passed to libgit2 as it is, never to a shell.
    ///   - refspecs: Such as `refs/heads/gh-pages:refs/heads/gh-pages`.
    ///   - options: The deadline and credentials.
    /// - Throws: ``GitError``: ``GitError/isTimeout`` when the deadline passed, and an error naming
    ///   each reference the remote refused.
    func push(to url: String, refspecs: [String], options: FetchOptions = FetchOptions()) throws(GitError) {
        let state = try transfer(with: url, operation: "push to", options: options) { remote, state in
            var pushOptions = benchbot_git_push_options()
            pushOptions.proxy_opts.type = GIT_PROXY_AUTO
            state.install(in: &pushOptions.callbacks)
            return withStringArray(refspecs) { array in git_remote_push(remote, &array, &pushOptions) }
        }
        if !state.rejected.isEmpty {
            throw GitError.rejected("push to \(SecretRedactor.redactURLCredentials(in: url))",
                                    state.rejected.map { "\($0.reference) was refused: \($0.reason)" }.joined(separator: "; "))
        }
    }
}
