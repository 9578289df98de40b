import Foundation
@testable import BenchBot
import Testing

@Suite("post-receive input")
struct PushUpdateTests {
    let zero = String(repeating: "0", count: 40)
    let a = String(repeating: "a", count: 40)
    let b = String(repeating: "b", count: 40)

    @Test("each kind of reference update is recognised")
    func kinds() throws {
        let updates = try PushUpdate.parse("""
            \(a) \(b) refs/heads/main
            \(zero) \(b) refs/heads/feature/x
            \(a) \(zero) refs/heads/old
            \(zero) \(a) refs/tags/v1.0
            \(a) \(b) refs/notes/commits

            """)
        #expect(updates.map(\.kind) == [
            .branchUpdated(branch: "main"), .branchCreated(branch: "feature/x"), .branchDeleted(branch: "old"),
            .tagPushed(tag: "v1.0"), .otherReference,
        ])
    }

    @Test("a malformed line is rejected with its number", arguments: ["main", "\(String(repeating: "a", count: 40)) xyz refs/heads/main", "a b c d"])
    func malformed(line: String) {
        #expect { try PushUpdate.parse("\n" + line + "\n") } throws: { "\($0)".contains("line 2") }
    }

    @Test("branch patterns match like the shell's")
    func globs() {
        #expect(globMatches("*", "feature/x"))
        #expect(globMatches("release/*", "release/1.2"))
        #expect(!globMatches("release/*", "main"))
        #expect(globMatches("v?.*", "v1.2"))
        #expect(!globMatches("main", "mainline"))
    }
}

@Suite("Hook script")
struct HookScriptTests {
    @Test("hooks/post-receive in the repository is the script `benchbot hook install` writes")
    func repositoryHookMatchesInstaller() throws {
        var root = #filePath
        for _ in 0..<3 { root = (root as NSString).deletingLastPathComponent }
        let shipped = try String(contentsOfFile: (root as NSString).appendingPathComponent("hooks/post-receive"), encoding: .utf8)
        #expect(shipped == HookInstaller.script(executable: "benchbot", home: "/var/lib/benchbot"))
        #expect(FileManager.default.isExecutableFile(atPath: (root as NSString).appendingPathComponent("hooks/post-receive")))
    }

    @Test("paths with quotes cannot break out of the script's quoting")
    func quoting() {
        let script = HookInstaller.script(executable: "/opt/bench'bot/benchbot", home: "/srv/it's; rm -rf ~")
        #expect(script.contains("BENCHBOT=${BENCHBOT:-'/opt/bench'\\''bot/benchbot'}"))
        #expect(script.contains("BENCHBOT_HOME=${BENCHBOT_HOME:-'/srv/it'\\''s; rm -rf ~'}"))
    }
}
