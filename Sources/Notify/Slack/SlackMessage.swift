public import Foundation

/// A Slack message in Block Kit, kept within Slack's limits whatever it is given: at most 50
/// blocks, section text of at most 3,000 characters, header text of at most 150. What does not fit
/// is cut, and the last block says how much and where the rest is.
public struct SlackMessage: Sendable, Hashable {
    public static let maximumBlocks = 50
    public static let maximumSectionText = 3000
    public static let maximumHeaderText = 150

    /// The notification text: what phones and screen readers show.
    public var text: String
    private var blocks: [Block] = []
    /// Sections that did not fit, and where the whole report is.
    private var overflow = 0
    private let moreAt: String?

    enum Block: Sendable, Hashable {
        case header(String)
        case section(String)
        case context(String)
    }

    /// - Parameters:
    ///   - text: The fallback text.
    ///   - moreAt: A link to the whole report, for what does not fit.
    public init(text: String, moreAt: String? = nil) {
        self.text = Self.cut(text, to: Self.maximumSectionText)
        self.moreAt = moreAt
    }

    public mutating func header(_ text: String) { append(.header(Self.cut(text, to: Self.maximumHeaderText))) }
    /// A section of mrkdwn text.
    public mutating func section(_ markdown: String) { append(.section(Self.cut(markdown, to: Self.maximumSectionText))) }
    /// A line of small print.
    public mutating func context(_ markdown: String) { append(.context(Self.cut(markdown, to: Self.maximumSectionText))) }

    private mutating func append(_ block: Block) {
        // One block stays free for the note of what was left out.
        if blocks.count < Self.maximumBlocks - 1 { blocks.append(block) } else { overflow += 1 }
    }

    /// The JSON body for `chat.postMessage` or an incoming webhook.
    public func body() -> Data {
        var all = blocks
        if overflow > 0 {
            all.append(.context("…and \(overflow) more\(moreAt.map { ": <\($0)|the whole report>" } ?? "")"))
        }
        let encoded: [[String: Any]] = all.map { block in
            switch block {
            case .header(let text): ["type": "header", "text": ["type": "plain_text", "text": text]]
            case .section(let text): ["type": "section", "text": ["type": "mrkdwn", "text": text]]
            case .context(let text): ["type": "context", "elements": [["type": "mrkdwn", "text": text]]]
            }
        }
        // Both inputs are strings and arrays only, which JSONSerialization always encodes.
        return (try? JSONSerialization.data(withJSONObject: ["text": text, "blocks": encoded], options: [.sortedKeys])) ?? Data()
    }

    /// Escapes the three characters Slack's mrkdwn reserves, for text from commits and benchmark names;
    /// a backtick becomes a quote, so a name cannot close the code span it is shown in, and control
    /// characters other than line breaks and tabs become U+FFFD.
    public static func escape(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out.append(contentsOf: "&amp;".unicodeScalars)
            case "<": out.append(contentsOf: "&lt;".unicodeScalars)
            case ">": out.append(contentsOf: "&gt;".unicodeScalars)
            case "`": out.append("'")
            case "\n", "\t": out.append(scalar)
            case _ where scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value): out.append("\u{FFFD}")
            default: out.append(scalar)
            }
        }
        return String(out)
    }

    static func cut(_ text: String, to limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }
}
