import Compare
import Foundation

/// A series as an SVG line plot: a benchmark over commits, a score, a sensor over an experiment's
/// seconds. Values are in human units, one scale per plot (``HumanUnits``), on ticks at round
/// values; commits carry dated x ticks with their short hash, thinned by their width so that none
/// overlap. Each drawn point carries its tooltip (commit, subject, date, median, spread, samples)
/// for `plot.js`, which shows it on hover or arrow keys and opens the commit on click or Enter.
/// Change points are marked and labelled with their size in colour-blind safe colours (Okabe–Ito
/// vermillion for a regression, blue for an improvement; grey when a paired run did not confirm
/// it), and the band of the benchmark's run-to-run noise, where known, is drawn around its newest
/// level. Colours follow `currentColor`, so light and dark pages both read. A value with no I/O.
///
/// A long history is decimated honestly: per column of ``columnWidth`` units, only the lowest and
/// highest medians are drawn, with the column's whole spread, and every change point is kept; each
/// drawn point is a real commit with its exact values.
struct SVGPlot: Sendable {
    struct Point: Sendable, Hashable {
        var commit: String
        /// What its tooltip says of it (a commit's subject); ``SVGPlot/caption`` can give it instead.
        var label: String = ""
        var median: Double
        var minimum: Double
        var maximum: Double
        /// The point's page, relative to the page the plot is on.
        var link: String? = nil
        /// When the commit was made: with it, x ticks are dated.
        var time: Date? = nil
        var samples: Int? = nil
    }

    enum Mark: String, Sendable, Hashable {
        case regression, improvement
    }

    /// Unique on its page: names the plot's clipping area.
    var id: String
    var title: String
    var unit: String
    var points: [Point]
    /// Change points by commit.
    var marks: [String: Mark] = [:]
    /// What the points are, along the horizontal axis, when they are not dated commits.
    var xLabel = "commits, oldest to newest"
    /// Each mark's label (its size, `+112%`), by commit.
    var markLabels: [String: String] = [:]
    /// Marks a paired run did not confirm: drawn grey.
    var unconfirmed: Set<String> = []
    /// The relative run-to-run noise (0.03 for ±3%) around the newest median, where known.
    var noise: Double?
    /// Each point's label and link by index, made only for the points drawn, in place of the
    /// points' own: a plot of 10,000 commits draws a few hundred, and making every point's text
    /// cost more than the drawing.
    var caption: (@Sendable (Int) -> (label: String, link: String?))? = nil
    var width = 720.0
    var height = 280.0

    static let regressionColour = "#D55E00"
    static let improvementColour = "#0072B2"
    static let unconfirmedColour = "#888888"
    /// Units of width per decimation column: two points (its lowest and highest) per column.
    static let columnWidth = 3.0
    static let tickFontSize = 10.0
    /// A generous average glyph width of sans-serif digits and letters, in ems (DejaVu Sans' digits are 0.636).
    static let glyphWidth = 0.66
    /// Subjects in tooltips are cut to this many characters.
    static let subjectLength = 80

    private var margin: (left: Double, right: Double, top: Double, bottom: Double) { Self.margins }
    private static let margins = (left: 58.0, right: 14.0, top: 24.0, bottom: 40.0)
    /// The width of a default plot's data area, in which points are decimated.
    static let plotAreaWidth = 720.0 - margins.left - margins.right

