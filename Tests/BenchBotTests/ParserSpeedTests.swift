@testable import BenchBot
import Foundation
import Testing

/// The byte-level shortcuts the parsers take for speed give what the slower, obvious code gave.
@Suite("parser speed: shortcuts that give the same answers")
struct ParserSpeedTests {
    /// Numbers as benchmark files print them, and the edges of the fast path (15 digits, 10^±22).
    static let numbers = [
        "0", "0.0", "1", "16", "6553600", "0.5", "1.5e-05", "2e-06", "9.95e+01", "1.0e+02", "66666.6", "0.015",
        "123456789012345", "1234567890123456", "12345678901234567890123", "0.1", "0.2", "0.30000000000000004",
        "1e22", "1e23", "1e-22", "1e-23", "4.35e-22", "9007199254740993", "1.7976931348623157e308", "5e-324",
        "2.2250738585072014e-308", "0.000001", "100.00000000000001", "3.141592653589793", "1E5", "1e+0", "1e0000",
        "0.0000000000000000000000000001", "123.456e-7", "98765.4321e3",
    ]

    @Test("a JSON number reads as the same double as Double(String) gives, fast path or not")
    func jsonNumbersExact() throws {
        var random = SystemRandomNumberGenerator()
        var texts = Self.numbers
        for _ in 0..<20_000 {
            let digits = String(UInt64.random(in: 0...999_999_999_999_999_999, using: &random)).prefix(Int.random(in: 1...19, using: &random))
            let point = Int.random(in: 0...digits.count, using: &random)
            var text = point == digits.count ? String(digits) : digits.prefix(point) + "." + digits.dropFirst(point)
            if text.hasPrefix(".") { text = "0" + text }
            if Bool.random(using: &random) { text += "e\(Int.random(in: -30...30, using: &random))" }
            texts.append(text)
        }
        for text in texts {
            let expected = try #require(Double(text))
            for signed in [text, "-" + text] {
                let want = signed.hasPrefix("-") ? -expected : expected
                guard case .array(let items) = try JSONValue.parse(Data("[\(signed)]".utf8)), case .number(let read)? = items.first else {
                    Issue.record("\(signed) is not read as a number")
                    continue
                }
                #expect(read.bitPattern == want.bitPattern, "\(signed): \(read), expected \(want)")
            }
        }
    }

