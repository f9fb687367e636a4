/*
 * Logging to stderr, one line per event with key=value fields. Thread-safe (one write(2) per
 * line). Never pass a secret: passwords, session secrets, API keys, cookies.
 */
#ifndef CW_CORE_LOG_H
#define CW_CORE_LOG_H

typedef enum cw_log_level { CW_LOG_DEBUG, CW_LOG_INFO, CW_LOG_WARN, CW_LOG_ERROR } cw_log_level_t;

extern cw_log_level_t cw_log_min_level;

void cw_log_write(cw_log_level_t level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Parses "debug", "info", "warn" or "error"; returns -1 for anything else. */
int cw_log_level_parse(const char *s);

#define cw_log(level, ...)                                                                         \
    do {                                                                                           \
        if ((level) >= cw_log_min_level)                                                           \
            cw_log_write((level), __VA_ARGS__);                                                    \
    } while (0)

#endif