    func svg() -> String {
        let plotWidth = width - margin.left - margin.right, plotHeight = height - margin.top - margin.bottom
        // Each mark's point, found by comparing commits: hashing every point's commit costs more.
        let marked = Set(marks.keys.compactMap { commit in points.indices.last { points[$0].commit == commit } })
        let drawn = Self.decimate(points.count, columns: Int(plotWidth / Self.columnWidth), keep: marked) { points[$0].median }
        let newest = points.last?.median
        // The noise is a spread of log ratios: as far below the newest median (÷) as above it (×).
        let band = noise.flatMap { noise in newest.map { ($0 / (1 + noise), $0 * (1 + noise)) } }
        var finite: [Double] = []
        finite.reserveCapacity(points.count * 3 + 2)
        // By index: copying a point retains its strings (``SVGPlot+Scale.swift``'s `columnSpread` says more).
        for index in points.indices {
            for value in [points[index].minimum, points[index].maximum, points[index].median] where value.isFinite { finite.append(value) }
        }
        if let band { finite += [band.0, band.1].filter(\.isFinite) }
        // The scale needs only the largest magnitude: handing `HumanUnits` the whole series costs
        // a generic call per value across modules, a fifth of a site update at 10,000 commits.
        var largest = 0.0
        for value in finite { largest = max(largest, abs(value)) }
        let scale = HumanUnits(unit: unit, values: CollectionOfOne(largest))
        let axis = YAxis(finite: finite, divisor: scale.divisor)
        func x(_ index: Int) -> Double {
            points.count <= 1 ? margin.left + plotWidth / 2 : margin.left + plotWidth * Double(index) / Double(points.count - 1)
        }
        func y(_ value: Double) -> Double {
            let scaled = value / scale.divisor
            let clamped = min(max(scaled.isNaN ? axis.low : scaled, axis.low), axis.high)
            return margin.top + plotHeight * (1 - (clamped / 2 - axis.low / 2) / axis.halfRange)
        }
        func number(_ value: Double) -> String { NumberText.fixed(value, decimals: 1, trimmingZeros: false) }
        // A bare count scaled to thousands reads `count (k)`, its ticks `1.2`.
        let shownUnit = scale.unit.isEmpty ? (unit.isEmpty ? "value" : unit)
            : (unit == "count" || unit.isEmpty) ? "\(unit.isEmpty ? "value" : unit) (\(scale.unit))" : scale.unit

        var out = """
            <svg xmlns="http://www.w3.org/2000/svg" class="plot" viewBox="0 0 \(Int(width)) \(Int(height))" role="img" \
            aria-label="\(SiteHTML.escape(title)) in \(SiteHTML.escape(unit.isEmpty ? shownUnit : unit)) over \(points.count) commit(s)"\
            \(points.count > 1 ? " data-left=\"\(number(margin.left))\" data-right=\"\(number(width - margin.right))\" data-top=\"\(number(margin.top))\" data-height=\"\(number(plotHeight))\"" : "")\
            \(points.isEmpty ? "" : " tabindex=\"0\" data-tips=\"\(SiteHTML.escape(tips(drawn, scale: scale)))\"")>
            <title>\(SiteHTML.escape(title)) (\(SiteHTML.escape(shownUnit)))</title>

            """
        out += "<g class=\"axes\" stroke=\"currentColor\" stroke-opacity=\"0.5\" fill=\"none\">"
        out += "<path d=\"M\(number(margin.left)),\(number(margin.top))V\(number(height - margin.bottom))H\(number(width - margin.right))\"/>"
        for tick in axis.ticks { out += "<path d=\"M\(number(margin.left - 4)),\(number(y(tick * scale.divisor)))h4\"/>" }
        out += "</g>\n<g class=\"ticks y\" fill=\"currentColor\" font-size=\"\(Int(Self.tickFontSize))\" font-family=\"sans-serif\">"
        for tick in axis.ticks {
            out += "<text x=\"\(number(margin.left - 7))\" y=\"\(number(y(tick * scale.divisor) + 3.5))\" text-anchor=\"end\">\(SiteHTML.escape(axis.label(tick)))</text>"
        }
        // Right of the axis, above the data: clear of the tick labels at any font size.
        out += "<text class=\"unit\" x=\"\(number(margin.left + 4))\" y=\"\(number(margin.top - 8))\" text-anchor=\"start\" font-weight=\"bold\">\(SiteHTML.escape(shownUnit))</text></g>\n"
        let dated = !points.isEmpty && points.indices.allSatisfy { points[$0].time != nil }
        if dated {
            out += "<g class=\"ticks x\" fill=\"currentColor\" font-size=\"\(Int(Self.tickFontSize))\" font-family=\"sans-serif\" text-anchor=\"middle\">"
            for (index, anchor) in xTicks(x: x) {
                let point = points[index]
                out += "<text x=\"\(number(x(index)))\" y=\"\(number(height - margin.bottom + 14))\"\(anchor == "middle" ? "" : " text-anchor=\"\(anchor)\"")>\(Self.day(point.time!))"
                    + "<tspan x=\"\(number(x(index)))\" dy=\"12\">\(SiteHTML.escape(String(point.commit.prefix(7))))</tspan></text>"
            }
            out += "</g>\n"
        } else {
            out += "<text class=\"xlabel\" x=\"\(number(margin.left + plotWidth / 2))\" y=\"\(number(height - 12))\" text-anchor=\"middle\" fill=\"currentColor\" "
                + "font-size=\"11\" font-family=\"sans-serif\">\(SiteHTML.escape(xLabel)) (\(points.count))</text>\n"
        }
        guard !points.isEmpty else {
            return out + "<text x=\"\(number(width / 2))\" y=\"\(number(height / 2))\" text-anchor=\"middle\" fill=\"currentColor\">no data yet</text></svg>"
        }
        // Zooming moves shapes sideways: the plot's area clips them.
        out += "<clipPath id=\"clip-\(id)\"><rect x=\"\(number(margin.left - 6))\" y=\"0\" width=\"\(number(plotWidth + 12))\" height=\"\(number(height))\"/></clipPath>\n"
        out += "<g class=\"data\" clip-path=\"url(#clip-\(id))\">\n"
        if let band, let noise {
            out += "<rect class=\"noise\" x=\"\(number(margin.left))\" y=\"\(number(y(band.1)))\" width=\"\(number(plotWidth))\" "
                + "height=\"\(number(max(0.5, y(band.0) - y(band.1))))\" fill=\"\(Self.improvementColour)\" fill-opacity=\"0.08\" stroke=\"\(Self.improvementColour)\" "
                + "stroke-opacity=\"0.35\" stroke-dasharray=\"2 3\"><title>run-to-run noise: ±\(NumberText.fixed(noise * 100, decimals: 1, trimmingZeros: true))% around the newest median</title></rect>\n"
            out += "<text class=\"noise\" x=\"\(number(width - margin.right - 4))\" y=\"\(number(y(band.1) - 3))\" text-anchor=\"end\" font-size=\"10\" "
                + "font-family=\"sans-serif\" fill=\"currentColor\" fill-opacity=\"0.7\">noise ±\(NumberText.fixed(noise * 100, decimals: 1, trimmingZeros: true))%</text>\n"
        }
        // Each drawn point's spread is its column's whole spread: nothing a column hides is lost.
        let spread = Self.columnSpread(drawn, count: points.count, columns: Int(plotWidth / Self.columnWidth), points: points)
        let bandPoints = drawn.indices.map { "\(number(x(drawn[$0]))),\(number(y(spread[$0].maximum)))" }
            + drawn.indices.reversed().map { "\(number(x(drawn[$0]))),\(number(y(spread[$0].minimum)))" }
        out += "<polygon class=\"spread\" points=\"\(bandPoints.joined(separator: " "))\" fill=\"currentColor\" fill-opacity=\"0.12\"/>\n"
        if drawn.count > 1 {
            out += "<polyline class=\"median\" points=\"\(drawn.map { "\(number(x($0))),\(number(y(points[$0].median)))" }.joined(separator: " "))\" "
                + "fill=\"none\" stroke=\"currentColor\" stroke-width=\"1.5\"/>\n"
        }
        for index in drawn {
            let point = points[index]
            let fill = marks[point.commit].map { colour($0, point.commit) } ?? "currentColor"
            out += "<circle cx=\"\(number(x(index)))\" cy=\"\(number(y(point.median)))\" r=\"\(marks[point.commit] == nil ? (drawn.count > 200 ? 2 : 3) : 5)\" "
                + "fill=\"\(fill)\" data-value=\"\(point.median)\"/>\n"
        }
        // Labels of marks close together go on rows below each other, not over each other.
        var rowEnds: [Double] = []
        for index in drawn {
            let point = points[index]
            guard let mark = marks[point.commit] else { continue }
            let stroke = colour(mark, point.commit), confirmed = !unconfirmed.contains(point.commit)
            out += "<line class=\"change \(mark.rawValue)\(confirmed ? "" : " unconfirmed")\" x1=\"\(number(x(index)))\" x2=\"\(number(x(index)))\" "
                + "y1=\"\(number(margin.top))\" y2=\"\(number(height - margin.bottom))\" stroke=\"\(stroke)\" stroke-dasharray=\"4 3\"/>\n"
            let label = (markLabels[point.commit] ?? mark.rawValue) + (confirmed ? "" : " (not confirmed)")
            let labelWidth = Double(label.count) * Self.glyphWidth * Self.tickFontSize
            let anchor = x(index) + 4 + labelWidth > width - margin.right ? "end" : "start"
            let start = anchor == "end" ? x(index) - 4 - labelWidth : x(index) + 4
            let row = rowEnds.firstIndex { $0 + 6 <= start } ?? rowEnds.count
            if row == rowEnds.count { rowEnds.append(0) }
            rowEnds[row] = start + labelWidth
            out += "<text class=\"change\" x=\"\(number(x(index) + (anchor == "end" ? -4 : 4)))\" y=\"\(number(margin.top + 10 + 12 * Double(row % 4)))\" "
                + "text-anchor=\"\(anchor)\" font-size=\"10\" font-family=\"sans-serif\" font-weight=\"bold\" fill=\"\(stroke)\">\(SiteHTML.escape(label))</text>\n"
        }
        return out + "</g></svg>"
    }

    private func colour(_ mark: Mark, _ commit: String) -> String {
        unconfirmed.contains(commit) ? Self.unconfirmedColour : (mark == .regression ? Self.regressionColour : Self.improvementColour)
    }

    /// Each drawn point's tooltip, as JSON: `[commit, subject, date, median, spread, samples, link]`,
    /// the values in the plot's scale. A link that is `<prefix><commit>.html` like the first is left
    /// out, and the prefix given once, to keep a long history's page light.
    private func tips(_ drawn: [Int], scale: HumanUnits) -> String {
        func text(_ index: Int) -> (label: String, link: String?) { caption?(index) ?? (points[index].label, points[index].link) }
        let prefix = points.indices.first.flatMap { first in
            text(first).link.flatMap { link in link.hasSuffix(points[first].commit + ".html") ? String(link.dropLast(points[first].commit.count + 5)) : nil }
        }
        var out = "{\"prefix\":\(prefix.map(JSONText.string) ?? "null"),\"points\":["
        out.reserveCapacity(drawn.count * 200)
        for (position, index) in drawn.enumerated() {
            let point = points[index], (label, link) = text(index)
            out += position == 0 ? "[" : ",["
            out += String(index)
            out += ","
            out += JSONText.string(point.commit)
            out += ","
            out += JSONText.string(String(label.prefix(Self.subjectLength)))
            out += ","
            out += JSONText.string(point.time.map(Self.minute) ?? "")
            out += ","
            out += JSONText.string(scale.format(point.median))
            out += ","
            out += point.minimum == point.maximum ? "\"\"" : JSONText.string(scale.number(point.minimum) + "–" + scale.number(point.maximum) + scale.suffix)
            out += ","
            out += point.samples.map(String.init) ?? "null"
            out += ","
            out += link.map { $0 == (prefix ?? "") + point.commit + ".html" ? "1" : JSONText.string($0) } ?? "0"
            out += "]"
        }
        return out + "]}"
    }

    /// The points to label on the x axis, each with its anchor: the first, then each next one whose
    /// label does not come within a gap of the last one's, and the newest, for which earlier ones
    /// give way. A label that would cross the plot's edge is anchored at its point instead.
    private func xTicks(x: (Int) -> Double) -> [(index: Int, anchor: String)] {
        // Both lines: `2026-12-01` and a 7-digit hash; the longer decides.
        let labelWidth = 10 * Self.glyphWidth * Self.tickFontSize, gap = 8.0
        func span(_ index: Int) -> (low: Double, high: Double, anchor: String) {
            let position = x(index)
            if position - labelWidth / 2 < 0 { return (position, position + labelWidth, "start") }
            if position + labelWidth / 2 > width { return (position - labelWidth, position, "end") }
            return (position - labelWidth / 2, position + labelWidth / 2, "middle")
        }
        var chosen: [(index: Int, anchor: String)] = []
        var end = -Double.infinity
        for index in points.indices where span(index).low >= end + gap {
            chosen.append((index, span(index).anchor))
            end = span(index).high
        }
        if let last = points.indices.last, chosen.last?.index != last {
            let newest = span(last)
            while let previous = chosen.last, span(previous.index).high + gap > newest.low { chosen.removeLast() }
            chosen.append((last, newest.anchor))
        }
        return chosen
    }

    /// `2026-12-01`, in UTC.
    ///
    /// In UTC, by arithmetic on the days since 1970 (the proleptic Gregorian calendar, as
    /// Foundation's): `Calendar` and `String(format:)` cost more than the rest of a tooltip, and
    /// a page at 10,000 commits dates hundreds of them.
    static func day(_ date: Date) -> String {
        let (year, month, day) = civil(days: Int((date.timeIntervalSince1970 / 86_400).rounded(.down)))
        return pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2)
    }

    /// `2026-12-01 14:05 UTC`.
    static func minute(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let inDay = ((seconds % 86_400) + 86_400) % 86_400
        return day(date) + " " + pad(inDay / 3600, 2) + ":" + pad(inDay % 3600 / 60, 2) + " UTC"
    }

    /// Year, month and day of the `days`-th day after 1970-01-01 (Howard Hinnant's `civil_from_days`).
    static func civil(days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shifted = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shifted + 2) / 5 + 1
        let month = shifted < 10 ? shifted + 3 : shifted - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// `value` with zeros before it to `width` digits, as `%0*d` writes a non-negative number.
    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
