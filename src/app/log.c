/* log: line-per-event logging to stderr with the thread's current request id. */
#include "app/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static _Thread_local char request_id[40];
static int debug_on;

void log_set_request_id(const char *id)
{
    snprintf(request_id, sizeof request_id, "%s", id ? id : "");
}

void log_set_debug(int on)
{
    debug_on = on;
}

static void emit(const char *level, const char *fmt, va_list ap, int errnum)
{
    char msg[1024];
    char ts[32];
    struct timespec now;
    struct tm tm;

    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &tm);
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
    vsnprintf(msg, sizeof msg, fmt, ap);
    /* one line per event, and nothing a terminal would act on: fold every control character */
    for (char *p = msg; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
    if (errnum)
        fprintf(stderr, "%s.%03ldZ %s [%s] %s: %s\n", ts, now.tv_nsec / 1000000, level,
                request_id[0] ? request_id : "-", msg, strerror(errnum));
    else
        fprintf(stderr, "%s.%03ldZ %s [%s] %s\n", ts, now.tv_nsec / 1000000, level,
                request_id[0] ? request_id : "-", msg);
}

void log_info(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit("info", fmt, ap, 0);
    va_end(ap);
}

void log_debug(const char *fmt, ...)
{
    va_list ap;
    if (!debug_on)
        return;
    va_start(ap, fmt);
    emit("debug", fmt, ap, 0);
    va_end(ap);
}

void log_warn(const char *fmt, ...)
{
    int e = errno;
    va_list ap;
    va_start(ap, fmt);
    emit("warn", fmt, ap, e);
    va_end(ap);
}

void log_warnx(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit("warn", fmt, ap, 0);
    va_end(ap);
}
