import Foundation

/// Writes BenchBot's post-receive hook into a server's bare repository.
public enum HookInstaller {
    /// Marks scripts BenchBot wrote, so reinstalling replaces them but never a user's own hook.
    static let marker = "# Installed by BenchBot"

    /// The hook script: it hands git's input to `benchbot hook post-receive` with a fixed home.
    ///
    /// Values are single-quoted for `sh`, so no path can inject shell syntax; refs and hashes
    /// travel on standard input and never touch the shell.
    ///
    /// - Parameters:
    ///   - executable: The `benchbot` binary to call.
    ///   - home: The BenchBot home to queue into.
    public static func script(executable: String, home: String) -> String {
        """
        #!/bin/sh
        \(marker): `benchbot hook install`, or copied by hand from BenchBot's hooks/post-receive
        # (then set the two defaults below). git runs it after every push with
        # "<old-sha> <new-sha> <ref>" lines on standard input; BenchBot queues the new commits.
        # A failure here never rejects the push: post-receive runs after the refs are updated.
        BENCHBOT=${BENCHBOT:-\(shellQuoted(executable))}
        BENCHBOT_HOME=${BENCHBOT_HOME:-\(shellQuoted(home))}
        export BENCHBOT_HOME
        exec "$BENCHBOT" hook post-receive --home "$BENCHBOT_HOME" --git-dir "$(pwd)"

        """
    }

    /// Installs the hook into a bare repository.
    ///
    /// - Parameters:
    ///   - repositoryPath: The bare repository people push to.
    ///   - executable: The `benchbot` binary the hook calls.
    ///   - home: The BenchBot home.
    ///   - force: Replace a hook BenchBot did not write.
    /// - Returns: The hook's path.
    /// - Throws: ``IntakeError``.
    @discardableResult
    public static func install(into repositoryPath: String, executable: String, home: Home, force: Bool = false) throws(IntakeError) -> String {
        let repository: GitRepository
        do {
            repository = try GitRepository.open(at: repositoryPath)
        } catch {
            throw IntakeError.notARepository(repositoryPath, detail: error.message)
        }
        guard repository.isBare else { throw IntakeError.notBare(repositoryPath) }
        let hooks = (repository.path as NSString).appendingPathComponent("hooks")
        let hook = (hooks as NSString).appendingPathComponent("post-receive")
        if let existing = try? String(contentsOfFile: hook, encoding: .utf8), !existing.contains(marker), !force {
            throw IntakeError.hookExists(hook)
        }
        do {
            try FileManager.default.createDirectory(atPath: hooks, withIntermediateDirectories: true)
            try script(executable: executable, home: home.root).write(toFile: hook, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hook)
        } catch {
            throw IntakeError.io(hook, detail: error.localizedDescription)
        }
        return hook
    }

    private static func shellQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
