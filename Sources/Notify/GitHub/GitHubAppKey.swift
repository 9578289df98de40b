import _CryptoExtras
import Foundation

/// A GitHub App's private key: the PEM file GitHub lets the App's owner download (PKCS#1,
/// `BEGIN RSA PRIVATE KEY`), or the same key as PKCS#8 (`BEGIN PRIVATE KEY`), as `openssl pkey`
/// writes it.
///
/// Its errors say what the text is instead, never what it holds.
public struct GitHubAppKey: Sendable {
    let privateKey: _RSA.Signing.PrivateKey

    /// The PEM labels of RSA private keys that GitHub's key, as downloaded or converted, carries.
    static let acceptedLabels = ["RSA PRIVATE KEY", "PRIVATE KEY"]

    /// Reads a key from its PEM text.
    ///
    /// - Throws: ``Problem``, saying what the text is when it is not an RSA private key.
    public init(pem: String) throws(Problem) {
        let labels = Self.labels(in: pem)
        guard let label = labels.first else { throw .notPEM }
        guard Self.acceptedLabels.contains(label) else { throw .wrongKind(label) }
        do {
            privateKey = try _RSA.Signing.PrivateKey(pemRepresentation: pem)
        } catch {
            // A PKCS#8 key of another algorithm, a damaged body, or a key under 2048 bits.
            throw .unreadable(label)
        }
    }

    /// Why a text is not a usable GitHub App key, for people: `is a PEM "EC PRIVATE KEY", not an RSA private key`.
    public enum Problem: Error, Sendable, Hashable, CustomStringConvertible {
        case notPEM
        case wrongKind(String)
        case unreadable(String)

        public var description: String {
            switch self {
            case .notPEM:
                "holds no PEM key (no \"-----BEGIN RSA PRIVATE KEY-----\" line); use the .pem file that the App's settings "
                    + "page gave under Private keys, as it was downloaded"
            case .wrongKind(let label):
                "holds a PEM \"\(Self.shown(label))\", not an RSA private key; use the .pem file that the App's settings "
                    + "page gave under Private keys (BEGIN RSA PRIVATE KEY, or BEGIN PRIVATE KEY once converted to PKCS#8)"
            case .unreadable(let label):
                "holds a \"\(Self.shown(label))\" that is not a readable RSA key of at least 2048 bits (damaged or cut short, or of another "
                    + "algorithm); download a new private key from the App's settings page and point to that"
            }
        }

        /// A PEM label as it may be shown: letters, digits and spaces only, and short, since it
        /// comes from a file that may be anything.
        static func shown(_ label: String) -> String {
            String(label.filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == " ") }.prefix(40))
        }
    }

    /// The text that must never reach a log: the whole PEM and each line of its body, since a
    /// server or a tool may quote a line of it.
    public static func secrets(in pem: String) -> [String] {
        let trimmed = pem.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return [] }
        let lines = trimmed.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        return [trimmed] + lines.filter { !$0.hasPrefix("-----") && !$0.isEmpty }
    }

    /// The labels of the `-----BEGIN <label>-----` lines in `pem`, in order.
    static func labels(in pem: String) -> [String] {
        pem.split(whereSeparator: \.isNewline).compactMap { line -> String? in
            let line = line.trimmingCharacters(in: .whitespaces)
            guard line.hasPrefix("-----BEGIN "), line.hasSuffix("-----"), line.count > 16 else { return nil }
            return String(line.dropFirst(11).dropLast(5))
        }
    }
}
