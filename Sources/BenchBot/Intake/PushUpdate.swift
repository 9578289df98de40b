/// One line of git's post-receive input: `<old> <new> <reference>`.
public struct PushUpdate: Sendable, Hashable {
    public let old: ObjectID
    public let new: ObjectID
    public let reference: String

    /// What the update means for intake.
    public enum Kind: Sendable, Hashable {
        case branchCreated(branch: String)
        case branchUpdated(branch: String)
        case branchDeleted(branch: String)
        case tagPushed(tag: String)
        case tagDeleted(tag: String)
        /// Notes, pull-request refs and anything else outside branches and tags.
        case otherReference
    }

    public var kind: Kind {
        if let branch = reference.dropPrefix("refs/heads/") {
            if new.isZero { return .branchDeleted(branch: branch) }
            return old.isZero ? .branchCreated(branch: branch) : .branchUpdated(branch: branch)
        }
        if let tag = reference.dropPrefix("refs/tags/") {
            return new.isZero ? .tagDeleted(tag: tag) : .tagPushed(tag: tag)
        }
        return .otherReference
    }

    /// Parses git's post-receive standard input.
    ///
    /// - Parameter text: One `<old> <new> <reference>` line per updated reference.
    /// - Returns: The updates, in git's order.
    /// - Throws: ``IntakeError`` naming the first malformed line.
    public static func parse(_ text: String) throws(IntakeError) -> [PushUpdate] {
        var updates: [PushUpdate] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if fields.isEmpty { continue }
            guard fields.count == 3, let old = ObjectID(hex: String(fields[0])), let new = ObjectID(hex: String(fields[1])),
                  fields[2].hasPrefix("refs/")
            else {
                throw IntakeError.malformedHookInput(line: index + 1, text: PlainText.singleLine(String(line.prefix(200))))
            }
            let reference = String(fields[2])
            if let problem = referenceProblem(reference) {
                throw IntakeError.invalidReference(line: index + 1, reference: PlainText.singleLine(String(reference.prefix(200))), problem: problem)
            }
            updates.append(PushUpdate(old: old, new: new, reference: reference))
        }
        return updates
    }
}

extension PushUpdate {
    /// Why git would refuse `reference` as a name, or `nil` when it is one git creates.
    ///
    /// Git never reports such a name to a hook, so one here is forged input; it must not reach
    /// the queue, the store or a `git` argument list (a leading `-` reads as an option).
    static func referenceProblem(_ reference: String) -> String? {
        // Git stores a reference as a file, so a component beyond a file name's 255 bytes never
        // comes from git; a megabyte of name would be printed with every job of that branch.
        if reference.utf8.count > 1024 || reference.split(separator: "/").contains(where: { $0.utf8.count > 255 }) {
            return "is longer than git allows (1024 bytes, 255 per component)"
        }
        if reference.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            return "holds a control character"
        }
        guard LibGit2.isValidReferenceName(reference) else {
            return "is not a valid git reference name (see `git check-ref-format`: no '..', '@{', '~', '^', ':', '?', '*', '[', '\\', spaces, "
                + "component starting with '.' or ending with '.lock')"
        }
        let parts = reference.split(separator: "/", omittingEmptySubsequences: false)
        if parts.dropFirst(2).contains(where: { $0.hasPrefix("-") }) {
            return "has a component starting with '-', which git refuses for branches and tags"
        }
        return nil
    }
}

extension String {
    func dropPrefix(_ prefix: String) -> String? {
        hasPrefix(prefix) ? String(dropFirst(prefix.count)) : nil
    }
}

/// Shell-style matching of `*` (any run of characters, `/` included) and `?` for branch patterns.
func globMatches(_ pattern: String, _ text: String) -> Bool {
    let pattern = Array(pattern), text = Array(text)
    var p = 0, t = 0, star = -1, resume = 0
    while t < text.count {
        if p < pattern.count, pattern[p] == "?" || pattern[p] == text[t] {
            p += 1
            t += 1
        } else if p < pattern.count, pattern[p] == "*" {
            star = p
            resume = t
            p += 1
        } else if star >= 0 {
            p = star + 1
            resume += 1
            t = resume
        } else {
            return false
        }
    }
    while p < pattern.count, pattern[p] == "*" { p += 1 }
    return p == pattern.count
}
