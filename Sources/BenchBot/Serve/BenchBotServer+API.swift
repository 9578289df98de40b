import Hummingbird

extension BenchBotServer {
    /// The read-only JSON API and `POST /api/v1/enqueue`.
    func addAPIRoutes(to router: Router<BasicRequestContext>) {}
}
