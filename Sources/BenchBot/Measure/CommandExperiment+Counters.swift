import Foundation

extension CommandExperiment {
    /// Runs the untimed counted launches a plan asks for, after the timed ones, and adds their
    /// counts; a failed launch drops the counts and says why, and the timed results stand.
    ///
    /// - Parameters:
    ///   - plan: The experiment's counter plan; does nothing unless it is a counted pass.
    ///   - first: The number of the first counted launch, after the timed ones, for its log.
    func countSeparately(_ plan: CounterPlan, first: Int, into counted: inout CounterSamples) async {
        guard case .countedPass(let launches) = plan.mode else { return }
        for launch in 0..<launches {
            guard !Task.isCancelled else { return counted.fail("stopped") }
            switch await launchOnce(first + launch, counting: plan, counted: true) {
            case .failure(let message):
                return counted.fail("counted launch \(launch + 1) under cachegrind: \(message)")
            case .success(_, let reading):
                counted.add(reading)
            }
        }
    }

    /// A fresh folder for one counted launch's files: in an untrusted job's private folder, which
    /// its wrapper lets the counting tool write to, else in the temporary folder.
    func makeCounterFolder() -> String {
        let parent = context.untrusted?.temporaryFolder ?? FileManager.default.temporaryDirectory.path
        let folder = (parent as NSString).appendingPathComponent("benchbot-counters-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }
}