    @Test("names are suspected of control characters, eight bytes at a time, exactly when a byte is below 0x20, 0x7F or 0xC2")
    func controlBytesByWords() {
        for length in 0..<40 {
            for place in 0..<max(length, 1) {
                for byte in [0x00, 0x09, 0x1F, 0x20, 0x41, 0x7E, 0x7F, 0x80, 0xC1, 0xC2, 0xC3, 0xFF] as [UInt8] {
                    var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: length)
                    if length > 0 { bytes[place] = byte }
                    let expected = bytes.contains { (byte: UInt8) -> Bool in byte < 0x20 || byte == 0x7F || byte == 0xC2 }
                    let suspected = bytes.withUnsafeBufferPointer { TextBytes.mayHoldControl($0) }
                    #expect(suspected == expected, "\(bytes)")
                }
            }
        }
    }

    @Test("runs of spaces, and names up to a space or a tab, end where a byte-by-byte walk ends them, from every start to every end")
    func runsByWords() {
        // Spaces around one other byte, at every place: the words' flags must find the first, never a later one or none.
        for length in 0..<30 {
            for place in 0...length {
                for byte in [0x00, 0x09, 0x0A, 0x1F, 0x21, 0x41, 0x7F, 0x80, 0xA0, 0xFF] as [UInt8] {
                    var spaces = [UInt8](repeating: TextBytes.space, count: length)
                    var names = [UInt8](repeating: UInt8(ascii: "a"), count: length)
                    if place < length {
                        spaces[place] = byte
                        names[place] = byte
                    }
                    // A blank after the place too, so that a flag above the first would show.
                    if place + 3 < length { names[place + 3] = TextBytes.space }
                    for start in [0, min(1, length), min(5, length)] {
                        for end in [length, max(start, length - 1), max(start, length - 7)] {
                            var walked = start
                            while walked < end, spaces[walked] == TextBytes.space { walked += 1 }
                            #expect(spaces.withUnsafeBufferPointer { TextBytes.skipSpaces($0, from: start, to: end) } == walked, "\(spaces) \(start)..<\(end)")
                            walked = start
                            while walked < end, !TextBytes.isBlank(names[walked]) { walked += 1 }
                            #expect(names.withUnsafeBufferPointer { TextBytes.firstBlank($0, from: start, to: end) } == walked, "\(names) \(start)..<\(end)")
                        }
                    }
                }
            }
        }
    }

    @Test("a repeated JSON field keeps its last value, in objects of every size")
    func repeatedFieldLastWins() throws {
        #expect(try JSONValue.parse(Data(#"{"a": 1, "b": {"c": [1, 2], "c": [3]}, "a": 2}"#.utf8))
                == .object(["a": .number(2), "b": .object(["c": .array([.number(3)])])]))
        let many = (0..<40).map { "\"k\($0 % 13)\": \($0)" }.joined(separator: ", ")
        let parsed = try JSONValue.parse(Data("{\(many)}".utf8))
        #expect(parsed == .object(Dictionary(uniqueKeysWithValues: (27..<40).map { ("k\($0 % 13)", JSONValue.number(Double($0))) })))
    }

    @Test("go-test reads a result line the same with -count repetitions, several units and names reused across packages")
    func goTestSeriesOrder() throws {
        let text = """
            pkg: a
            BenchmarkX-2   \t 1000\t 10 ns/op\t 16 B/op\t 1 allocs/op
            BenchmarkY-2   \t 1000\t 20 ns/op\t 3 compares/op
            BenchmarkX-2   \t 1000\t 11 ns/op\t 16 B/op\t 1 allocs/op
            BenchmarkY-2   \t 1000\t 21 ns/op\t 4 compares/op\t 5 MB/s
            PASS
            ok  \ta\t1.0s
            pkg: b
            BenchmarkX-2   \t 1000\t 30 ns/op
            PASS
            ok  \tb\t1.0s

            """
        let parsed = try BenchmarkFormat.goTest.parse(Data(text.utf8), file: "go.txt")
        let series = parsed.results.map { "\($0.displayName) \($0.unit) \($0.samples)" }
        #expect(series == [
            "BenchmarkX[pkg=a,procs=2] ns [10.0, 11.0]", "BenchmarkX.bytes_per_op[pkg=a,procs=2] B [16.0, 16.0]",
            "BenchmarkX.allocs_per_op[pkg=a,procs=2] allocs [1.0, 1.0]", "BenchmarkY[pkg=a,procs=2] ns [20.0, 21.0]",
            "BenchmarkY.compares_per_op[pkg=a,procs=2] compares/op [3.0, 4.0]", "BenchmarkY.throughput[pkg=a,procs=2] MB/s [5.0]",
            "BenchmarkX[pkg=b,procs=2] ns [30.0]",
        ])
    }

    @Test("trimming and finding by bytes give what Foundation's trimmingCharacters(in: .whitespaces) and range(of:) give")
    func foundationEquivalents() {
        let texts = ["", " ", "\t a b \t", "\u{A0}x\u{3000}", " \u{301}b ", "test x ... bench:  1,234 ns/iter", "a ... b ... c", "é ... ",
                     "name x 1,234 ops/sec \u{B1}0.50% (92 runs sampled)", "Benchmarking a: b: Analyzing", "   time:   [1 ns 2 ns 3 ns]"]
        for text in texts {
            #expect(text.trimmingWhitespace == text.trimmingCharacters(in: .whitespaces), "\(text.debugDescription)")
            #expect(Substring(text).trimmingWhitespace == text.trimmingCharacters(in: .whitespaces), "\(text.debugDescription)")
            for pattern in [" ... ", "bench:", " x ", " ops/sec \u{B1}", ": ", "time:", "zz"] {
                #expect(text.byteRange(of: pattern) == text.range(of: pattern), "\(pattern) in \(text.debugDescription)")
                #expect(text.byteRange(of: pattern, backwards: true) == text.range(of: pattern, options: .backwards), "last \(pattern) in \(text.debugDescription)")
            }
        }
    }
}
