import Hummingbird

extension BenchBotServer {
    /// The results site's folder at `/`.
    func addSiteRoutes(to router: Router<BasicRequestContext>) {}
}
