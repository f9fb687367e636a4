#include "workers/mails.h"

#include <curl/curl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/id.h"
#include "core/log.h"
#include "core/status.h"

#define CONNECT_TIMEOUT_S 10
#define SEND_TIMEOUT_S 60
#define CHECK_TIMEOUT_S 5 /* Appwrite tries a project's server for 5 s */

struct cw_mail_worker {
    const cw_config_t *cfg;
    cw_queue_t *q;
    atomic_int stop;
    int threads;
    pthread_t *tids;
};

/* The server and sender a mail goes through: the payload's smtp object when it has one (a
 * project's own server), the configuration otherwise. Strings are borrowed. */
typedef struct smtp_target {
    const char *host;
    int port;
    const char *secure;
    const char *username;
    const char *password;
    const char *from_email;
    const char *from_name;
    const char *reply_email;
    const char *reply_name;
} smtp_target_t;

static const char *str_in(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : "";
}

static const char *or_default(const char *v, const char *def)
{
    return v != NULL && v[0] != '\0' ? v : (def != NULL ? def : "");
}

static void target_of(const cw_config_t *cfg, const json_t *payload, smtp_target_t *t)
{
    const json_t *smtp = json_object_get(payload, "smtp");
    if (json_is_object(smtp) && str_in(smtp, "host")[0] != '\0') {
        const json_t *port = json_object_get(smtp, "port");
        *t = (smtp_target_t){
            .host = str_in(smtp, "host"),
            .port = json_is_integer(port)  ? (int)json_integer_value(port)
                    : json_is_string(port) ? atoi(json_string_value(port))
                                           : 25,
            .secure = str_in(smtp, "secure"),
            .username = str_in(smtp, "username"),
            .password = str_in(smtp, "password"),
            .from_email = or_default(str_in(smtp, "senderEmail"), cfg->email_address),
            .from_name = or_default(str_in(smtp, "senderName"), cfg->email_name),
            .reply_email = or_default(str_in(smtp, "replyToEmail"), str_in(smtp, "replyTo")),
            .reply_name = str_in(smtp, "replyToName"),
        };
    } else {
        *t = (smtp_target_t){
            .host = or_default(cfg->smtp_host, NULL),
            .port = cfg->smtp_port > 0 ? cfg->smtp_port : 25,
            .secure = or_default(cfg->smtp_secure, NULL),
            .username = or_default(cfg->smtp_username, NULL),
            .password = or_default(cfg->smtp_password, NULL),
            .from_email = or_default(cfg->email_address, NULL),
            .from_name = or_default(cfg->email_name, NULL),
            .reply_email = "",
            .reply_name = "",
        };
    }
    if (t->port <= 0 || t->port > 65535)
        t->port = 25;
}

/* An address goes between angle brackets in commands and headers: it must hold none, nor
 * spaces or line breaks. */
static bool address_ok(const char *a)
{
    if (a[0] == '\0' || strchr(a, '@') == NULL)
        return false;
    for (const char *p = a; *p; p++) {
        if ((unsigned char)*p <= ' ' || *p == '<' || *p == '>' || *p == '"' || *p == ',')
            return false;
    }
    return true;
}

static void append_base64(cw_buf_t *b, const unsigned char *p, size_t n)
{
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16;
        if (i + 1 < n)
            v |= (unsigned)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        cw_buf_append_char(b, tbl[(v >> 18) & 63]);
        cw_buf_append_char(b, tbl[(v >> 12) & 63]);
        cw_buf_append_char(b, i + 1 < n ? tbl[(v >> 6) & 63] : '=');
        cw_buf_append_char(b, i + 2 < n ? tbl[v & 63] : '=');
    }
}

/* Header text: kept as it is when plain printable ASCII, else RFC 2047 encoded words (UTF-8,
 * base64) cut on character boundaries. Line breaks never get through. */
static void append_header_text(cw_buf_t *b, const char *s, bool phrase)
{
    bool plain = true;
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c < 0x20 || c >= 0x7f || (phrase && (c == '"' || c == '\\')))
            plain = false;
    }
    if (plain) {
        if (phrase)
            cw_buf_printf(b, "\"%s\"", s);
        else
            cw_buf_append_str(b, s);
        return;
    }
    size_t n = strlen(s), i = 0;
    while (i < n) {
        size_t end = i + 45 < n ? i + 45 : n;
        while (end < n && end > i && ((unsigned char)s[end] & 0xc0) == 0x80)
            end--;
        if (i > 0)
            cw_buf_append_char(b, ' ');
        cw_buf_append_str(b, "=?UTF-8?B?");
        append_base64(b, (const unsigned char *)s + i, end - i);
        cw_buf_append_str(b, "?=");
        i = end;
    }
}

static struct curl_slist *add_header(struct curl_slist *h, cw_buf_t *b)
{
    cw_buf_append_char(b, '\0');
    struct curl_slist *n = curl_slist_append(h, b->ptr);
    cw_buf_reset(b);
    return n != NULL ? n : h;
}

