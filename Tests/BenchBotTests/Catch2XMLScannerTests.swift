@testable import BenchBot
import Foundation
import Testing

/// Catch2's XML scanner answers as the event reader does, wherever it answers at all.
@Suite("catch2: the XML scanner agrees with the event reader")
struct Catch2XMLScannerTests {
    private static let context = FormatContext(file: "f", format: .catch2)

    private static let xmlFixtures = ["catch2/xml.2.13.10.xml", "catch2/sections.2.13.10.xml", "catch2/failing.2.13.10.xml", "catch2/xml-v3.from-docs.xml"]

    /// Names with every entity form, a failed assertion whose text a comment splits (the last part is kept), and single quotes.
    private static let handMade = """
        <?xml version="1.0" encoding="UTF-8"?>
        <Catch2TestRun name='b' rng-seed="1">
          <TestCase name="vector&lt;int&gt; &amp; &quot;more&quot; &apos;q&apos; &#233;&#x41;" filename="a.cpp" line="1">
            <Section name="é &#x1F680;">
              <BenchmarkResults name="push&#32;back" samples="2"><!--x--><mean value="1.5e+03" lowerBound="1"/></BenchmarkResults>
              <BenchmarkResults name="odd mean"><mean value="+7"/></BenchmarkResults>
            </Section>
            <Expression success="false" type="CHECK" filename="a.cpp" line="9"><Original>
                a &lt; b<!--c--> x
              </Original></Expression>
            <OverallResult success="false"/>
          </TestCase>
          <TestCase name="t2"><BenchmarkResults name="b"><failed message="it &amp; threw"/></BenchmarkResults><Exception/>
            <OverallResult success="true"/></TestCase>
          <TestCase name="t3"><BenchmarkResults name="ok"><mean value="12"/></BenchmarkResults><OverallResult success="true"/></TestCase>
          <OverallResultsCases successes="1" failures="1"/>
        </Catch2TestRun>

        """

    @Test("the real reports and mutations of them: the same results, or the event reader's error")
    func agreesWithEventReader() async throws {
        let seeds = try Self.xmlFixtures.map { try FormatTests.fixture($0) } + [Data(Self.handMade.utf8)]
        // The scanner reads every real report itself: otherwise this test would check nothing.
        for seed in seeds { #expect(Catch2XMLScanner.testCases(seed) != nil) }
        let outcome = await ByteReaderOracle.check(
            seeds: seeds, cases: 3000,
            withShortcut: { data in ByteReaderOracle.answer { () throws(FormatError) in try Catch2Format.parse(data, Self.context, scanXML: true) } },
            oracle: { data in ByteReaderOracle.answer { () throws(FormatError) in try Catch2Format.parse(data, Self.context, scanXML: false) } },
            answers: { Catch2XMLScanner.testCases($0) != nil })
        #expect(outcome.disagreement == nil, "\(outcome.disagreement ?? "")")
        #expect(outcome.answered > 100, "the scanner answered \(outcome.answered) of \(outcome.checked)")
    }

    @Test("the hand-made report's names, entities and failures, read by the scanner")
    func handMadeReport() throws {
        let parsed = try Catch2Format.parse(Data(Self.handMade.utf8), Self.context, scanXML: true)
        #expect(parsed.results.map(\.benchmark) == ["t3/ok"])
        #expect(parsed.failures.map(\.benchmark) == [
            "vector<int> & \"more\" 'q' éA/é 🚀/push back", "vector<int> & \"more\" 'q' éA/é 🚀/odd mean", "t2/b",
        ])
        #expect(parsed.failures.first?.reason.hasSuffix("CHECK( x ) at a.cpp:9") == true, "\(parsed.failures)")
    }

    @Test("XML the scanner leaves to the event reader: it does not answer for it")
    func leavesOddXML() {
        let odd = [
            "<Catch><TestCase name=\"a\"/></Catch>",                                  // no totals
            "<Catch><TestCase name=\"a&bogus;\"/><OverallResultsCases/></Catch>",       // an unknown entity
            "<Catch><TestCase name=\"a\" name=\"b\"/><OverallResultsCases/></Catch>",   // an attribute twice
            "<Catch><Té/><OverallResultsCases/></Catch>",                               // a name beyond ASCII
            "<Catch><OverallResultsCases/></Catch><Catch/>",                            // a second root
            "<!DOCTYPE x><Catch><OverallResultsCases/></Catch>",
        ]
        for text in odd { #expect(Catch2XMLScanner.testCases(Data(text.utf8)) == nil, "\(text)") }
        #expect(Catch2XMLScanner.testCases(Data("<Catch><OverallResultsCases/></Catch>".utf8)) != nil)
    }
}
