import Foundation

extension Intake {
    /// Queues what a push brought, as git's post-receive hook reports it.
    ///
    /// - Updated branch: every new commit since the old tip, oldest first (first parents only
    ///   unless `benchbot.intake.first_parent` is false). After a force-push, the commits that
    ///   replaced the old history.
    /// - New branch: its tip only; its history is the base branch's.
    /// - Deleted branch: ignored, or its queued jobs cancelled (`on_branch_delete`).
    /// - Tags: ignored unless `benchbot.intake.tags` is true.
    ///
    /// - Parameters:
    ///   - updates: The parsed hook input.
    ///   - repositoryPath: The repository pushed to; the hook runs inside it, so every pushed
    ///     object is already there and no fetch is needed.
    /// - Returns: One outcome per reference.
    /// - Throws: ``IntakeError``, ``GitError`` or ``StoreError``.
    public func receivePush(_ updates: [PushUpdate], in repositoryPath: String) async throws -> [IntakeOutcome] {
        let repository: GitRepository
        do {
            repository = try GitRepository.open(at: repositoryPath)
        } catch {
            throw IntakeError.notARepository(repositoryPath, detail: error.message)
        }
        var outcomes: [IntakeOutcome] = []
        for update in updates {
            outcomes.append(try await receive(update, repository: repository))
        }
        return outcomes
    }

    private func receive(_ update: PushUpdate, repository: GitRepository) async throws -> IntakeOutcome {
        switch update.kind {
        case .branchCreated(let branch):
            guard acceptsBranch(branch) else { return ignored("branch \(branch)", because: "not in benchbot.intake.hook_branches") }
            return try await enqueue([update.new], from: repository, branch: branch, source: .hook, newBranchTip: update.new)

        case .branchUpdated(let branch):
            guard acceptsBranch(branch) else { return ignored("branch \(branch)", because: "not in benchbot.intake.hook_branches") }
            var note: String?
            let commits: [ObjectID]
            if repository.contains(update.old) {
                commits = try repository.commits(from: update.new, excluding: [update.old], firstParent: settings.intake.firstParent)
            } else {
                // The old tip can be missing after a force-push followed by garbage collection;
                // the new tip is then the only commit known to be new.
                commits = [update.new]
                logger.warning("old tip \(update.old.hex) of \(branch) is not in \(repository.path); queuing the new tip only")
                note = "old tip \(update.old.short) is gone, queued the new tip only"
            }
            var outcome = try await enqueue(commits, from: repository, branch: branch, source: .hook, newBranchTip: update.new)
            outcome.note = note
            return outcome

        case .branchDeleted(let branch):
            guard settings.intake.onBranchDelete == .cancel else { return ignored("branch \(branch)", because: "deleted; ignored") }
            let cancelled = try await store.cancelQueuedJobs(repository: settings.repository.name, branch: branch, now: Date())
            return IntakeOutcome(label: "branch \(branch)", note: "deleted; cancelled \(cancelled) queued job(s)")

        case .tagPushed(let tag):
            guard settings.intake.tags else { return ignored("tag \(tag)", because: "tags are ignored (benchbot.intake.tags)") }
            let commit = try repository.resolve(update.new.hex)
            var outcome = try await enqueue([commit], from: repository, branch: nil, source: .hook)
            outcome.label = "tag \(tag)"
            return outcome

        case .tagDeleted(let tag):
            return ignored("tag \(tag)", because: "deleted; ignored")

        case .otherReference:
            return ignored(update.reference, because: "neither a branch nor a tag; ignored")
        }
    }

    private func acceptsBranch(_ branch: String) -> Bool {
        settings.intake.hookBranches.contains { globMatches($0, branch) }
    }

    private func ignored(_ label: String, because reason: String) -> IntakeOutcome {
        IntakeOutcome(label: label, note: reason)
    }
}