static struct curl_slist *add_mailbox(struct curl_slist *h, cw_buf_t *b, const char *header,
                                      const char *name, const char *email)
{
    cw_buf_printf(b, "%s: ", header);
    if (name != NULL && name[0] != '\0') {
        append_header_text(b, name, true);
        cw_buf_append_char(b, ' ');
    }
    cw_buf_printf(b, "<%s>", email);
    return add_header(h, b);
}

static int on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    const atomic_int *stop = arg;
    return stop != NULL && atomic_load(stop) ? 1 : 0;
}

int cw_mail_send(const cw_config_t *cfg, const json_t *payload, const atomic_int *stop, char *err,
                 size_t err_len)
{
    err[0] = '\0';
    smtp_target_t t;
    target_of(cfg, payload, &t);
    const char *to = str_in(payload, "to");
    if (t.host[0] == '\0') {
        snprintf(err, err_len, "no SMTP server is configured");
        return CW_EIO;
    }
    if (!address_ok(to) || !address_ok(t.from_email)) {
        snprintf(err, err_len, "invalid recipient or sender address");
        return CW_EINVAL;
    }
    bool implicit_tls = strcmp(t.secure, "ssl") == 0;
    bool starttls = strcmp(t.secure, "tls") == 0;
    CURL *curl = curl_easy_init();
    if (curl == NULL) {
        snprintf(err, err_len, "cannot start a transfer");
        return CW_EIO;
    }
    char url[512];
    bool v6 = strchr(t.host, ':') != NULL;
    snprintf(url, sizeof(url), "%s://%s%s%s:%d", implicit_tls ? "smtps" : "smtp", v6 ? "[" : "",
             t.host, v6 ? "]" : "", t.port);

    cw_buf_t b = CW_BUF_INIT;
    struct curl_slist *headers = NULL;
    char date[64];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
    cw_buf_printf(&b, "Date: %s", date);
    headers = add_header(headers, &b);
    headers = add_mailbox(headers, &b, "From", t.from_name, t.from_email);
    headers = add_mailbox(headers, &b, "To", str_in(payload, "name"), to);
    if (address_ok(t.reply_email))
        headers = add_mailbox(headers, &b, "Reply-To", t.reply_name, t.reply_email);
    cw_buf_append_str(&b, "Subject: ");
    append_header_text(&b, str_in(payload, "subject"), false);
    headers = add_header(headers, &b);
    char rnd[33];
    cw_random_hex(rnd, 16);
    cw_buf_printf(&b, "Message-ID: <%s%s>", rnd, strchr(t.from_email, '@'));
    headers = add_header(headers, &b);
    cw_buf_free(&b);

    /* The two parts straight under a multipart/alternative top (curl's default would be
     * multipart/mixed), so readers pick the HTML and fall back on the text. */
    headers = curl_slist_append(headers, "Content-Type: multipart/alternative");
    curl_mime *mime = curl_mime_init(curl);
    curl_mimepart *part = curl_mime_addpart(mime);
    curl_mime_data(part, str_in(payload, "text"), CURL_ZERO_TERMINATED);
    curl_mime_type(part, "text/plain; charset=utf-8");
    curl_mime_encoder(part, "quoted-printable");
    part = curl_mime_addpart(mime);
    curl_mime_data(part, str_in(payload, "html"), CURL_ZERO_TERMINATED);
    curl_mime_type(part, "text/html; charset=utf-8");
    curl_mime_encoder(part, "quoted-printable");

    char from[320], rcpt_addr[320];
    snprintf(from, sizeof(from), "<%s>", t.from_email);
    snprintf(rcpt_addr, sizeof(rcpt_addr), "<%s>", to);
    struct curl_slist *rcpt = curl_slist_append(NULL, rcpt_addr);
    char curl_err[CURL_ERROR_SIZE] = "";

    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, (long)CONNECT_TIMEOUT_S);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, (long)SEND_TIMEOUT_S);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_err);
    curl_easy_setopt(curl, CURLOPT_USE_SSL,
                     starttls ? (long)CURLUSESSL_ALL : (long)CURLUSESSL_NONE);
    if (t.username[0] != '\0') {
        curl_easy_setopt(curl, CURLOPT_USERNAME, t.username);
        curl_easy_setopt(curl, CURLOPT_PASSWORD, t.password);
    }
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_MIMEPOST, mime);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, (void *)stop);

    CURLcode rc = curl_easy_perform(curl);
    if (rc != CURLE_OK)
        snprintf(err, err_len, "%s://%s:%d: %s", implicit_tls ? "smtps" : "smtp", t.host, t.port,
                 curl_err[0] != '\0' ? curl_err : curl_easy_strerror(rc));
    curl_easy_cleanup(curl);
    curl_mime_free(mime);
    curl_slist_free_all(headers);
    curl_slist_free_all(rcpt);
    return rc == CURLE_OK ? CW_OK : CW_EIO;
}

