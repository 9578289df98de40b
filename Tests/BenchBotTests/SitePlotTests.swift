@testable import BenchBot
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// The plots as a reader sees them: human units on round ticks, dated commit ticks that never
/// overlap, exact tooltip data, labelled change marks, the noise band, and honest decimation.
@Suite("Site plots")
struct SitePlotTests {
    /// The texts of a plot's tick groups, with their positions, and its circles and tooltips.
    final class PlotReader: NSObject, XMLParserDelegate {
        var yTicks: [String] = [], xTicks: [(x: Double, text: String, anchor: String)] = [], unitLabel = ""
        var circles: [(cx: Double, value: Double)] = [], tips = "", changeLabels: [String] = [], noise = false
        private var group = "", inText = false, text = "", textX = 0.0, textClass = "", anchor = ""
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            switch name {
            case "svg": tips = attributes["data-tips"] ?? ""
            case "g": group = attributes["class"] ?? ""
            case "text":
                inText = true; text = ""; textX = Double(attributes["x"] ?? "") ?? 0; textClass = attributes["class"] ?? ""
                anchor = attributes["text-anchor"] ?? "middle"
            case "circle": circles.append((Double(attributes["cx"] ?? "") ?? 0, Double(attributes["data-value"] ?? "") ?? .nan))
            case "rect" where attributes["class"] == "noise": noise = true
            default: break
            }
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) { if inText { text += string } }
        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            guard name == "text" else { return }
            inText = false
            if textClass == "unit" { unitLabel = text } else if textClass == "change" { changeLabels.append(text) }
            else if group == "ticks y" { yTicks.append(text) } else if group == "ticks x" { xTicks.append((textX, text, anchor)) }
        }
    }

    static func read(_ svg: String) throws -> PlotReader {
        let parser = XMLParser(data: Data(svg.utf8)), reader = PlotReader()
        parser.delegate = reader
        #expect(parser.parse(), "the plot is well-formed XML: \(parser.parserError.map { "\($0)" } ?? "")")
        return reader
    }

    static func points(_ count: Int, value: (Int) -> Double) -> [SVGPlot.Point] {
        let start = Date(timeIntervalSince1970: 1_764_000_000)
        return (0..<count).map { index in
            let hex = String(repeating: "0", count: 40 - String(index, radix: 16).count) + String(index, radix: 16)
            return SVGPlot.Point(commit: hex, label: "commit number \(index)", median: value(index), minimum: value(index) * 0.99, maximum: value(index) * 1.01,
                                 link: "../commit/\(hex).html", time: start.addingTimeInterval(Double(index) * 3600), samples: 5)
        }
    }

    @Test("values in nanoseconds read in milliseconds on round ticks, with the unit above the axis; no e-notation anywhere")
    func humanUnitsOnRoundTicks() throws {
        let plot = SVGPlot(id: "p", title: "loop", unit: "ns", points: Self.points(30) { 6.51e7 + Double($0 % 7) * 3e5 })
        let svg = plot.svg(), reader = try Self.read(svg)
        #expect(reader.unitLabel == "ms", "\(reader.unitLabel)")
        #expect(!svg.contains("e+") && !svg.contains("e-0"), "no e-notation: \(svg.prefix(2000))")
        let ticks = reader.yTicks.compactMap(Double.init)
        #expect(ticks.count == reader.yTicks.count && ticks.count >= 3, "\(reader.yTicks)")
        let steps = zip(ticks, ticks.dropFirst()).map { $1 - $0 }
        #expect(steps.allSatisfy { abs($0 - steps[0]) < 1e-9 }, "evenly spaced: \(ticks)")
        // A step of 1, 2 or 5 × a power of ten.
        let mantissa = steps[0] / pow(10, log10(steps[0]).rounded(.down))
        #expect([1, 2, 5, 10].contains { abs(mantissa - $0) < 1e-9 }, "round step: \(steps[0])")
        #expect(ticks.first! <= 65.1 && ticks.last! >= 66.9 || ticks.contains { $0 >= 65 && $0 <= 67 }, "\(ticks)")
    }

    @Test("dated x ticks carry a date and a short commit, and never overlap, from 2 to 10,000 points")
    func xTicksNeverOverlap() throws {
        for count in [2, 7, 40, 300, 10_000] {
            let reader = try Self.read(SVGPlot(id: "p", title: "t", unit: "ns", points: Self.points(count) { 100 + Double($0 % 5) }).svg())
            #expect(!reader.xTicks.isEmpty, "\(count) points have x ticks")
            for tick in reader.xTicks {
                #expect(tick.text.range(of: #"^\d{4}-\d{2}-\d{2}[0-9a-f]{7}$"#, options: .regularExpression) != nil, "date and commit: \(tick.text)")
            }
            // The longer line is ten characters; at most 0.66 em each at 10 units a line.
            let width = 10 * 0.66 * 10.0
            let spans = reader.xTicks.map { tick in
                tick.anchor == "start" ? (tick.x, tick.x + width) : tick.anchor == "end" ? (tick.x - width, tick.x) : (tick.x - width / 2, tick.x + width / 2)
            }
            for (a, b) in zip(spans, spans.dropFirst()) {
                #expect(b.0 >= a.1, "\(count) points: tick labels at \(a) and \(b) overlap")
            }
            #expect(spans.allSatisfy { $0.0 >= 0 && $0.1 <= 720 }, "inside the plot: \(spans)")
            #expect(reader.xTicks.count >= min(count, 2), "the oldest and the newest are labelled: \(reader.xTicks.map(\.text))")
        }
    }

    @Test("10,000 points: each column draws its lowest and highest, every change point is kept, and each tooltip is a real commit's exact values")
    func honestDecimation() throws {
        let count = 10_000, changeAt = 4_321
        let points = Self.points(count) { index in (index >= changeAt ? 2000 : 1000) + Double((index * 7919) % 97) }
        let spike = 9_999 - 17
        var spiky = points
        spiky[spike].median = 5000; spiky[spike].maximum = 5100; spiky[spike].minimum = 4900
        let plot = SVGPlot(id: "p", title: "t", unit: "ns", points: spiky, marks: [points[changeAt].commit: .regression],
                           markLabels: [points[changeAt].commit: "+100.0%"])
        let svg = plot.svg(), reader = try Self.read(svg)
        let columns = Int(SVGPlot.plotAreaWidth / SVGPlot.columnWidth)
        #expect(reader.circles.count <= 2 * columns + 1 && reader.circles.count > columns, "\(reader.circles.count) drawn")
        #expect(reader.circles.contains { $0.value == 5000 }, "a one-commit spike is never thinned away")
        #expect(reader.changeLabels == ["+100.0%"], "\(reader.changeLabels)")
        let tips = try #require(try JSONSerialization.jsonObject(with: Data(reader.tips.utf8)) as? [String: Any])
        #expect(tips["prefix"] as? String == "../commit/")
        let rows = try #require(tips["points"] as? [[Any]])
        #expect(rows.count == reader.circles.count)
        for (row, circle) in zip(rows, reader.circles) {
            let index = try #require(row[0] as? Int), commit = try #require(row[1] as? String)
            #expect(commit == spiky[index].commit && circle.value == spiky[index].median, "point \(index)")
        }
        #expect(rows.contains { ($0[1] as? String) == points[changeAt].commit }, "the change point is drawn")
        let spikeRow = try #require(rows.first { ($0[0] as? Int) == spike })
        #expect(spikeRow[4] as? String == "5 µs" && spikeRow[5] as? String == "4.9–5.1 µs" && spikeRow[6] as? Int == 5, "\(spikeRow)")
        #expect((spikeRow[2] as? String)?.hasPrefix("commit number") == true && (spikeRow[3] as? String)?.hasSuffix("UTC") == true, "\(spikeRow)")
        #expect(svg.utf8.count < 140_000, "one plot of 10,000 points is \(svg.utf8.count) bytes")
    }

    @Test("change marks are labelled with their size, unconfirmed ones grey; the noise band is drawn where known")
    func marksAndNoise() throws {
        let points = Self.points(20) { $0 >= 10 ? 200 : 100 }
        let plot = SVGPlot(id: "p", title: "t", unit: "instructions", points: points,
                           marks: [points[10].commit: .regression, points[15].commit: .improvement],
                           markLabels: [points[10].commit: "+100.0%", points[15].commit: "-3.0%"], unconfirmed: [points[15].commit], noise: 0.02)
        let svg = plot.svg(), reader = try Self.read(svg)
        #expect(reader.changeLabels.sorted() == ["+100.0%", "-3.0% (not confirmed)"], "\(reader.changeLabels)")
        #expect(svg.contains("stroke=\"\(SVGPlot.unconfirmedColour)\"") && svg.contains("stroke=\"\(SVGPlot.regressionColour)\""))
        #expect(reader.noise && svg.contains("noise ±2%"), "the noise band")
        #expect(!SVGPlot(id: "q", title: "t", unit: "ns", points: points).svg().contains("class=\"noise\""), "no band without a known noise")
    }
}
