/*
 * log: one line per event on stderr: time, level, request id, message.
 * Implemented in src/app/log.c; the db and http layers call it.  Never log personal data or a
 * whole document.  log_warn() appends strerror(errno); log_warnx() does not.
 */
#ifndef APP_LOG_H
#define APP_LOG_H

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The request id printed on this thread's lines until it is set again (NULL clears it). */
void log_set_request_id(const char *id);
void log_set_debug(int on);

#endif
