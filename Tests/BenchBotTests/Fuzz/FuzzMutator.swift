import Compare
import Foundation

/// Mutations of valid inputs: what a truncated upload, a flipped bit, a tool's bug or a hostile
/// user makes of a file. Each case applies one to four of them.
enum FuzzMutator {
    /// Numbers at and past the edges of a double, and of the integers a conversion could trap on.
    static let extremeNumbers = [
        "1.7976931348623157e308", "-1.7976931348623157e308", "5e-324", "-5e-324", "1e999", "-1e999", "-0", "-0.0", "1e-400",
        "1e+99999999999", "-1e+99999999999", "18446744073709551616", "9223372036854775808", "-9223372036854775809",
        "9223372036854775807", "1e15", "1e100", "1e101", "2.2250738585072014e-308", "0.000000000000000000000000000001",
        "1" + String(repeating: "0", count: 400), "0." + String(repeating: "0", count: 400) + "1", "1E308", "1e-7",
    ]

    /// Text that breaks containers: control characters, markup, quoting, and the odd Unicode.
    static let hostileStrings = [
        "\u{1B}[31mred\u{1B}[0m", "\u{0}", "\u{1}\u{2}\u{7}\u{8}", "\n", "\r\n", "\t", "\u{7F}", "\u{85}", "\u{2028}", "\u{FFFE}", "\u{FFFF}",
        "`", "``", "|", "\\|", "\\", "\"", "'", "<script>alert(1)</script>", "<!--", "]]>", "&amp;", "&", "<", ">", "*bold*", "_it_",
        "<https://x|y>", "@channel", "refs/heads/../x", "-rf", "@{", "..", "x.lock", "é", "🚀", "\u{202E}", "\u{0301}", "%s%n",
    ]

    static func mutate(_ input: Data, corpus: [Data], random: inout SplitMix64) -> Data {
        var bytes = [UInt8](input)
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            switch Int.random(in: 0..<10, using: &random) {
            case 0:
                // A truncation, as of a file cut by a full disk or a killed writer.
                bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &random)))
            case 1:
                for _ in 0..<Int.random(in: 1...8, using: &random) where !bytes.isEmpty {
                    bytes[Int.random(in: 0..<bytes.count, using: &random)] ^= UInt8(1 << Int.random(in: 0..<8, using: &random))
                }
            case 2:
                if !bytes.isEmpty { bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random) }
            case 3:
                // A splice: this input's start, another's end.
                let other = [UInt8](corpus.randomElement(using: &random) ?? Data())
                bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &random)))
                    + Array(other.suffix(Int.random(in: 0...other.count, using: &random)))
            case 4, 5:
                // An extreme number in place of a number: the structure stays valid, so the check goes deep.
                replaceNumber(in: &bytes, with: extremeNumbers.randomElement(using: &random)!, random: &random)
            case 6:
                insert(Array(extremeNumbers.randomElement(using: &random)!.utf8), into: &bytes, random: &random)
            case 7:
                // Hostile text inside a string, where names and subjects are.
                replaceInsideString(in: &bytes, with: hostileStrings.randomElement(using: &random)!, random: &random)
            case 8:
                let unit = hostileStrings.randomElement(using: &random)! + "a"
                insert(Array(String(repeating: unit, count: Int.random(in: 1...2000, using: &random)).utf8), into: &bytes, random: &random)
            default:
                // A repeated chunk: duplicated keys, doubled lines, deeper nesting.
                guard !bytes.isEmpty else { continue }
                let start = Int.random(in: 0..<bytes.count, using: &random)
                let end = min(bytes.count, start + Int.random(in: 1...200, using: &random))
                let chunk = Array(bytes[start..<end])
                for _ in 0..<Int.random(in: 1...20, using: &random) { bytes.insert(contentsOf: chunk, at: start) }
            }
        }
        return Data(bytes)
    }

    static func insert(_ text: [UInt8], into bytes: inout [UInt8], random: inout SplitMix64) {
        bytes.insert(contentsOf: text, at: Int.random(in: 0...bytes.count, using: &random))
    }

    /// Replaces one run of number characters with `number`, or inserts it where there is none.
    static func replaceNumber(in bytes: inout [UInt8], with number: String, random: inout SplitMix64) {
        func isNumeric(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) || byte == 0x2E || byte == 0x2D || byte == 0x65 || byte == 0x45 || byte == 0x2B }
        let starts = bytes.indices.filter { (0x30...0x39).contains(bytes[$0]) && ($0 == 0 || !isNumeric(bytes[$0 - 1])) }
        guard let start = starts.randomElement(using: &random) else {
            insert(Array(number.utf8), into: &bytes, random: &random)
            return
        }
        var end = start
        while end < bytes.count, isNumeric(bytes[end]) { end += 1 }
        let from = start > 0 && bytes[start - 1] == 0x2D ? start - 1 : start
        bytes.replaceSubrange(from..<end, with: Array(number.utf8))
    }

    /// Puts `text` just after an opening quote, escaped as JSON would carry it half the time.
    static func replaceInsideString(in bytes: inout [UInt8], with text: String, random: inout SplitMix64) {
        let quotes = bytes.indices.filter { bytes[$0] == 0x22 }
        let payload = Bool.random(using: &random) ? String(JSONTextForTests.escaped(text).dropFirst().dropLast()) : text
        guard let quote = quotes.randomElement(using: &random) else {
            insert(Array(payload.utf8), into: &bytes, random: &random)
            return
        }
        bytes.insert(contentsOf: Array(payload.utf8), at: quote + 1)
    }

    /// A random name of the kind benchmarks, branches and subjects can have.
    static func hostileName(random: inout SplitMix64) -> String {
        var name = ""
        for _ in 0..<Int.random(in: 0...5, using: &random) {
            switch Int.random(in: 0..<4, using: &random) {
            case 0: name += hostileStrings.randomElement(using: &random)!
            case 1: name += String(repeating: "x", count: Int.random(in: 1...400, using: &random))
            case 2: name += String(UnicodeScalar(UInt8.random(in: 0...127, using: &random)))
            default: name += ["parse", "render/1024", "a.b.c", "name[size=1]", "résumé"].randomElement(using: &random)!
            }
        }
        return name
    }

    /// A finite sample, ordinary most of the time and extreme some of the time.
    static func sample(random: inout SplitMix64) -> Double {
        switch Int.random(in: 0..<6, using: &random) {
        case 0: Double(extremeNumbers.randomElement(using: &random)!).flatMap { $0.isFinite ? $0 : nil } ?? .greatestFiniteMagnitude
        case 1: [Double.greatestFiniteMagnitude, -.greatestFiniteMagnitude, .leastNonzeroMagnitude, -0.0, 0].randomElement(using: &random)!
        default: Double.random(in: 1...1000, using: &random)
        }
    }
}

/// JSON string escaping for the mutator, independent of the code under test.
enum JSONTextForTests {
    static func escaped(_ text: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: [text], options: [.fragmentsAllowed])) ?? Data("[\"\"]".utf8)
        return String(String(decoding: data, as: UTF8.self).dropFirst().dropLast())
    }
}
