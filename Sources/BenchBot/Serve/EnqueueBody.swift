import Foundation

/// The body of `POST /api/v1/enqueue`, read into the order `benchbot enqueue` would make:
/// exactly one of `commit`, `branch` or `range`, and optionally `priority`, `paired` and
/// `pull_request`, bounded as the command's options are.
enum EnqueueBody {
    static let fields = ["commit", "branch", "range", "priority", "paired", "pull_request"]

    /// - Throws: ``APIProblem`` (400) naming the field that is wrong and how to write it.
    static func parse(_ data: Data) throws(APIProblem) -> EnqueueOrder {
        let document: JSONValue
        do {
            document = try JSONValue.parse(data)
        } catch {
            throw .badRequest("the body is not JSON (\(error)); send an object such as {\"commit\": \"1a2b3c4d\"}")
        }
        guard case .object(let fields) = document else {
            throw .badRequest("the body is \(document.typeName), not an object; send one such as {\"commit\": \"1a2b3c4d\"}")
        }
        if let unknown = fields.keys.sorted().first(where: { !Self.fields.contains($0) }) {
            throw .badRequest("\(PlainText.singleLine(String(unknown.prefix(40)))): unknown field; use \(Self.fields.joined(separator: ", "))")
        }
        var targets: [EnqueueOrder.Target] = []
        for name in ["commit", "branch", "range"] {
            guard let value = fields[name] else { continue }
            guard case .string(let text) = value, !text.trimmingCharacters(in: .whitespaces).isEmpty, text.utf8.count <= 255,
                  !text.contains(where: { $0.isNewline || $0 == "\0" }) else {
                throw .badRequest("\(name): must be a non-empty string of one line, up to 255 bytes")
            }
            targets.append(name == "commit" ? .commit(text) : name == "branch" ? .branch(text) : .range(text))
        }
        guard targets.count == 1, let target = targets.first else {
            throw .badRequest("commit, branch, range: give exactly one of them")
        }
        var order = EnqueueOrder(target)
        if let value = fields["priority"] {
            guard case .number(let number) = value, number.rounded() == number, let priority = Int(exactly: number),
                  EnqueueOrder.priorities.contains(priority) else {
                throw .badRequest("priority: must be a whole number from \(EnqueueOrder.priorities.lowerBound) to \(EnqueueOrder.priorities.upperBound)")
            }
            order.priority = priority
        }
        if let value = fields["paired"] {
            guard case .bool(let paired) = value else { throw .badRequest("paired: must be true or false") }
            if paired, case .range = target { throw .badRequest("paired: goes with commit or branch, not range") }
            order.paired = paired
        }
        if let value = fields["pull_request"] {
            guard case .number(let number) = value, let pullRequest = Int(exactly: number), pullRequest >= 1 else {
                throw .badRequest("pull_request: must be a pull request's number, 1 or more")
            }
            if case .range = target { throw .badRequest("pull_request: goes with commit or branch, not range") }
            order.pullRequest = pullRequest
        }
        return order
    }
}
