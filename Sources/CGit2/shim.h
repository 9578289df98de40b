#ifndef BENCHBOT_CGIT2_SHIM_H
#define BENCHBOT_CGIT2_SHIM_H

#include <git2.h>

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

#endif
