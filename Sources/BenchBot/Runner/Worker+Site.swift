import Foundation

/// The results site, brought up to date after each job that stored a run: the links a job's
/// notifications carry (its commit's page, its comparison, a benchmark's graph) resolve by the
/// time anyone follows them, not only after the next `benchbot site`.
extension Worker {
    /// How one update of the site after a job went: `benchbot bench site` reports it.
    public struct SiteUpdate: Sendable, Hashable {
        public let duration: Duration
        public let pages: Int
        public let written: Int
    }

    /// Updates `benchbot.site.folder` incrementally: only the pages whose inputs changed are made,
    /// from the rows cached beside the site, so that it takes well under a second on a small home.
    ///
    /// Sets the report's ``JobReport/siteUpdate`` when it worked; adds one line saying why the
    /// site was not updated otherwise. A failure never fails the job: its run is stored, and the
    /// next update catches up.
    func updateSite(after job: Job, report: inout JobReport) async {
        let folder = home.resolvePath(settings.site.folder)
        let start = ContinuousClock.now
        do {
            // Another build of the folder (the nightly run's, someone's `benchbot site`) includes
            // this run once it finishes; the queue does not wait for it.
            let summary = try await SiteGenerator(home: home, settings: settings, store: store)
                .generate(into: folder, lockTimeout: Self.siteLockTimeout)
            let update = SiteUpdate(duration: ContinuousClock.now - start, pages: summary.pages, written: summary.written)
            logger.debug("site updated after job \(job.id): \(update.written) of \(update.pages) page(s) written in \(update.duration)")
            report.siteUpdate = update
        } catch {
            report.lines.append("  site: not updated after job \(job.id) (\(home.display(folder))): \(error); `benchbot site` brings it up to date")
        }
    }

    /// How long a worker waits for another build of the site before leaving the update to it.
    static let siteLockTimeout: Duration = .seconds(20)
}
