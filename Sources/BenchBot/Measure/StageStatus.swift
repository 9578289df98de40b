import Foundation

/// A stage's `status.json`: `{"success": bool, "message": string}`.
///
/// A stage that leaves none, or one without both fields, has failed: that is the Relay
/// Dashboard's rule, and it keeps a crashed script from passing for a successful one.
struct StageStatus: Sendable, Hashable {
    var success: Bool
    var message: String

    /// Reads the status a stage left in `folder`.
    static func read(in folder: String, stage: String) -> StageStatus {
        let file = (folder as NSString).appendingPathComponent("status.json")
        guard let data = FileManager.default.contents(atPath: file) else {
            return StageStatus(success: false, message: "\(stage) left no status.json in \(folder)")
        }
        guard let document = try? JSONValue.parse(data) else {
            return StageStatus(success: false, message: "the status.json \(stage) left in \(folder) is not valid JSON")
        }
        guard case .bool(let success)? = document["success"] else {
            return StageStatus(success: false, message: "the status.json \(stage) left in \(folder) has no boolean 'success' field")
        }
        guard case .string(let message)? = document["message"] else {
            return StageStatus(success: false, message: "the status.json \(stage) left in \(folder) has no string 'message' field")
        }
        return StageStatus(success: success, message: message)
    }

    var json: JSONValue {
        .object(["success": .bool(success), "message": .string(message)])
    }
}
