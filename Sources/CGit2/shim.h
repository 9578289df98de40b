#ifndef BENCHBOT_CGIT2_SHIM_H
#define BENCHBOT_CGIT2_SHIM_H

#include <git2.h>
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

#endif
