import CGit2
import Foundation

/// An open git repository, owned by this value and freed with it.
///
/// Not `Sendable`: a libgit2 repository handle must not be used from two threads at once.
/// Open one per task instead.
public final class GitRepository {
    let handle: OpaquePointer
    /// The repository's git directory (for a bare repository, the repository itself).
    public let path: String

    private init(handle: OpaquePointer) {
        self.handle = handle
        self.path = String(cString: git_repository_path(handle))
    }

    deinit {
        git_repository_free(handle)
    }

    /// Opens an existing repository, bare or not, without searching parent folders.
    ///
    /// - Parameter path: The repository's folder or its git directory.
    /// - Throws: ``GitError`` (``GitError/isNotFound`` when `path` is not a repository).
    public static func open(at path: String) throws(GitError) -> GitRepository {
        LibGit2.ensureInitialised()
        var handle: OpaquePointer?
        let code = git_repository_open_ext(&handle, path, GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue, nil)
        guard code == 0, let handle else {
            throw GitError.last(code: code, operation: "open repository \(path)")
        }
        return GitRepository(handle: handle)
    }

    /// Creates a new repository, or opens the one already there.
    ///
    /// - Parameters:
    ///   - path: The folder to create it in.
    ///   - bare: Whether it has no work tree.
    /// - Throws: ``GitError``.
    public static func create(at path: String, bare: Bool) throws(GitError) -> GitRepository {
        LibGit2.ensureInitialised()
        var handle: OpaquePointer?
        let code = git_repository_init(&handle, path, bare ? 1 : 0)
        guard code == 0, let handle else {
            throw GitError.last(code: code, operation: "create repository \(path)")
        }
        return GitRepository(handle: handle)
    }

    /// Whether the repository has no work tree, as a server-side repository has.
    public var isBare: Bool { git_repository_is_bare(handle) == 1 }

    /// The folder holding the repository's objects.
    var objectsDirectory: String {
        (path as NSString).appendingPathComponent("objects")
    }
}
