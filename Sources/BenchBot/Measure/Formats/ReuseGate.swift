/// Whether a table of things met before (parameters by their storage, by the end of a name) pays
/// for itself: it is looked in for its first 1,024 lookups, and after that while at least one in
/// four finds something. Once shut it stays shut, as nothing is looked up to open it again.
struct ReuseGate {
    private var lookups = 0
    private var found = 0

    var isOpen: Bool { lookups < 1024 || found * 4 >= lookups }

    mutating func record(found: Bool) {
        lookups += 1
        if found { self.found += 1 }
    }
}
