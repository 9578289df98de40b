import Foundation

/// Catch2's `--reporter xml` read straight from its bytes, into the test cases
/// ``Catch2Format/parseXML(_:_:)`` reads from ``XMLEvents``.
///
/// The event reader builds a `String` for every element and attribute name and a dictionary of
/// attributes per element: on a large report that was most of the parse. This scanner keeps
/// names and values as byte ranges, compares them in place, and builds only the strings a
/// result needs (test case, section and benchmark names, a failure's text). It checks the same
/// syntax the event reader checks, and runs the same steps per element, but it does not
/// explain: on anything it would refuse, or that it does not read itself (a name or attribute
/// key beyond ASCII, an entity in a form other than the five named ones and plain numeric ones,
/// a DTD), it returns `nil` and the event reader, which stays the oracle, reads the file and
/// gives its message. The two agree wherever this one answers (`Catch2XMLScannerTests`).
struct Catch2XMLScanner {
    /// One attribute of the tag being read, as offsets into the bytes.
    private struct Attribute {
        let key: Range<Int>
        /// The value between its quotes, entities not yet replaced.
        let value: Range<Int>
        let hasEntity: Bool
    }

    /// The elements whose start or end the reader acts on.
    private enum Element {
        case testCase, section, benchmarkResults, mean, failed, expression, original, exception, fatalErrorCondition, failure
        case overallResult, overallResultsCases, catchRoot, other
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    /// The tag being read's attributes; one array for the whole file, emptied per tag.
    private var attributes: [Attribute] = []

    // What ``Catch2Format/parseXML(_:_:)`` keeps between events, kept the same way.
    private var cases: [Catch2Format.TestCase] = []
    private var current: Catch2Format.TestCase?
    private var benchmark: (name: String, mean: Double?, failed: String?)?
    private var expression: (type: String, place: String, original: String?)?
    private var inOriginal = false
    private var problem: String?
    private var sawFinish = false
    private var sawRoot = false

    private init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        attributes.reserveCapacity(8)
    }

    /// The test cases of a complete, well-formed Catch2 XML report in the shapes this scanner
    /// reads; `nil` for anything else.
    static func testCases(_ data: Data) -> [Catch2Format.TestCase]? {
        data.withUnsafeBytes { raw in
            let bytes = raw.assumingMemoryBound(to: UInt8.self)
            guard bytes.baseAddress != nil else { return nil }
            var scanner = Catch2XMLScanner(bytes: bytes)
            return scanner.read()
        }
    }

    // MARK: Syntax, as XMLEvents checks it

