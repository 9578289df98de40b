import Foundation

/// A series as an SVG line plot, points evenly spaced: a benchmark over commits, a score, a
/// sensor over an experiment's seconds. Readable without JavaScript (each point's `<title>` is its
/// tooltip, and a point with a page links to it, a commit's say), with axis labels and
/// units, the spread of each point's samples as a band, and change points marked in colour-blind
/// safe colours (Okabe–Ito vermillion for a regression, blue for an improvement). Colours follow
/// `currentColor`, so light and dark pages both read. A value with no I/O.
struct SVGPlot: Sendable {
    struct Point: Sendable, Hashable {
        var commit: String
        var label: String
        var median: Double
        var minimum: Double
        var maximum: Double
        /// The point's page, relative to the page the plot is on.
        var link: String?
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
    /// What the points are, along the horizontal axis; the count is added.
    var xLabel = "commits, oldest to newest"
    var width = 720.0
    var height = 260.0

    static let regressionColour = "#D55E00"
    static let improvementColour = "#0072B2"

    private let margin = (left: 64.0, right: 12.0, top: 12.0, bottom: 36.0)

    func svg() -> String {
        let values = points.flatMap { [$0.minimum, $0.maximum, $0.median] }
        // Only finite values scale the axis; the range is worked out in halves, which cannot
        // overflow where a difference of values near ±1.8e308 would, and is clamped to the finite.
        let finite = values.filter(\.isFinite)
        let largest = Double.greatestFiniteMagnitude
        var low = finite.min() ?? 0, high = finite.max() ?? 1
        if high / 2 - low / 2 < max(abs(high) * 0.5e-9, .leastNormalMagnitude) || high == low {
            low = max(-largest, low - max(abs(low) * 0.05, 1))
            high = min(largest, high + max(abs(high) * 0.05, 1))
        }
        let padding = (high / 2 - low / 2) * 0.16
        low = max(finite.allSatisfy { $0 >= 0 } ? 0 : -largest, low - padding)
        high = min(largest, high + padding)
        let halfRange = high / 2 - low / 2
        let plotWidth = width - margin.left - margin.right, plotHeight = height - margin.top - margin.bottom
        func x(_ index: Int) -> Double {
            points.count <= 1 ? margin.left + plotWidth / 2 : margin.left + plotWidth * Double(index) / Double(points.count - 1)
        }
        func y(_ value: Double) -> Double {
            let clamped = min(max(value.isNaN ? low : value, low), high)
            return margin.top + plotHeight * (1 - (clamped / 2 - low / 2) / halfRange)
        }
        func number(_ value: Double) -> String { NumberText.fixed(value, decimals: 1, trimmingZeros: false) }

        var out = """
            <svg xmlns="http://www.w3.org/2000/svg" class="plot" viewBox="0 0 \(Int(width)) \(Int(height))" role="img" \
            aria-label="\(SiteHTML.escape(title)) in \(SiteHTML.escape(unit)) over \(points.count) commit(s)"\
            \(points.count > 1 ? " data-left=\"\(number(margin.left))\" data-right=\"\(number(width - margin.right))\" data-top=\"\(number(margin.top))\" data-height=\"\(number(plotHeight))\"" : "")>
            <title>\(SiteHTML.escape(title)) (\(SiteHTML.escape(unit)))</title>

            """
        // Axes, ticks and labels.
        out += "<g class=\"axes\" stroke=\"currentColor\" stroke-opacity=\"0.5\" fill=\"none\">"
        out += "<path d=\"M\(number(margin.left)),\(number(margin.top))V\(number(height - margin.bottom))H\(number(width - margin.right))\"/></g>\n"
        out += "<g class=\"ticks\" fill=\"currentColor\" font-size=\"11\" font-family=\"sans-serif\">"
        for step in 0...4 {
            let value = 2 * (low / 2 + halfRange * (Double(step) / 4))
            out += "<text x=\"\(number(margin.left - 6))\" y=\"\(number(y(value) + 4))\" text-anchor=\"end\">\(SiteHTML.escape(NumberText.compact(value)))</text>"
        }
        out += "<text x=\"\(number(margin.left + plotWidth / 2))\" y=\"\(number(height - 6))\" text-anchor=\"middle\">"
            + "\(SiteHTML.escape(xLabel)) (\(points.count))</text>"
        out += "<text transform=\"translate(12,\(number(margin.top + plotHeight / 2))) rotate(-90)\" text-anchor=\"middle\">\(SiteHTML.escape(unit.isEmpty ? "value" : unit))</text></g>\n"
        guard !points.isEmpty else {
            return out + "<text x=\"\(number(width / 2))\" y=\"\(number(height / 2))\" text-anchor=\"middle\" fill=\"currentColor\">no data yet</text></svg>"
        }
        // Zooming moves shapes sideways: the plot's area clips them.
        out += "<clipPath id=\"clip-\(id)\"><rect x=\"\(number(margin.left - 6))\" y=\"0\" width=\"\(number(plotWidth + 12))\" height=\"\(number(height))\"/></clipPath>\n"
        out += "<g class=\"data\" clip-path=\"url(#clip-\(id))\">\n"
        // The spread of each commit's samples, then the median line.
        let band = points.indices.map { "\(number(x($0))),\(number(y(points[$0].maximum)))" }
            + points.indices.reversed().map { "\(number(x($0))),\(number(y(points[$0].minimum)))" }
        out += "<polygon class=\"spread\" points=\"\(band.joined(separator: " "))\" fill=\"currentColor\" fill-opacity=\"0.12\"/>\n"
        if points.count > 1 {
            out += "<polyline class=\"median\" points=\"\(points.indices.map { "\(number(x($0))),\(number(y(points[$0].median)))" }.joined(separator: " "))\" "
                + "fill=\"none\" stroke=\"currentColor\" stroke-width=\"1.5\"/>\n"
        }
        for (index, point) in points.enumerated() {
            let mark = marks[point.commit]
            let colour = mark.map { $0 == .regression ? Self.regressionColour : Self.improvementColour } ?? "currentColor"
            let tooltip = "\(point.label)\n\(NumberText.compact(point.median)) \(unit) (samples \(NumberText.compact(point.minimum))–\(NumberText.compact(point.maximum)))"
                + (mark.map { "\n\($0.rawValue) starts here" } ?? "")
            let circle = "<circle cx=\"\(number(x(index)))\" cy=\"\(number(y(point.median)))\" r=\"\(mark == nil ? 3 : 5)\" "
                + "fill=\"\(colour)\" data-commit=\"\(SiteHTML.escape(point.commit))\" data-value=\"\(point.median)\"><title>\(SiteHTML.escape(tooltip))</title></circle>"
            out += (point.link.map { "<a href=\"\(SiteHTML.escape($0))\">\(circle)</a>" } ?? circle) + "\n"
            if let mark {
                out += "<line class=\"change \(mark.rawValue)\" x1=\"\(number(x(index)))\" x2=\"\(number(x(index)))\" y1=\"\(number(margin.top))\" "
                    + "y2=\"\(number(height - margin.bottom))\" stroke=\"\(colour)\" stroke-dasharray=\"4 3\"/>\n"
            }
        }
        return out + "</g></svg>"
    }
}
