/*
 * smtp: hands one composed message to an SMTP server with libcurl (MAIL FROM, RCPT TO, DATA;
 * curl escapes leading dots).  SMTP_ACCEPTED only when the server answered the end of DATA with
 * 2xx: that is the moment the message is the server's responsibility.  Error text never holds
 * an address.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

#include "mail/mail.h"

struct upload {
    const char *data;
    size_t len;
    size_t off;
};

static size_t read_cb(char *buf, size_t size, size_t nitems, void *arg)
{
    struct upload *u = arg;
    size_t room = size * nitems;
    size_t n = u->len - u->off;

    if (n > room)
        n = room;
    memcpy(buf, u->data + u->off, n);
    u->off += n;
    return n;
}

void smtp_global_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

void smtp_global_cleanup(void)
{
    curl_global_cleanup();
}

enum smtp_result smtp_send(const struct smtp_config *cfg, const char *from, const char *to,
                           const char *data, size_t len, char *errbuf, size_t errlen)
{
    CURL *c = curl_easy_init();
    struct curl_slist *rcpt = NULL;
    struct upload u = {data, len, 0};
    char curl_err[CURL_ERROR_SIZE] = "";
    char from_arg[300];
    char to_arg[300];
    long code = 0;
    enum smtp_result result;

    if (c == NULL) {
        snprintf(errbuf, errlen, "curl_easy_init failed");
        return SMTP_TEMPORARY;
    }
    snprintf(from_arg, sizeof from_arg, "<%s>", from);
    snprintf(to_arg, sizeof to_arg, "<%s>", to);
    rcpt = curl_slist_append(rcpt, to_arg);
    curl_easy_setopt(c, CURLOPT_URL, cfg->url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    if (cfg->user != NULL && cfg->user[0] != '\0') {
        curl_easy_setopt(c, CURLOPT_USERNAME, cfg->user);
        curl_easy_setopt(c, CURLOPT_PASSWORD, cfg->password ? cfg->password : "");
    }
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, from_arg);
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(c, CURLOPT_READDATA, &u);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, cfg->timeout_s > 0 ? cfg->timeout_s : 60L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_err);
    CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    if (rc == CURLE_OK) {
        result = SMTP_ACCEPTED;
    } else {
        /* 5xx at any step is the server's final word; anything else may pass later */
        result = code >= 500 && code < 600 ? SMTP_PERMANENT : SMTP_TEMPORARY;
        snprintf(errbuf, errlen, "%s (smtp %ld): %s", curl_easy_strerror(rc), code,
                 curl_err[0] ? curl_err : "no detail");
        /* curl's detail may quote a server reply naming the recipient: keep it out */
        if (strchr(errbuf, '@') != NULL)
            snprintf(errbuf, errlen, "%s (smtp %ld)", curl_easy_strerror(rc), code);
    }
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(c);
    return result;
}
