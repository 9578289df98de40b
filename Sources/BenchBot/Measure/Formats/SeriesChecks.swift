/// ``ResultValidation/validate(_:_:namesChecked:)``'s state over one file's results: what was
/// checked already, so that what many series share is checked once.
struct SeriesChecks {
    let context: FormatContext
    /// `nil` when the reader checked names already.
    var seen: SeriesNames?
    /// A file holds a handful of units (iai's five, one after another): each is checked once and
    /// remembered, the last few looked up in order, instead of once each time the unit changes.
    var checkedUnits: [(unit: String, isTime: Bool)] = []
    /// The last parameters found printable: a reader gives the series of one binary or one
    /// benchmark one dictionary, and a 100,000-series file need not walk it 100,000 times.
    var printableParameters: [String: String] = [:]
    /// Parameters found printable before the last, in slots by their storage, each slot holding its
    /// dictionary (as ``SeriesNames`` keeps their bytes): go test's benchmarks whose names end alike
    /// share one dictionary, met again hundreds of series later. Made when a second dictionary is met.
    private var printableSlots: [[String: String]] = []
    /// Whether ``printableSlots`` finds enough to pay for keeping it.
    private var printableSlotsPay = ReuseGate()

    init(context: FormatContext, capacity: Int?) {
        self.context = context
        seen = capacity.map { SeriesNames(capacity: $0) }
    }

    /// Checks the result at `place`, read through a pointer where it lies: a copy of it, even
    /// borrowed from the array, retained and released its strings and arrays.
    mutating func check(place: Int, in results: UnsafeBufferPointer<BenchmarkResult>) throws(FormatError) {
        let result = UnsafePointer(results.baseAddress! + place)
        if let problem = nameProblem(result) { throw context.error(PlainText.singleLine(result.pointee.displayName), problem) }
        let isTime: Bool
        if let checked = checkedUnits.first(where: { $0.unit == result.pointee.unit }) {
            isTime = checked.isTime
        } else {
            if let problem = ResultValidation.unitProblem(result.pointee.unit) { throw context.error(result.pointee.displayName, problem) }
            isTime = ResultValidation.timeUnits.contains(result.pointee.unit)
            if checkedUnits.count == 8 { checkedUnits.removeFirst() }
            checkedUnits.append((result.pointee.unit, isTime))
        }
        guard !result.pointee.samples.isEmpty else { throw context.error(result.pointee.displayName, "has no samples") }
        for index in result.pointee.samples.indices {
            // Most samples pass: the message is looked for only for one that is not a plain finite value.
            let sample = result.pointee.samples[index]
            guard !sample.isFinite || abs(sample) > ResultValidation.maximumMagnitude, let problem = ResultValidation.problem(sample) else { continue }
            throw context.error("\(result.pointee.displayName) sample \(index + 1)", problem)
        }
        if isTime, let negative = result.pointee.samples.firstIndex(where: { $0 < 0 }) {
            throw context.error("\(result.pointee.displayName) sample \(negative + 1)",
                                "is a negative time (\(result.pointee.samples[negative]) \(result.pointee.unit))")
        }
        guard seen != nil else { return }
        guard seen!.insert(benchmark: result.pointee.benchmark, parameters: result.pointee.parameters, tag: place, inserted: results) == nil else {
            throw context.error(result.pointee.displayName, "appears twice; give each benchmark and parameter set its own name")
        }
    }

    private mutating func nameProblem(_ result: UnsafePointer<BenchmarkResult>) -> String? {
        // The series of one benchmark or binary share one dictionary, told at once. Of two others only
        // one entry, as a binary's `target`, is compared: comparing several looks keys up, which costs more than the scan.
        if result.pointee.parameters.sharesStorage(with: printableParameters) || isPrintable(result.pointee.parameters)
            || (result.pointee.parameters.count == 1 && result.pointee.parameters == printableParameters) {
            // Told by the name's bytes alone; the full check (an empty dictionary made for it) only for a name that may fail it.
            guard TextBytes.withBytes(of: result.pointee.benchmark, TextBytes.mayHoldControl) else { return nil }
            return ResultValidation.nameProblem(benchmark: result.pointee.benchmark, parameters: [:])
        }
        let problem = ResultValidation.nameProblem(benchmark: result.pointee.benchmark, parameters: result.pointee.parameters)
        if problem == nil {
            if !printableParameters.isEmpty, printableSlotsPay.isOpen {
                if printableSlots.isEmpty { printableSlots = Array(repeating: [:], count: 1 << SeriesNames.slotBits) }
                printableSlots[printableParameters.storageSlot(bits: SeriesNames.slotBits)] = printableParameters
            }
            printableParameters = result.pointee.parameters
        }
        return problem
    }

    /// Whether the dictionary is one found printable before, kept in its slot.
    private mutating func isPrintable(_ parameters: [String: String]) -> Bool {
        guard !printableSlots.isEmpty else { return false }
        guard printableSlotsPay.isOpen else {
            printableSlots = []
            return false
        }
        let found = printableSlots[parameters.storageSlot(bits: SeriesNames.slotBits)].sharesStorage(with: parameters)
        printableSlotsPay.record(found: found)
        return found
    }
}
