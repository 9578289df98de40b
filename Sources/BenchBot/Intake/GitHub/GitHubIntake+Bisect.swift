import Foundation
import Notify

extension GitHubIntake {
    func bisect(benchmark: String, good: String, bad: String, comment: GitHubEvent.Comment,
                label: String) async throws(GitHubIntakeError) -> (DeliveryEffects, understood: Bool) {
        var effects = DeliveryEffects(outcome: "\(label): not available yet")
        effects.notifications = reply(to: comment.issue, marker: "reply:\(comment.id)",
                                       text: "`/benchbot bisect` is not available on this server yet; run `benchbot bisect` on the benchmark machine.")
        return (effects, false)
    }
}
