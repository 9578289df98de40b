@testable import BenchBot
import Compare
import Testing

/// The results the text readers build field by field are the results `BenchmarkResult.init` builds.
@Suite("parser speed: results built in place")
struct ResultBufferTests {
    @Test("ResultBuffer stores every stored property of BenchmarkResult: one added there must be added to it")
    func coversEveryStoredProperty() {
        let result = BenchmarkResult(benchmark: "b", unit: "ns", direction: .lowerIsBetter, samples: [1])
        #expect(Swift.Mirror(reflecting: result).children.map(\.label) == ResultBuffer.storedProperties.map(Optional.some))
    }

    @Test("appended results, through growth, are the results the initializer builds, in order")
    func appendsAsTheInitializerBuilds() {
        var buffer = ResultBuffer(capacity: 0)
        var expected: [BenchmarkResult] = []
        let parameters = ["target": "benches/a.rs"]
        for index in 0..<1_000 {
            let name = index.isMultiple(of: 3) ? "n\(index)" : "a long benchmark name, kept on the heap, \(index)"
            let direction: Direction = index.isMultiple(of: 2) ? .lowerIsBetter : .higherIsBetter
            let chosen = index.isMultiple(of: 5) ? [:] : parameters
            buffer.append(benchmark: name, parameters: chosen, unit: "ns", direction: direction, samples: [Double(index)])
            expected.append(BenchmarkResult(benchmark: name, parameters: chosen, unit: "ns", direction: direction, samples: [Double(index)]))
        }
        #expect(buffer.count == 1_000)
        #expect(Array(buffer.inPlace) == expected)
        #expect(buffer.take() == expected)
        #expect(buffer.isEmpty)
    }
}
