import Crypto
import Foundation
import Synchronization

extension GitHubAppTokens {
    /// The process's one token source for this App and key: a worker builds its dispatcher, and
    /// so its credentials, afresh for each job, and each would otherwise mint a token of its own.
    /// A changed key or setting gets a source of its own.
    ///
    /// - Parameters:
    ///   - configuration: The App.
    ///   - pem: The private key's PEM text, as read now.
    public static func shared(_ configuration: Configuration, pem: String) -> GitHubAppTokens {
        let keyDigest = Data(SHA256.hash(data: Data(pem.utf8))).base64EncodedString()
        return registry.withLock { sources in
            let identity = SourceIdentity(configuration: configuration, keyDigest: keyDigest)
            if let existing = sources[identity] { return existing }
            let created = GitHubAppTokens(configuration, pem: pem)
            sources[identity] = created
            return created
        }
    }

    private struct SourceIdentity: Hashable {
        let configuration: Configuration
        /// The key by its digest: a key is kept by its source only.
        let keyDigest: String
    }

    private static let registry = Mutex<[SourceIdentity: GitHubAppTokens]>([:])
}