int cw_mail_smtp_check(const json_t *smtp, char *err, size_t err_len)
{
    err[0] = '\0';
    const char *host = str_in(smtp, "host"), *secure = str_in(smtp, "secure");
    const json_t *pv = json_object_get(smtp, "port");
    long port = json_is_integer(pv) ? (long)json_integer_value(pv) : 0;
    if (host[0] == '\0' || port <= 0 || port > 65535) {
        snprintf(err, err_len, "Could not connect to SMTP server: no host or port");
        return CW_EINVAL;
    }
    bool implicit_tls = strcmp(secure, "ssl") == 0;
    CURL *curl = curl_easy_init();
    if (curl == NULL) {
        snprintf(err, err_len, "cannot start a transfer");
        return CW_EIO;
    }
    char url[512];
    bool v6 = strchr(host, ':') != NULL;
    snprintf(url, sizeof(url), "%s://%s%s%s:%ld", implicit_tls ? "smtps" : "smtp", v6 ? "[" : "",
             host, v6 ? "]" : "", port);
    char curl_err[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    /* Connecting runs the greeting, EHLO, STARTTLS and the login, and stops there. */
    curl_easy_setopt(curl, CURLOPT_CONNECT_ONLY, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, (long)CHECK_TIMEOUT_S);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, (long)CHECK_TIMEOUT_S * 2);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_err);
    curl_easy_setopt(curl, CURLOPT_USE_SSL,
                     strcmp(secure, "tls") == 0 ? (long)CURLUSESSL_ALL : (long)CURLUSESSL_NONE);
    if (str_in(smtp, "username")[0] != '\0') {
        curl_easy_setopt(curl, CURLOPT_USERNAME, str_in(smtp, "username"));
        curl_easy_setopt(curl, CURLOPT_PASSWORD, str_in(smtp, "password"));
    }
    CURLcode rc = curl_easy_perform(curl);
    if (rc != CURLE_OK)
        snprintf(err, err_len, "Could not connect to SMTP server: %s",
                 curl_err[0] != '\0' ? curl_err : curl_easy_strerror(rc));
    curl_easy_cleanup(curl);
    return rc == CURLE_OK ? CW_OK : CW_EIO;
}

static void handle(cw_mail_worker_t *w, cw_job_t *job)
{
    char err[512] = "";
    json_error_t jerr;
    json_t *payload = json_loads(job->payload, 0, &jerr);
    int rc = CW_EINVAL;
    if (payload == NULL)
        snprintf(err, sizeof(err), "payload is not JSON: %s", jerr.text);
    else
        rc = cw_mail_send(w->cfg, payload, &w->stop, err, sizeof(err));
    const char *tmpl = payload != NULL ? str_in(payload, "template") : "";
    if (rc == CW_OK) {
        cw_queue_ack(w->q, job);
        cw_log(CW_LOG_INFO, "mails: sent job=%lld project=%s template=%s attempt=%d",
               (long long)job->id, job->project, tmpl, job->attempts);
    } else if (atomic_load(&w->stop)) {
        /* Cut short by the stop: the job goes back as if never tried. */
        cw_queue_release(w->q, job);
    } else {
        bool dead = false;
        cw_queue_fail(w->q, job, err, &dead);
        cw_log(dead ? CW_LOG_ERROR : CW_LOG_WARN,
               "mails: %s job=%lld project=%s template=%s attempt=%d error=\"%s\"",
               dead ? "gave up" : "will retry", (long long)job->id, job->project, tmpl,
               job->attempts, err);
    }
    json_decref(payload);
}

static void *consume(void *arg)
{
    cw_mail_worker_t *w = arg;
    while (!atomic_load(&w->stop)) {
        cw_job_t job;
        int rc = cw_queue_wait(w->q, CW_MAIL_QUEUE, &job, &w->stop);
        if (rc == CW_OK) {
            handle(w, &job);
            cw_queue_job_clear(&job);
        } else if (rc != CW_ENOTFOUND) {
            /* The store failed (logged): pause instead of spinning. */
            struct timespec ts = {1, 0};
            nanosleep(&ts, NULL);
        }
    }
    return NULL;
}

static void init_curl(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

int cw_mail_worker_start(const cw_config_t *cfg, cw_queue_t *q, int threads, cw_mail_worker_t **out)
{
    static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
    pthread_once(&curl_once, init_curl);
    cw_mail_worker_t *w = cw_calloc(1, sizeof(*w));
    w->cfg = cfg;
    w->q = q;
    w->tids = cw_calloc((size_t)(threads < 1 ? 1 : threads), sizeof(pthread_t));
    /* Signals are for the main thread: consumers start with them blocked. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    for (int i = 0; i < (threads < 1 ? 1 : threads); i++) {
        if (pthread_create(&w->tids[w->threads], NULL, consume, w) == 0)
            w->threads++;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (w->threads == 0) {
        free(w->tids);
        free(w);
        *out = NULL;
        return CW_EIO;
    }
    *out = w;
    return CW_OK;
}

void cw_mail_worker_stop(cw_mail_worker_t *w)
{
    if (w == NULL)
        return;
    atomic_store(&w->stop, 1);
    cw_queue_wake(w->q);
    for (int i = 0; i < w->threads; i++)
        pthread_join(w->tids[i], NULL);
    free(w->tids);
    free(w);
}
