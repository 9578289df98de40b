import Foundation

extension HomeCheck {
    /// A wrapper whose program cannot be started would fail every untrusted job at its first command.
    static func untrustedWrapperProblems(_ settings: BenchBotSettings, file: String) -> [ConfigProblem] {
        guard let program = settings.runner.untrustedWrapper?.first, !isRunnable(program) else { return [] }
        let install = (program as NSString).lastPathComponent == "bwrap" ? "apt-get install bubblewrap" : "install it"
        return [ConfigProblem(file: file, field: "benchbot.runner.untrusted_wrapper",
                              problem: "its program \(program) is not "
                                  + (program.contains("/") ? "an executable file" : "on PATH (\(ProcessInfo.processInfo.environment["PATH"] ?? ""))")
                                  + ", so every untrusted job would fail: \(install), or fix the program's name")]
    }

    /// Without a wrapper, a fork's pull request that a maintainer runs has the network and every
    /// file this user can read; worth saying, though it is not an error, where pull requests can
    /// come from GitHub at all: a home with no GitHub repository runs no one else's code.
    static func untrustedWrapperWarnings(_ settings: BenchBotSettings, file: String) -> [ConfigProblem] {
        guard settings.runner.untrustedWrapper == nil,
              settings.notify?.github?.repository != nil || GitHubIntake.gitHubRepository(fromURL: settings.repository.url) != nil
        else { return [] }
        return [ConfigProblem(file: file, field: "benchbot.runner.untrusted_wrapper",
                              problem: "is not set, so forks' pull requests run unsandboxed (with the network and this user's files, "
                                  + "though with no secret) once a maintainer says /benchbot run; set it, for bubblewrap "
                                  + "(apt-get install bubblewrap) to \(UntrustedSandbox.example)")]
    }

    /// Whether a program named by path, or looked up in `PATH`, can be run.
    private static func isRunnable(_ program: String) -> Bool {
        if program.contains("/") { return FileManager.default.isExecutableFile(atPath: program) }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").contains { folder in
            FileManager.default.isExecutableFile(atPath: (String(folder) as NSString).appendingPathComponent(program))
        }
    }
}
