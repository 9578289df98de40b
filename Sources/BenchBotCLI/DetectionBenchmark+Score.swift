import Compare
import Foundation

/// Precision, recall and false alarms, at the exact commit and within 5 commits, and recall by step
/// size within one commit.
struct DetectionScore {
    var detections = 0
    var truths = 0
    var exact = 0
    var within = 0
    var falseAlarmsOnFlat = 0
    var flatCommits = 0
    /// Changes held back as tentative, on every history and on unchanged ones.
    var held = 0
    var heldOnFlat = 0
    /// Per step-size class: injected changes, and those found within one commit.
    var bySize: [StepSize: (truths: Int, found: Int)] = [:]

    /// The step sizes recall is reported for.
    enum StepSize: String, CaseIterable {
        case one = "1%", two = "2%", larger = "3–20%"

        init(ratio: Double) {
            let size = max(ratio, 1 / ratio) - 1
            self = size < 0.015 ? .one : size < 0.025 ? .two : .larger
        }
    }

    mutating func add(found: [Int], held: Int, history: SyntheticHistory) {
        let truth = history.changes
        detections += found.count
        truths += truth.count
        self.held += held
        if truth.isEmpty {
            falseAlarmsOnFlat += found.count
            heldOnFlat += held
            flatCommits += history.points.count
        }
        var unmatchedExact = Set(truth), unmatchedWithin = Set(truth), unmatchedNear = Set(truth)
        for detection in found {
            if unmatchedExact.remove(detection) != nil { exact += 1 }
            if let match = Self.nearest(detection, in: unmatchedWithin, reach: 5) {
                unmatchedWithin.remove(match)
                within += 1
            }
            if let match = Self.nearest(detection, in: unmatchedNear, reach: 1) { unmatchedNear.remove(match) }
        }
        for (change, ratio) in zip(truth, history.ratios) {
            bySize[StepSize(ratio: ratio), default: (0, 0)].truths += 1
            if !unmatchedNear.contains(change) { bySize[StepSize(ratio: ratio), default: (0, 0)].found += 1 }
        }
    }

    private static func nearest(_ detection: Int, in truths: Set<Int>, reach: Int) -> Int? {
        truths.filter { abs($0 - detection) <= reach }.min { (abs($0 - detection), $0) < (abs($1 - detection), $1) }
    }

    func precision(within: Bool) -> Double { detections == 0 ? 0 : Double(within ? self.within : exact) / Double(detections) }
    func recall(within: Bool) -> Double { truths == 0 ? 0 : Double(within ? self.within : exact) / Double(truths) }
    func f1(within: Bool) -> Double {
        let p = precision(within: within), r = recall(within: within)
        return p + r == 0 ? 0 : 2 * p * r / (p + r)
    }
    var falseAlarmRate: Double { flatCommits == 0 ? 0 : Double(falseAlarmsOnFlat) * 1000 / Double(flatCommits) }
    /// Recall within one commit of the changes of one size class.
    func recall(_ size: StepSize) -> Double {
        guard let counts = bySize[size], counts.truths > 0 else { return 0 }
        return Double(counts.found) / Double(counts.truths)
    }

    static let header = "method                                      precision  recall   F1     | ±5: precision  recall   F1     | false alarms / 1,000 commits | recall ±1: 1%    2%     3–20%"

    func row(_ label: String) -> String {
        String(format: "%@ %6.3f   %6.3f   %6.3f  |     %6.3f   %6.3f   %6.3f  | %8.2f                     |     %6.3f %6.3f %6.3f",
               label.padding(toLength: 43, withPad: " ", startingAt: 0), precision(within: false), recall(within: false), f1(within: false),
               precision(within: true), recall(within: true), f1(within: true), falseAlarmRate,
               recall(.one), recall(.two), recall(.larger))
    }
}
