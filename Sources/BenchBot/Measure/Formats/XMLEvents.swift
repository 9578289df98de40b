/// The elements of a small XML document, read in order: enough XML for a test reporter's output
/// (elements, attributes, text, comments, the declaration and the five entities plus numeric ones),
/// without a DTD, namespaces or CDATA. Malformed input, such as a file cut mid-tag, is an error at
/// a line, never a guess.
///
/// Hand-written rather than FoundationXML's `XMLParser`: that one reports a document cut after a
/// complete tag as parsed, and links libxml2 into every BenchBot binary for one reader.
struct XMLEvents {
    enum Event: Equatable {
        case start(name: String, attributes: [String: String], line: Int)
        case end(name: String, line: Int)
        case text(String)
    }

    struct SyntaxError: Error {
        let line: Int
        let reason: String
    }

    /// Every event of `data`, checking that each end tag closes the open element and that the root closes.
    static func read(_ data: [UInt8]) throws(SyntaxError) -> [Event] {
        var reader = XMLEvents(bytes: data)
        return try reader.readAll()
    }

    private let bytes: [UInt8]
    private var index = 0
    private var line = 1

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private mutating func readAll() throws(SyntaxError) -> [Event] {
        var events: [Event] = []
        var open: [String] = []
        var rootClosed = false
        while index < bytes.count {
            if bytes[index] != UInt8(ascii: "<") {
                let start = index
                while index < bytes.count, bytes[index] != UInt8(ascii: "<") { advance() }
                let text = try decode(bytes[start..<index])
                if open.isEmpty {
                    guard text.allSatisfy(\.isWhitespace) else { throw SyntaxError(line: line, reason: "text outside the root element") }
                } else {
                    events.append(.text(text))
                }
                continue
            }
            if starts(with: "<!--") {
                try skip(past: "-->", what: "comment")
            } else if starts(with: "<?") {
                try skip(past: "?>", what: "declaration")
            } else if starts(with: "<!") {
                throw SyntaxError(line: line, reason: "holds a DTD or CDATA section, which a test reporter does not write")
            } else if starts(with: "</") {
                let tagLine = line
                index += 2
                let name = try readName()
                skipSpaces()
                try expect(">")
                guard let last = open.popLast() else { throw SyntaxError(line: tagLine, reason: "</\(name)> closes nothing") }
                guard last == name else { throw SyntaxError(line: tagLine, reason: "</\(name)> closes <\(last)>") }
                events.append(.end(name: name, line: tagLine))
                if open.isEmpty { rootClosed = true }
            } else {
                guard !rootClosed else { throw SyntaxError(line: line, reason: "a second root element") }
                let tagLine = line
                index += 1
                let name = try readName()
                // Room for a Catch2 element's attributes (up to six) at once: regrowing cost a tenth of a read.
                var attributes = [String: String](minimumCapacity: 8)
                while true {
                    skipSpaces()
                    guard index < bytes.count else { throw SyntaxError(line: line, reason: "the file ends inside the tag <\(name)") }
                    if starts(with: "/>") {
                        index += 2
                        events.append(.start(name: name, attributes: attributes, line: tagLine))
                        events.append(.end(name: name, line: tagLine))
                        if open.isEmpty { rootClosed = true }
                        break
                    }
                    if bytes[index] == UInt8(ascii: ">") {
                        index += 1
                        open.append(name)
                        events.append(.start(name: name, attributes: attributes, line: tagLine))
                        break
                    }
                    let key = try readName()
                    skipSpaces()
                    try expect("=")
                    skipSpaces()
                    guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'") else {
                        throw SyntaxError(line: line, reason: "attribute \(key) of <\(name)> has no quoted value")
                    }
                    let quote = bytes[index]
                    index += 1
                    let start = index
                    while index < bytes.count, bytes[index] != quote {
                        guard bytes[index] != UInt8(ascii: "<") else { throw SyntaxError(line: line, reason: "'<' inside attribute \(key) of <\(name)>") }
                        advance()
                    }
                    guard index < bytes.count else { throw SyntaxError(line: line, reason: "the file ends inside attribute \(key) of <\(name)>") }
                    let value = try decode(bytes[start..<index])
                    guard attributes.updateValue(value, forKey: key) == nil else {
                        throw SyntaxError(line: line, reason: "attribute \(key) appears twice in <\(name)>")
                    }
                    index += 1
                }
            }
        }
        if let unclosed = open.last { throw SyntaxError(line: line, reason: "the file ends inside <\(unclosed)>, before </\(unclosed)>: truncated?") }
        guard rootClosed else { throw SyntaxError(line: line, reason: "holds no XML element") }
        return events
    }

    private mutating func advance() {
        if bytes[index] == UInt8(ascii: "\n") { line += 1 }
        index += 1
    }

    private func starts(with prefix: StaticString) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        return (0..<count).allSatisfy { bytes[index + $0] == prefix.utf8Start[$0] }
    }

    private mutating func skip(past end: StaticString, what: String) throws(SyntaxError) {
        let startLine = line
        while index < bytes.count, !starts(with: end) { advance() }
        guard index < bytes.count else { throw SyntaxError(line: startLine, reason: "the file ends inside a \(what)") }
        index += end.utf8CodeUnitCount
    }

    private mutating func skipSpaces() {
        while index < bytes.count, bytes[index] == TextBytes.space || bytes[index] == TextBytes.newline || bytes[index] == TextBytes.tab
                || bytes[index] == TextBytes.carriageReturn { advance() }
    }

    private mutating func expect(_ character: Unicode.Scalar) throws(SyntaxError) {
        guard index < bytes.count, bytes[index] == UInt8(ascii: character) else {
            throw SyntaxError(line: line, reason: index < bytes.count ? "expected '\(character)'" : "the file ends where '\(character)' should be")
        }
        index += 1
    }

    private mutating func readName() throws(SyntaxError) -> String {
        let start = index
        while index < bytes.count, bytes[index] >= 0x80 || isNameByte(bytes[index]) { index += 1 }
        guard index > start else { throw SyntaxError(line: line, reason: index < bytes.count ? "expected a name" : "the file ends where a name should be") }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private func isNameByte(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
            || byte == UInt8(ascii: ".") || byte == UInt8(ascii: ":")
    }

    /// Text with its entities replaced.
    private func decode(_ raw: ArraySlice<UInt8>) throws(SyntaxError) -> String {
        let text = String(decoding: raw, as: UTF8.self)
        guard raw.contains(UInt8(ascii: "&")) else { return text }
        var out = ""
        var rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            guard let semicolon = rest[amp...].prefix(12).firstIndex(of: ";") else {
                throw SyntaxError(line: line, reason: "an '&' that starts no entity")
            }
            let entity = rest[rest.index(after: amp)..<semicolon]
            switch entity {
            case "lt": out += "<"
            case "gt": out += ">"
            case "amp": out += "&"
            case "quot": out += "\""
            case "apos": out += "'"
            default:
                let hex = entity.hasPrefix("#x") || entity.hasPrefix("#X")
                guard entity.hasPrefix("#"), let code = UInt32(entity.dropFirst(hex ? 2 : 1), radix: hex ? 16 : 10),
                      let scalar = Unicode.Scalar(code) else {
                    throw SyntaxError(line: line, reason: "unknown entity &\(entity);")
                }
                out.unicodeScalars.append(scalar)
            }
            rest = rest[rest.index(after: semicolon)...]
        }
        return out + rest
    }
}
