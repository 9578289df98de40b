#ifndef BENCHBOT_CCURL_SHIM_H
#define BENCHBOT_CCURL_SHIM_H

#include <curl/curl.h>

/* curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot
   call; one typed shim per argument kind keeps each call type-checked. */

static inline CURLcode benchbot_curl_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode benchbot_curl_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode benchbot_curl_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode benchbot_curl_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}

typedef size_t (*benchbot_curl_data_callback)(char *data, size_t size, size_t count, void *context);

static inline CURLcode benchbot_curl_setopt_data_callback(CURL *handle, CURLoption option, benchbot_curl_data_callback callback) {
    return curl_easy_setopt(handle, option, callback);
}

typedef int (*benchbot_curl_progress_callback)(void *context, curl_off_t download_total, curl_off_t download_now,
                                               curl_off_t upload_total, curl_off_t upload_now);

static inline CURLcode benchbot_curl_setopt_progress_callback(CURL *handle, benchbot_curl_progress_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, callback);
}

static inline CURLcode benchbot_curl_setopt_offset(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode benchbot_curl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

#endif
