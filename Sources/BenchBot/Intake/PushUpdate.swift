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
                throw IntakeError.malformedHookInput(line: index + 1, text: String(line.prefix(200)))
            }
            updates.append(PushUpdate(old: old, new: new, reference: String(fields[2])))
        }
        return updates
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
