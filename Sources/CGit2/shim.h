#ifndef BENCHBOT_CGIT2_SHIM_H
#define BENCHBOT_CGIT2_SHIM_H

#include <git2.h>
#include <signal.h>
#include <sys/prctl.h>

/* The *_INIT macros are struct initialisers Swift cannot import; these
   return the same defaults through the library's own init functions. */
static inline git_fetch_options benchbot_git_fetch_options(void) {
    git_fetch_options options;
    git_fetch_options_init(&options, GIT_FETCH_OPTIONS_VERSION);
    return options;
}

static inline git_checkout_options benchbot_git_checkout_options(void) {
    git_checkout_options options;
    git_checkout_options_init(&options, GIT_CHECKOUT_OPTIONS_VERSION);
    return options;
}

static inline git_push_options benchbot_git_push_options(void) {
    git_push_options options;
    git_push_options_init(&options, GIT_PUSH_OPTIONS_VERSION);
    return options;
}

/* prctl is variadic, which Swift cannot call. Orphaned descendants of a
   subreaper are re-parented to it instead of init, where they can be found
   and killed. */
static inline int benchbot_become_child_subreaper(void) {
    return prctl(PR_SET_CHILD_SUBREAPER, 1UL, 0UL, 0UL, 0UL);
}

/* A process that is not dumpable keeps /proc/<pid>/environ, mem and the
   like from every other process of its user (root excepted): the commands it
   runs cannot read its tokens there. exec makes a child dumpable again. */
static inline int benchbot_set_not_dumpable(void) {
    return prctl(PR_SET_DUMPABLE, 0UL, 0UL, 0UL, 0UL);
}

/* SIGKILL when the thread that started this process exits, so a helper
   never outlives a killed parent. */
static inline int benchbot_die_with_parent(void) {
    return prctl(PR_SET_PDEATHSIG, (unsigned long)SIGKILL, 0UL, 0UL, 0UL);
}

#endif
