public import Compare
public import Foundation

/// The `benchbot detect` input: benchmark histories as JSON, checked field by field.
public enum DetectionInput {
    public struct Series: Sendable {
        public let name: String
        public let direction: Direction
        public let commits: [String?]
        public let points: [[Double]]
    }

    /// - Parameters:
    ///   - data: `{"series": [{"name", "direction", "points": [{"commit", "samples"}]}]}`.
    ///   - source: Where it came from, for messages.
    /// - Throws: ``FormatError``-like messages naming the field, as ``DetectionInputError``.
    public static func parse(_ data: Data, source: String) throws(DetectionInputError) -> [Series] {
        func fail(_ field: String, _ problem: String) -> DetectionInputError { DetectionInputError(source: source, field: field, problem: problem) }
        let document: JSONValue
        do { document = try JSONValue.parse(data) } catch { throw fail("line \(error.line)", "column \(error.column): \(error.reason)") }
        guard case .array(let entries)? = document["series"] else { throw fail("series", "missing, or not an array") }
        return try entries.enumerated().map { index, entry throws(DetectionInputError) in
            let path = "series[\(index)]"
            guard case .string(let name)? = entry["name"] else { throw fail("\(path).name", "missing, or not a string") }
            var direction = Direction.lowerIsBetter
            if let given = entry["direction"] {
                guard case .string(let text) = given, let parsed = Direction(rawValue: text) else {
                    throw fail("\(path).direction", "must be \"lower_is_better\" or \"higher_is_better\"")
                }
                direction = parsed
            }
            guard case .array(let points)? = entry["points"] else { throw fail("\(path).points", "missing, or not an array") }
            var commits: [String?] = []
            var samples: [[Double]] = []
            for (pointIndex, point) in points.enumerated() {
                let pointPath = "\(path).points[\(pointIndex)]"
                guard case .array(let values)? = point["samples"], !values.isEmpty else {
                    throw fail("\(pointPath).samples", "missing or empty; every point needs at least one sample")
                }
                samples.append(try values.enumerated().map { sampleIndex, value throws(DetectionInputError) in
                    guard case .number(let number) = value, number.isFinite else { throw fail("\(pointPath).samples[\(sampleIndex)]", "is not a finite number") }
                    return number
                })
                if case .string(let commit)? = point["commit"] { commits.append(commit) } else { commits.append(nil) }
            }
            return Series(name: name, direction: direction, commits: commits, points: samples)
        }
    }
}

/// Detection input that cannot be used, with where and why.
public struct DetectionInputError: Error, Sendable, CustomStringConvertible {
    public let source: String
    public let field: String
    public let problem: String
    public var description: String { "\(source): \(field): \(problem)" }
}
