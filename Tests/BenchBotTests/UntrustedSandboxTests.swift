@testable import BenchBot
import Foundation
import Testing

@Suite("The untrusted wrapper's argument vector")
struct UntrustedSandboxTests {
    @Test("placeholders are filled in as whole arguments and inside one; the command follows the wrapper unchanged")
    func placeholders() {
        let sandbox = UntrustedSandbox(folder: "/h/work/p~untrusted-job",
                                       wrapper: ["bwrap", "--bind", "{checkout}", "{checkout}", "--setenv=D={data}:{deps}", "--ro-bind", "{scripts}", "{scripts}", "--"])
        let paths = UntrustedSandbox.Paths(checkout: "/h/work/p~untrusted", scripts: "/h/experiments", deps: "/h/shared")
        let (program, arguments) = sandbox.wrapping("sh", ["-c", "echo {data}"], paths: paths)
        #expect(program == "bwrap")
        #expect(arguments == ["--bind", "/h/work/p~untrusted", "/h/work/p~untrusted", "--setenv=D=/h/work/p~untrusted-job:/h/shared",
                              "--ro-bind", "/h/experiments", "/h/experiments", "--", "sh", "-c", "echo {data}"])
        let unwrapped = UntrustedSandbox(folder: "/x", wrapper: nil).wrapping("sh", ["-c", "true"], paths: paths)
        #expect(unwrapped.executable == "sh" && unwrapped.arguments == ["-c", "true"])
    }

    @Test("the environment is an allow-list: the job's variables, HOME and TMPDIR in the private folder, PATH, LANG, LC_*, TZ, TERM")
    func allowList() {
        let sandbox = UntrustedSandbox(folder: "/h/work/p~untrusted-job", wrapper: nil)
        let none: String? = nil
        let environment = sandbox.environment(job: ["BENCHBOT_COMMIT": "abc", "BENCHBOT_EXPERIMENT": none])
        let inherited = ProcessInfo.processInfo.environment
        for name in inherited.keys where !["PATH", "LANG", "LANGUAGE", "TZ", "TERM", "HOME", "TMPDIR"].contains(name) && !name.hasPrefix("LC_") {
            #expect(environment[name] == .some(none), "\(name) is not removed")
        }
        #expect(environment.keys.contains("PATH") == false, "PATH is inherited, not removed")
        #expect(environment["HOME"] == .some("/h/work/p~untrusted-job/home") && environment["TMPDIR"] == .some("/h/work/p~untrusted-job/tmp"))
        #expect(environment["BENCHBOT_COMMIT"] == .some("abc") && environment["BENCHBOT_EXPERIMENT"] == .some(none))
    }
}
