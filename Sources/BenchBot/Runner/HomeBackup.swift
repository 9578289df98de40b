import Foundation
import Notify

/// `tar.gz` archives of a home's config and results in `backup_dir`, the last N kept.
///
/// Configs are archived with every secret-named field masked, so a leaked backup leaks no token.
enum HomeBackup {
    /// Archives the home and prunes old archives.
    ///
    /// - Parameters:
    ///   - home: The home.
    ///   - config: Its config (`backup_dir`, `benchbot.runner.backups_kept`).
    ///   - label: `before` or `after`, in the file name.
    /// - Returns: The archive's path.
    /// - Throws: ``CommandError`` or a file error.
    static func create(home: Home, config: HomeConfig, label: String, now: Date = Date()) async throws -> String {
        let folder = home.resolvePath(config.dashboard.backupDirectory)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let staging = FileManager.default.temporaryDirectory.appendingPathComponent("benchbot-backup-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: staging) }
        let secrets = secretFiles(home: home, config: config)
        try copyRedacted(from: home.path("config"), to: (staging as NSString).appendingPathComponent("config"), leaving: secrets)
        if FileManager.default.fileExists(atPath: home.relayTopLevelConfigFile) {
            try copyRedacted(from: home.relayTopLevelConfigFile, to: (staging as NSString).appendingPathComponent("config.json"), leaving: secrets)
        }

        let stamp = now.formatted(Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day().time(includingFractionalSeconds: true)
            .dateSeparator(.omitted).timeSeparator(.omitted).dateTimeSeparator(.standard))
        let archive = (folder as NSString).appendingPathComponent("benchbot-home-\(stamp)-\(label).tar.gz")
        var arguments = ["-czf", archive, "-C", staging, "."]
        if FileManager.default.fileExists(atPath: home.path("results")) {
            arguments += ["-C", home.root, "results"]
        }
        let result = try await CommandRunner.run("tar", arguments: arguments, timeout: .seconds(1800))
        guard result.succeeded else {
            try? FileManager.default.removeItem(atPath: archive)
            throw CommandError(command: "tar", reason: "exit \(result.status): \(result.standardError)")
        }
        prune(folder, keep: config.benchbot.runner.backupsKept)
        return archive
    }

    /// The files the settings read tokens, webhook URLs and a GitHub App's private key from: kept
    /// in the home, they are never archived, since a backup travels further than the home.
    private static func secretFiles(home: Home, config: HomeConfig) -> Set<String> {
        let named = [config.benchbot.notify?.slack?.botTokenFile, config.benchbot.notify?.slack?.webhookURLFile,
                     config.benchbot.notify?.github?.tokenFile, config.benchbot.site.publish?.tokenFile,
                     config.benchbot.notify?.github?.app?.privateKeyFile]
        return Set(named.compactMap { $0.map { (home.resolvePath($0) as NSString).standardizingPath } })
    }

    /// Copies a file or folder, masking secret-named fields of every JSON file and leaving out the
    /// secret files.
    private static func copyRedacted(from source: String, to destination: String, leaving secrets: Set<String>) throws {
        guard !secrets.contains((source as NSString).standardizingPath) else { return }
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: source, isDirectory: &isDirectory) else { return }
        if isDirectory.boolValue {
            try manager.createDirectory(atPath: destination, withIntermediateDirectories: true)
            for name in try manager.contentsOfDirectory(atPath: source) {
                try copyRedacted(from: (source as NSString).appendingPathComponent(name), to: (destination as NSString).appendingPathComponent(name),
                                 leaving: secrets)
            }
            return
        }
        if source.hasSuffix(".json"), let data = manager.contents(atPath: source), let document = try? JSONValue.parse(data) {
            try maskingURLPasswords(document.redactingSecrets()).prettyPrinted().write(to: URL(fileURLWithPath: destination))
        } else if !source.hasSuffix(".bak") {
            try manager.copyItem(atPath: source, toPath: destination)
        }
    }

    /// Every string with its URLs' passwords masked: a remote's `https://user:token@host` is as secret as a `*_token` field.
    private static func maskingURLPasswords(_ value: JSONValue) -> JSONValue {
        switch value {
        case .string(let text): .string(SecretRedactor.maskingURLPasswords(in: text))
        case .array(let items): .array(items.map(maskingURLPasswords))
        case .object(let fields): .object(fields.mapValues(maskingURLPasswords))
        default: value
        }
    }

    private static func prune(_ folder: String, keep: Int) {
        let archives = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { $0.hasPrefix("benchbot-home-") && $0.hasSuffix(".tar.gz") }
            .sorted()
        for old in archives.dropLast(keep) {
            try? FileManager.default.removeItem(atPath: (folder as NSString).appendingPathComponent(old))
        }
    }
}
