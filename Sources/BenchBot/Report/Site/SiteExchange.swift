import Foundation

/// Linux's `renameat2(…, RENAME_EXCHANGE)`: two paths swapped in one step, so a folder is replaced
/// whole by another, with no moment in which neither is there.
///
/// Glibc has the call since 2.28, but Swift's Glibc module does not carry it, so it is looked up
/// by name.
enum SiteExchange {
    private typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>?, Int32, UnsafePointer<CChar>?, UInt32) -> Int32

    private static let renameAt2: RenameAt2? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "renameat2")
        .map { unsafeBitCast($0, to: RenameAt2.self) }

    /// `AT_FDCWD` and `RENAME_EXCHANGE` from Linux's headers.
    private static let currentFolder: Int32 = -100
    private static let exchangeFlag: UInt32 = 2

    /// Swaps `first` and `second`, both existing; `false` where the system or file system cannot.
    static func exchange(_ first: String, _ second: String) -> Bool {
        guard let renameAt2 else { return false }
        return renameAt2(currentFolder, first, currentFolder, second, exchangeFlag) == 0
    }
}
