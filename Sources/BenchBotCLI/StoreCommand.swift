import ArgumentParser
import BenchBot
import Foundation
import Logging

/// `benchbot store`: the store itself.
struct StoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Work on the home's store.",
        subcommands: [Migrate.self])

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "migrate",
            abstract: "Copy this home's SQLite history into a PostgreSQL database, and verify the copy.",
            discussion: """
                Every table is copied with its ids, then each table's row count and SHA-256 checksum are compared. \
                Stop the home's workers and server first. A copy that stopped can be run again: it goes on where it was. \
                A database holding other rows is refused unless --merge. Afterwards, set benchbot.store.url in the config.
                """)

        @OptionGroup var homeOptions: HomeOptions

        @Option(name: .long, help: "The database: postgres://user@host:port/database (?sslmode=…, ?host=/socket/folder).")
        var to: String

        @Option(name: .long, help: "The variable holding the database's password (default: ~/.pgpass, or none).")
        var passwordEnv: String?

        @Option(name: .long, help: "A file holding the database's password.")
        var passwordFile: String?

        @Flag(name: .long, help: "Copy into a database that holds other rows, beside them.")
        var merge = false

        func run() async throws {
            let location: PostgresLocation
            do {
                location = try PostgresLocation(url: to)
            } catch {
                throw ValidationError("--to \(error.message)")
            }
            let home = homeOptions.resolvedHome
            let config = try HomeConfig.load(from: home)
            guard config.benchbot.store.url == nil else {
                printError("benchbot: this home's store is PostgreSQL already (benchbot.store.url); migrate copies a SQLite home")
                throw ExitCode(1)
            }
            var settings = config.benchbot.store
            settings.url = location
            settings.passwordEnvironment = passwordEnv
            settings.passwordFile = passwordFile
            let source = try SQLiteStore.open(path: home.resolvePath(config.benchbot.store.path), busyTimeout: config.benchbot.store.busyTimeout,
                                              create: false)
            do {
                try await settings.withStore(home: home, logger: Logger(label: "benchbot.store")) { store in
                    guard let target = store as? PostgresStore else { return }
                    var migration = StoreMigration(source: source, target: target)
                    migration.merge = merge
                    let report = try await migration.run { print($0) }
                    let rows = report.tables.reduce(0) { $0 + $1.rows }
                    print("verified: \(report.tables.count) tables, \(rows) row(s): row counts and SHA-256 checksums match")
                    print("next: set benchbot.store.url to \"\(to)\" in \(home.display(home.effectiveConfigFile))"
                        + (passwordEnv.map { " with password_env \"\($0)\"" } ?? passwordFile.map { " with password_file \"\($0)\"" } ?? "")
                        + "; every command then uses the database")
                }
            } catch let error as StoreMigrationError {
                printError("benchbot: \(error)")
                throw ExitCode(1)
            }
        }
    }
}
