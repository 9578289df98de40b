import Foundation

/// `benchbot site`: the static results site, from the store and the mirror.
///
/// - An index: the last run and its experiments, the changes (regressions first), and a grid of
///   every benchmark with its latest value and change.
/// - A page per benchmark, with SVG plots of all time and of the last 2 weeks, and its data as JSON.
/// - A page per measured commit, with its results against its baseline, and a comparison page
///   per baseline and candidate (`compare/<baseline>...<candidate>.html`, where notifications
///   link): a branch's, a fork's or a pull request's against its merge base.
///
/// Each machine class gets all of these, from its own results only, with a switch between the
/// classes in every page's header when there are several (``SiteSwitch``).
///
/// Each page's data is its own: no page loads the whole history. The site is built beside the
/// output folder and swapped in, so a reader never sees half of it; a page whose inputs did not
/// change is linked from the previous build instead of made again, and the results of the last
/// build are kept beside its pages (``SeriesTable``), so that only new runs are read from the store.
public struct SiteGenerator: Sendable {
    public let home: Home
    public let settings: BenchBotSettings
    public let store: any Store

    /// At most this many points in a score or telemetry plot: longer series are thinned evenly.
    /// Benchmark plots are decimated by ``SVGPlot`` instead, per column, keeping extremes and changes.
    static let maximumPlotPoints = 400

    public init(home: Home, settings: BenchBotSettings, store: any Store) {
        self.home = home
        self.settings = settings
        self.store = store
    }

    /// What a generation did.
    public struct Summary: Sendable, Hashable {
        public var pages = 0
        /// Pages whose content changed, and were written.
        public var written = 0
        public var benchmarks = 0
        public var commits = 0
    }

    /// Generates the site into `folder`, replacing what is there.
    ///
    /// - Throws: ``SiteError`` when the folder cannot be written, ``StoreError`` when the store fails.
    /// - Parameter lockTimeout: How long to wait for another build of the same folder to finish.
    public func generate(into folder: String, lockTimeout: Duration = .seconds(600)) async throws -> Summary {
        let writer = SiteWriter(folder: folder)
        // One build of a folder at a time: a nightly run's and someone's `benchbot site` would
        // otherwise move each other's files aside.
        let lock: FileLock
        do { lock = try FileLock.acquire(at: writer.lockPath, timeout: lockTimeout) } catch {
            throw SiteError(message: "\(error): another benchbot site kept writing \(folder); try again when it has finished")
        }
        defer { withExtendedLifetime(lock) {} }
        try writer.checkFolder()
        let clearing = writer.clearLeftovers()
        let machines = try await SiteSwitch.machines(settings: settings, store: store)
        // Read while the mirror's history and the store are: they need neither. Each class keeps
        // its own, in its own folder, so no class's rows are taken for another's.
        let cached = machines.enumerated().map { index, machine in
            let classFolder = String((writer.folder + "/" + SiteLayout.machineFolder(machine, primary: index == 0)).dropLast())
            return Task.detached { SeriesTable.cached(in: classFolder) }
        }
        let models = try await SiteModel.load(home: home, settings: settings, machines: machines, store: store, cached: cached)
        var summary = try await writer.write(SiteSwitch.entries(models, templates: try SiteTemplates()), after: clearing)
        summary.benchmarks = models.reduce(0) { $0 + $1.table.names.count }
        summary.commits = models.reduce(0) { $0 + $1.commits.count + $1.offBranch.count }
        return summary
    }
}

public struct SiteError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
