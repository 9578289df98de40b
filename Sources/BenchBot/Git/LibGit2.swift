import CGit2

/// The process-wide libgit2 runtime.
///
/// libgit2 wants `git_libgit2_init` before any other call; a Swift global is initialised once,
/// thread-safely, on first use, which is exactly that guarantee.
enum LibGit2 {
    private static let initialisation: Int32 = git_libgit2_init()

    /// Makes sure libgit2 is initialised; cheap after the first call.
    static func ensureInitialised() {
        _ = initialisation
    }

    /// Whether `name` is a valid full reference name, such as `refs/heads/main`.
    static func isValidReferenceName(_ name: String) -> Bool {
        ensureInitialised()
        var valid: Int32 = 0
        return git_reference_name_is_valid(&valid, name) == 0 && valid == 1
    }
}
