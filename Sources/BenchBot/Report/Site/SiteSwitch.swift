import Foundation

/// The switch between machine classes' page sets, in every page's header when the site has more
/// than one: each class's name, the current one marked, linking to the same page in that class's
/// set when it has one, else to that class's index.
///
/// Every class has a whole page set of its own, made from its own runs, changes and suspects only:
/// a commit measured on two classes is never compared across them. The first measuring class
/// (`benchbot.machines`' first, or `benchbot.machine`) is at the site's root, as a one-class site
/// always was, and every other class is under `machines/<slug>/` (``SiteLayout/machineFolder(_:primary:)``).
/// So a single-class site, the links notifications and pull requests already carry, and bookmarks
/// keep working when classes are added; a class's pages never move when another class is added or
/// dropped from the config; and a class only the store still knows keeps its history, out of the
/// root's way. Links are relative, so the site works from any folder and from `file://`.
struct SiteSwitch: Sendable {
    /// One class's page set: where it is, and the paths it has, relative to its folder.
    struct PageSet: Sendable {
        let machine: String
        /// `""` at the root, `machines/<slug>/` otherwise.
        let folder: String
        let paths: Set<String>
    }

    let sets: [PageSet]
    /// The set whose pages are being made.
    let current: Int

    /// The classes with pages: the measuring ones, the first of which is at the root, then any
    /// other class with stored runs of the suite, by name.
    static func machines(settings: BenchBotSettings, store: any Store) async throws -> [String] {
        let configured = settings.measuringClasses
        let stored = try await store.runMachines(repository: settings.repository.name, suite: settings.suite)
        return configured + stored.filter { !configured.contains($0) }
    }

    /// Every class's files, each set in its folder, with the switch in every page's header.
    ///
    /// - Parameter models: Each class's model; the first is at the root.
    static func entries(_ models: [SiteModel], templates: SiteTemplates) -> [SitePages.Entry] {
        let plain = models.map { SitePages(model: $0, templates: templates) }
        guard models.count > 1 else { return plain.first?.all() ?? [] }
        // A page's links depend on which paths the other sets have: those are planned first.
        let sets = zip(models.indices, plain).map { index, pages in
            PageSet(machine: models[index].machine, folder: SiteLayout.machineFolder(models[index].machine, primary: index == 0),
                    paths: Set(pages.all().map(\.path)))
        }
        return plain.indices.flatMap { index in
            var pages = plain[index]
            pages.machineSwitch = SiteSwitch(sets: sets, current: index)
            return pages.all()
        }
    }

    /// The header's classes for the page at `path` of the current set, relative to that page.
    func links(from path: String) -> [[String: Any]] {
        let root = SiteLayout.root(of: sets[current].folder + path)
        return sets.indices.map { index in
            let target = sets[index].paths.contains(path) ? path : "index.html"
            return ["name": sets[index].machine, "link": root + sets[index].folder + target, "current": index == current,
                    "separator": index == 0 ? "" : ", "]
        }
    }

    /// What the switch on the page at `path` is made from: part of the page's inputs, so that a
    /// page is made again when another class gains or loses its counterpart.
    func inputs(of path: String) -> String {
        "|machines:\(current):" + sets.map { "\(SiteLayout.slug($0.machine))=\($0.paths.contains(path) ? 1 : 0)" }.joined(separator: ",")
    }
}
