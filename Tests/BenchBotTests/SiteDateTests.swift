@testable import BenchBot
import Foundation
import Testing

/// The plots' dates, made by arithmetic for speed, are Foundation's Gregorian calendar's in UTC.
@Suite("Site dates")
struct SiteDateTests {
    static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    static func expected(_ date: Date) -> String {
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(format: "%04d-%02d-%02d %02d:%02d UTC", parts.year!, parts.month!, parts.day!, parts.hour!, parts.minute!)
    }

    @Test("day and minute equal Calendar and printf's, across leap years, centuries, before 1970 and at midnight")
    func sameAsCalendar() {
        var seconds: [Double] = [0, -1, 59, 60, 86_399, 86_400, 951_782_400, 951_868_799, 4_107_542_400, 1_700_000_000.5, -2_208_988_800, 253_402_300_799]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<20_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            seconds.append(Double(Int64(bitPattern: state >> 1) % 20_000_000_000) - 5_000_000_000)
        }
        for value in seconds {
            let date = Date(timeIntervalSince1970: value)
            #expect(SVGPlot.minute(date) == Self.expected(date), "\(value)")
            #expect(SVGPlot.day(date) == String(Self.expected(date).prefix(10)), "\(value)")
        }
    }
}
