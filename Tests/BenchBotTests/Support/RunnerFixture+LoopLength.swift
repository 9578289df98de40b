import Foundation

extension RunnerFixture {
    /// Prints the loop length of the checkout's `iterations.h` as benchbot-json: a benchmark whose
    /// history is exact, so that verdicts and change points can be tested to the commit.
    static let loopLengthCommand: [String] = ["sh", "-c",
        #"n=$(sed -n 's/#define ITERATIONS \([0-9]*\)UL/\1/p' iterations.h); printf '{"benchmarks": [{"name": "loop", "unit": "count", "samples": [%s]}]}' "$n""#]

    /// Adds an experiment running ``loopLengthCommand``, with `options` (`repeat`, …) added to its config.
    func addLoopLengthExperiment(_ name: String = "size", options: [String: Any] = [:]) throws {
        var config: [String: Any] = ["active": true, "format": "benchbot-json", "command": Self.loopLengthCommand]
        config.merge(options) { $1 }
        try addExperiment(name, config: config, scripts: [:])
    }

    /// Commits one change per step, each setting the loop length to `length(step)`, and pushes them.
    ///
    /// - Returns: The hashes, starting with the commit before the first step.
    func commitLoopLengths(_ steps: ClosedRange<Int>, _ length: (Int) -> Int) async throws -> [String] {
        var commits = [try await git.head()]
        for step in steps {
            try "#define ITERATIONS \(length(step))UL\n".write(toFile: git.work.appending(path: "iterations.h"), atomically: true, encoding: .utf8)
            try "\(step)\n".write(toFile: git.work.appending(path: "n.txt"), atomically: true, encoding: .utf8)
            try await git.git("-C", git.work, "add", "iterations.h", "n.txt")
            try await git.git("-C", git.work, "commit", "-q", "-m", "step \(step)")
            commits.append(try await git.head())
        }
        try await git.git("-C", git.work, "push", "-q", "origin", "main")
        return commits
    }
}
