/// One thing wrong with a config file, printed as `file: field: problem`.
public struct ConfigProblem: Sendable, Hashable, CustomStringConvertible {
    /// The file, as the user would type it.
    public let file: String
    /// The field's dotted path, such as `benchbot.repository.url`, or `-` for the whole file.
    public let field: String
    /// What is wrong and how to fix it.
    public let problem: String

    public init(file: String, field: String, problem: String) {
        self.file = file
        self.field = field
        self.problem = problem
    }

    public var description: String { "\(file): \(field): \(problem)" }
}

/// A config that cannot be used, with every problem found in it.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public let problems: [ConfigProblem]

    public init(problems: [ConfigProblem]) {
        self.problems = problems
    }

    public var description: String {
        problems.map(\.description).joined(separator: "\n")
    }
}