    private mutating func read() -> [Catch2Format.TestCase]? {
        var open: [Range<Int>] = []
        var rootClosed = false
        while index < bytes.count {
            if bytes[index] != UInt8(ascii: "<") {
                let start = index
                index = Self.offset(of: UInt8(ascii: "<"), in: bytes, from: index) ?? bytes.count
                if open.isEmpty {
                    // Outside the root only whitespace may stand; ASCII's is all this scanner reads.
                    guard bytes[start..<index].allSatisfy({ TextBytes.isBlank($0) || $0 == TextBytes.newline || $0 == TextBytes.carriageReturn }) else {
                        return nil
                    }
                } else {
                    guard validEntities(start..<index), text(start..<index) else { return nil }
                }
                continue
            }
            if starts(with: "<!--") {
                guard skip(past: "-->") else { return nil }
            } else if starts(with: "<?") {
                guard skip(past: "?>") else { return nil }
            } else if starts(with: "<!") {
                return nil
            } else if starts(with: "</") {
                index += 2
                guard let name = readName() else { return nil }
                skipSpaces()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ">") else { return nil }
                index += 1
                guard let last = open.popLast(), equal(last, name), end(Self.element(bytes, name)) else { return nil }
                if open.isEmpty { rootClosed = true }
            } else {
                guard !rootClosed else { return nil }
                index += 1
                guard let name = readName() else { return nil }
                attributes.removeAll(keepingCapacity: true)
                while true {
                    skipSpaces()
                    guard index < bytes.count else { return nil }
                    if starts(with: "/>") {
                        index += 2
                        let element = Self.element(bytes, name)
                        guard start(element, isRoot: open.isEmpty), end(element) else { return nil }
                        if open.isEmpty { rootClosed = true }
                        break
                    }
                    if bytes[index] == UInt8(ascii: ">") {
                        index += 1
                        let isRoot = open.isEmpty
                        open.append(name)
                        guard start(Self.element(bytes, name), isRoot: isRoot) else { return nil }
                        break
                    }
                    guard readAttribute() else { return nil }
                }
            }
        }
        guard open.isEmpty, rootClosed, sawFinish else { return nil }
        return cases
    }

    /// `key="value"` or `key='value'`, as the event reader reads it: no `<` in the value, no key twice.
    private mutating func readAttribute() -> Bool {
        guard let key = readName() else { return false }
        skipSpaces()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "=") else { return false }
        index += 1
        skipSpaces()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'") else { return false }
        let quote = bytes[index]
        index += 1
        let start = index
        var hasEntity = false
        while index < bytes.count, bytes[index] != quote {
            if bytes[index] == UInt8(ascii: "<") { return false }
            if bytes[index] == UInt8(ascii: "&") { hasEntity = true }
            index += 1
        }
        guard index < bytes.count else { return false }
        let value = start..<index
        index += 1
        guard !hasEntity || validEntities(value), !attributes.contains(where: { equal($0.key, key) }) else { return false }
        attributes.append(Attribute(key: key, value: value, hasEntity: hasEntity))
        return true
    }

    /// An element or attribute name; `nil` where there is none, or where it goes beyond ASCII
    /// (the event reader compares those as Strings, equal under Unicode's rules).
    private mutating func readName() -> Range<Int>? {
        let start = index
        while index < bytes.count, Self.isNameByte(bytes[index]) { index += 1 }
        guard index > start, index == bytes.count || bytes[index] < 0x80 else { return nil }
        return start..<index
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: ":"): true
        default: false
        }
    }

    private mutating func skipSpaces() {
        while index < bytes.count, TextBytes.isBlank(bytes[index]) || bytes[index] == TextBytes.newline || bytes[index] == TextBytes.carriageReturn {
            index += 1
        }
    }

    private func starts(with prefix: StaticString) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        for offset in 0..<count where bytes[index + offset] != prefix.utf8Start[offset] { return false }
        return true
    }

    /// Past the first `end` at or after the `<` that opened a comment or declaration, as the event
    /// reader looks for it (so `<!-->` is a whole comment there, and here).
    private mutating func skip(past end: StaticString) -> Bool {
        let needle = UnsafeBufferPointer(start: end.utf8Start, count: end.utf8CodeUnitCount)
        guard let found = TextBytes.offset(of: needle, in: UnsafeBufferPointer(rebasing: bytes[index...]), backwards: false) else { return false }
        index += found + needle.count
        return true
    }

    private func equal(_ left: Range<Int>, _ right: Range<Int>) -> Bool {
        left.count == right.count && memcmp(bytes.baseAddress! + left.lowerBound, bytes.baseAddress! + right.lowerBound, left.count) == 0
    }

    private static func offset(of byte: UInt8, in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard let base = bytes.baseAddress, start < bytes.count, let found = memchr(base + start, Int32(byte), bytes.count - start) else { return nil }
        return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }

    // MARK: Entities

    /// Whether every `&` in `range` starts an entity this scanner replaces as the event reader
    /// does: `&lt;`, `&gt;`, `&amp;`, `&quot;`, `&apos;`, `&#N;` or `&#xH;` naming a scalar,
    /// between ASCII bytes. (The event reader finds `&` and `;` as Characters: next to a
    /// combining mark or a prepended scalar they would not be found, so those are left to it.)
    private func validEntities(_ range: Range<Int>) -> Bool {
        var position = range.lowerBound
        while let amp = Self.offset(of: UInt8(ascii: "&"), in: UnsafeBufferPointer(rebasing: bytes[..<range.upperBound]), from: position) {
            guard amp == range.lowerBound || bytes[amp - 1] < 0x80, let (_, length) = entity(at: amp, before: range.upperBound) else { return false }
            let after = amp + length
            guard after == range.upperBound || bytes[after] < 0x80 else { return false }
            position = after
        }
        return true
    }

    /// The scalar an entity at `amp` stands for, and its length in bytes with `&` and `;`.
    private func entity(at amp: Int, before limit: Int) -> (Unicode.Scalar, Int)? {
        for (name, scalar) in Self.namedEntities {
            let end = amp + 1 + name.count
            guard end < limit, bytes[end] == UInt8(ascii: ";") else { continue }
            if zip(bytes[(amp + 1)..<end], name).allSatisfy({ $0 == $1 }) { return (scalar, name.count + 2) }
        }
        guard amp + 1 < limit, bytes[amp + 1] == UInt8(ascii: "#") else { return nil }
        var position = amp + 2
        let hex = position < limit && (bytes[position] == UInt8(ascii: "x") || bytes[position] == UInt8(ascii: "X"))
        if hex { position += 1 }
        let digitsStart = position
        var code: UInt32 = 0
        while position < limit, position - digitsStart < 7 {
            let byte = bytes[position]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f") where hex: digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F") where hex: digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: digit = UInt32.max
            }
            if digit == UInt32.max { break }
            code = code * (hex ? 16 : 10) + digit
            position += 1
        }
        guard position > digitsStart, position < limit, bytes[position] == UInt8(ascii: ";"), let scalar = Unicode.Scalar(code) else { return nil }
        return (scalar, position + 1 - amp)
    }

    private static let namedEntities: [([UInt8], Unicode.Scalar)] = [
        (Array("lt".utf8), "<"), (Array("gt".utf8), ">"), (Array("amp".utf8), "&"), (Array("quot".utf8), "\""), (Array("apos".utf8), "'"),
    ]

    /// The text of `range` with its entities replaced (they were checked by ``validEntities(_:)``).
    private func decoded(_ range: Range<Int>, hasEntity: Bool) -> String {
        let raw = UnsafeBufferPointer(rebasing: bytes[range])
        guard hasEntity else { return String(decoding: raw, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(range.count)
        var position = range.lowerBound
        while position < range.upperBound {
            guard bytes[position] == UInt8(ascii: "&"), let (scalar, length) = entity(at: position, before: range.upperBound) else {
                out.append(bytes[position])
                position += 1
                continue
            }
            out.append(contentsOf: String(Character(scalar)).utf8)
            position += length
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The value of the current tag's attribute `key`, entities replaced.
    private func value(_ key: StaticString) -> String? {
        attribute(key).map { decoded($0.value, hasEntity: $0.hasEntity) }
    }

    private func attribute(_ key: StaticString) -> Attribute? {
        attributes.first { $0.key.count == key.utf8CodeUnitCount && memcmp(bytes.baseAddress! + $0.key.lowerBound, key.utf8Start, $0.key.count) == 0 }
    }

    /// Whether the current tag's attribute `key` is exactly `expected`.
    private func value(_ key: StaticString, is expected: StaticString) -> Bool {
        guard let found = attribute(key) else { return false }
        if found.hasEntity { return decoded(found.value, hasEntity: true) == expected.description }
        return found.value.count == expected.utf8CodeUnitCount
            && memcmp(bytes.baseAddress! + found.value.lowerBound, expected.utf8Start, found.value.count) == 0
    }

    // MARK: Catch2's elements, as Catch2Format.parseXML reads their events

    private static let elements: [(StaticString, Element)] = [
        ("TestCase", .testCase), ("Section", .section), ("BenchmarkResults", .benchmarkResults), ("mean", .mean), ("failed", .failed),
        ("Expression", .expression), ("Original", .original), ("Exception", .exception), ("FatalErrorCondition", .fatalErrorCondition),
        ("Failure", .failure), ("OverallResult", .overallResult), ("OverallResultsCases", .overallResultsCases), ("Catch", .catchRoot),
        ("Catch2TestRun", .catchRoot),
    ]

    private static func element(_ bytes: UnsafeBufferPointer<UInt8>, _ name: Range<Int>) -> Element {
        for (known, element) in elements where known.utf8CodeUnitCount == name.count
            && memcmp(bytes.baseAddress! + name.lowerBound, known.utf8Start, name.count) == 0 {
            return element
        }
        return .other
    }

    /// A start tag; `false` where the event reader's caller refuses the file.
    private mutating func start(_ element: Element, isRoot: Bool) -> Bool {
        if isRoot {
            // The first event must open the root; every later root is refused as a second one.
            guard !sawRoot, element == .catchRoot else { return false }
            sawRoot = true
        }
        switch element {
        case .testCase:
            guard current == nil else { return false }
            current = Catch2Format.TestCase(path: [value("name") ?? ""])
        case .section:
            let name = value("name") ?? ""
            current?.path.append(name)
        case .benchmarkResults:
            guard current != nil, let name = value("name") else { return false }
            benchmark = (name, nil, nil)
        case .mean where benchmark != nil:
            guard let mean = number(attribute("value")) else { return false }
            benchmark?.mean = mean
        case .failed where benchmark != nil:
            let message = value("message") ?? "no message"
            benchmark?.failed = message
        case .expression where value("success", is: "false"):
            expression = (value("type") ?? "assertion", "\(value("filename") ?? "?"):\(value("line") ?? "?")", nil)
        case .original:
            inOriginal = expression != nil
        case .exception:
            if problem == nil { problem = "an unexpected exception" }
        case .failure:
            if problem == nil { problem = "FAIL()" }
        case .fatalErrorCondition:
            if problem == nil { problem = "a fatal error (signal)" }
        case .overallResult:
            if value("success", is: "false") { current?.failure = problem ?? "Catch2 reported it failed" }
        case .overallResultsCases:
            sawFinish = true
        default:
            break
        }
        return true
    }

    /// An end tag (or the end of an empty-element tag); `false` where the caller refuses the file.
    private mutating func end(_ element: Element) -> Bool {
        switch element {
        case .section:
            if let count = current?.path.count, count > 1 { current?.path.removeLast() }
        case .benchmarkResults:
            guard let finished = benchmark, let testCase = current else { break }
            let name = testCase.name(finished.name)
            if let message = finished.failed {
                current?.thrown.append(BenchmarkFailure(benchmark: name, reason: "the benchmark threw: \(message)"))
            } else if let mean = finished.mean {
                current?.measured.append(Catch2Format.Measured(name: name, meanNanoseconds: mean))
            } else {
                return false
            }
            benchmark = nil
        case .original:
            inOriginal = false
        case .expression:
            if let failed = expression, problem == nil { problem = "\(failed.type)( \(failed.original ?? "") ) at \(failed.place)" }
            expression = nil
        case .testCase:
            guard let finished = current else { return false }
            cases.append(finished)
            current = nil
            problem = nil
        default:
            break
        }
        return true
    }

    /// Text inside the root: only an `<Original>`'s is read.
    private mutating func text(_ range: Range<Int>) -> Bool {
        guard inOriginal else { return true }
        let hasEntity = bytes[range].contains(UInt8(ascii: "&"))
        let original = decoded(range, hasEntity: hasEntity).trimmingCharacters(in: .whitespacesAndNewlines)
        expression?.original = original
        return true
    }

    /// `Double(value)` of a `<mean value>`: plain decimals (`243.149`, `3.2896e+06`) from their
    /// bytes through ``DecimalLiteral``'s exact path, anything else through `Double(String)` itself.
    private func number(_ attribute: Attribute?) -> Double? {
        guard let attribute else { return nil }
        if !attribute.hasEntity, let exact = Self.plainDecimal(UnsafeBufferPointer(rebasing: bytes[attribute.value])) { return exact }
        return Double(decoded(attribute.value, hasEntity: attribute.hasEntity))
    }

    /// `-?digits(.digits)?([eE][+-]?digits)?` read exactly, or `nil` (for `Double(String)` to read).
    static func plainDecimal(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        var position = 0
        let negative = position < bytes.count && bytes[position] == UInt8(ascii: "-")
        if negative { position += 1 }
        var literal = DecimalLiteral()
        func digits(into literal: inout DecimalLiteral, fraction: Bool) -> Int {
            let start = position
            while position < bytes.count, TextBytes.isDigit(bytes[position]) {
                literal.append(bytes[position] &- UInt8(ascii: "0"), fraction: fraction)
                position += 1
            }
            return position - start
        }
        guard digits(into: &literal, fraction: false) > 0 else { return nil }
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            position += 1
            guard digits(into: &literal, fraction: true) > 0 else { return nil }
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            position += 1
            var sign = 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                sign = bytes[position] == UInt8(ascii: "-") ? -1 : 1
                position += 1
            }
            var power = DecimalLiteral()
            guard digits(into: &power, fraction: false) > 0 else { return nil }
            literal.addExponent(power, sign: sign)
        }
        guard position == bytes.count, let exact = literal.exactValue else { return nil }
        return negative ? -exact : exact
    }
}
