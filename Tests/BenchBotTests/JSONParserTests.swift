@testable import BenchBot
import Foundation
import Testing

@Suite("JSON parser")
struct JSONParserTests {
    /// JSONSerialization's reading of the same bytes, as a JSONValue, to compare against.
    static func reference(_ object: Any) -> JSONValue {
        switch object {
        case let dictionary as [String: Any]: .object(dictionary.mapValues(reference))
        case let array as [Any]: .array(array.map(reference))
        case let string as String: .string(string)
        case is NSNull: .null
        case let number as NSNumber:
            // Foundation on Linux reads true and false as NSNumber; its objCType tells them apart.
            String(cString: number.objCType) == "c" ? .bool(number.boolValue) : .number(number.doubleValue)
        default: .null
        }
    }

    static func difference(_ a: JSONValue, _ b: JSONValue, path: String = "") -> String? {
        switch (a, b) {
        case (.object(let x), .object(let y)):
            guard Set(x.keys) == Set(y.keys) else { return "\(path): keys \(x.keys.sorted()) vs \(y.keys.sorted())" }
            return x.keys.sorted().lazy.compactMap { difference(x[$0]!, y[$0]!, path: "\(path).\($0)") }.first
        case (.array(let x), .array(let y)):
            guard x.count == y.count else { return "\(path): \(x.count) vs \(y.count) items" }
            return zip(x, y).enumerated().lazy.compactMap { difference($1.0, $1.1, path: "\(path)[\($0)]") }.first
        case (.number(let x), .number(let y)):
            // Foundation on Linux can be an ulp off (it reads 0.014992543800000003 as …04); Swift's Double(String) is exact.
            return abs(x - y) <= 4 * max(abs(x), abs(y)).ulp ? nil : "\(path): \(x) vs \(y)"
        default:
            return a == b ? nil : "\(path): \(a) vs \(b)"
        }
    }

    @Test("every JSON fixture parses to what JSONSerialization reads")
    func agreesWithFoundation() throws {
        let folder = ((#filePath as NSString).deletingLastPathComponent as NSString).appendingPathComponent("Fixtures/formats")
        let files = FileManager.default.enumerator(atPath: folder)!.compactMap { $0 as? String }.filter { $0.hasSuffix(".json") }
        #expect(files.count >= 10)
        for file in files {
            let data = try Data(contentsOf: URL(fileURLWithPath: (folder as NSString).appendingPathComponent(file)))
            let expected = Self.reference(try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]))
            let difference = Self.difference(try JSONValue.parse(data), expected)
            #expect(difference == nil, "\(file): first difference at \(difference ?? "-")")
        }
    }

    @Test("numbers are read exactly, to the last bit")
    func exactNumbers() throws {
        #expect(try JSONValue.parse(Data("[0.014992543800000003, 1.0189422917442138e+09]".utf8)) == .array([.number(0.014992543800000003), .number(1018942291.7442138)]))
    }

    @Test("escapes, surrogate pairs, numbers and literals")
    func values() throws {
        let text = #"{"s": "a\"b\\c\/d\n\u00e9\ud83d\ude00", "n": [-0.5, 1e3, 2E-2, 0, 12], "t": true, "f": false, "z": null, "u": "ünï"}"#
        let value = try JSONValue.parse(Data(text.utf8))
        #expect(value["s"] == .string("a\"b\\c/d\né😀"))
        #expect(value["n"] == .array([.number(-0.5), .number(1000), .number(0.02), .number(0), .number(12)]))
        #expect(value["t"] == .bool(true) && value["f"] == .bool(false) && value["z"] == .null && value["u"] == .string("ünï"))
    }

    @Test("malformed documents are refused with where they break", arguments: [
        ("{\"a\": 1,}", 1, 9), ("[1 2]", 1, 4), ("{\"a\": 1} x", 1, 10), ("\"tab\there\"", 1, 5), ("[01x]", 1, 4),
        ("{\"a\": NaN}", 1, 7), ("[1.]", 1, 4), ("\"\\q\"", 1, 2), ("\"\\ud800\"", 1, 8), ("{\"a\"\n: [1,\n", 3, 1), ("", 1, 1),
    ])
    func malformed(text: String, line: Int, column: Int) {
        #expect { try JSONValue.parse(Data(text.utf8)) } throws: { error in
            guard let syntax = error as? JSONSyntaxError else { return false }
            return (syntax.line == line && syntax.column == column) || { Issue.record("\(text): \(syntax)"); return false }()
        }
    }

    @Test("nesting deeper than the limit is an error, not a crash")
    func deepNesting() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect { try JSONValue.parse(Data(deep.utf8)) } throws: { "\($0)".contains("nested more than 512 levels") }
        let fine = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        #expect(throws: Never.self) { try JSONValue.parse(Data(fine.utf8)) }
    }

    @Test("a string's plain run ends where a byte-by-byte look ends it, for every byte at every place in a word")
    func plainRunEndsWhereBytesSay() {
        func slowEnd(_ bytes: [UInt8], from start: Int) -> Int {
            bytes[start...].firstIndex { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") || $0 < 0x20 } ?? bytes.count
        }
        var generator = SystemRandomNumberGenerator()
        // Plain bytes, including the neighbours of the three kinds of end (0x21, 0x23, 0x5B, 0x5D, 0x20, 0x80 and up).
        let plain: [UInt8] = [0x20, 0x21, 0x23, 0x41, 0x5B, 0x5D, 0x7F, 0x80, 0xC3, 0xFF]
        for length in 0...24 {
            for place in 0..<max(length, 1) {
                for special in 0...255 {
                    var bytes = (0..<length).map { _ in plain.randomElement(using: &generator)! }
                    if place < length { bytes[place] = UInt8(special) }
                    for start in [0, min(1, length), min(3, length)] {
                        let fast = bytes.withUnsafeBytes { JSONParser.plainEnd(of: $0, from: start) }
                        #expect(fast == slowEnd(bytes, from: start), "bytes \(bytes) from \(start)")
                        if fast != slowEnd(bytes, from: start) { return }
                    }
                }
            }
        }
    }
}
