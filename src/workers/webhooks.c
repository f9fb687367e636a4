#include "workers/webhooks.h"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/log.h"
#include "core/status.h"
#include "core/timeutil.h"
#include "db/console.h"
#include "db/internal.h"

/* Appwrite's client timeouts for a delivery. */
#define CONNECT_TIMEOUT_S 15
#define DELIVERY_TIMEOUT_S 15
/* Appwrite keeps this much of a failing receiver's answer in the webhook's logs. */
#define LOG_BODY_MAX 10000
#define RESPONSE_MAX (5 * 1024 * 1024)
/* How long the subscriber trusts its copy of a project's webhooks when nothing in this process
 * said they changed (another process may have). */
#define CACHE_TTL_MS 5000
#define CACHE_PROJECTS 16
#define WEBHOOKS_MAX 1000
/* Params of an event a job names, at most. */
#define PARAMS_MAX 8
/* Jobs gathered before they are written without waiting for the emitter to run dry. */
#define BATCH_MAX 512

/* The subscriber ---------------------------------------------------------------------------- */

typedef struct project_hooks {
    char project[40];
    int64_t loaded_ms;
    unsigned generation;
    json_t *hooks; /* [{"$id", "events": [...]}, …] of the enabled webhooks; NULL: free slot */
    uint64_t last_use;
} project_hooks_t;

struct cw_webhooks {
    const cw_config_t *cfg;
    cw_queue_t *q;
    atomic_uint generation;
    /* Owned by the emitter thread. */
    project_hooks_t cache[CACHE_PROJECTS];
    uint64_t uses;
    cw_buf_t batch; /* "project\0payload\0" per job */
    size_t batch_count;
};

cw_webhooks_t *cw_webhooks_new(const cw_config_t *cfg, cw_queue_t *q)
{
    cw_webhooks_t *w = cw_calloc(1, sizeof(*w));
    w->cfg = cfg;
    w->q = q;
    return w;
}

void cw_webhooks_changed(cw_webhooks_t *w)
{
    if (w != NULL)
        atomic_fetch_add(&w->generation, 1);
}

/* Reads the project's enabled webhooks from its store. NULL when it cannot. */
static json_t *load_hooks(cw_webhooks_t *w, const char *project)
{
    cw_db_t *db = NULL;
    cw_db_error_t err = {0};
    json_t *out = NULL, *hooks = NULL;
    if (cw_db_open(w->cfg->data_dir, project, &db, &err) != 0)
        goto fail;
    json_t *q = json_array();
    json_array_append_new(q, cw_db_internal_query("equal", "enabled", json_true()));
    json_array_append_new(q, cw_db_internal_query("limit", NULL, json_integer(WEBHOOKS_MAX)));
    int rc = cw_db_internal_find(db, "webhooks", q, NULL, false, &out, &err);
    json_decref(q);
    if (rc != 0)
        goto fail;
    hooks = json_array();
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(out, "documents"), i, d)
    {
        json_array_append_new(hooks, json_pack("{s:O, s:O}", "$id", json_object_get(d, "$id"),
                                               "events", json_object_get(d, "events")));
    }
    goto out;
fail:
    cw_log(CW_LOG_WARN,
           "msg=\"webhooks: cannot read the project's webhooks\" project=%s error=\"%s\"", project,
           err.message);
out:
    json_decref(out);
    if (db != NULL)
        cw_db_close(db);
    return hooks;
}

static const json_t *hooks_of(cw_webhooks_t *w, const char *project)
{
    int64_t now = cw_time_now_ms();
    unsigned gen = atomic_load(&w->generation);
    project_hooks_t *slot = &w->cache[0];
    for (size_t i = 0; i < CACHE_PROJECTS; i++) {
        project_hooks_t *c = &w->cache[i];
        if (c->hooks != NULL && strcmp(c->project, project) == 0) {
            if (c->generation == gen && now - c->loaded_ms < CACHE_TTL_MS) {
                c->last_use = ++w->uses;
                return c->hooks;
            }
            slot = c;
            break;
        }
        if (c->hooks == NULL || (slot->hooks != NULL && c->last_use < slot->last_use))
            slot = c;
    }
    json_decref(slot->hooks);
    slot->hooks = load_hooks(w, project);
    if (slot->hooks == NULL)
        return NULL;
    snprintf(slot->project, sizeof(slot->project), "%s", project);
    slot->loaded_ms = now;
    slot->generation = gen;
    slot->last_use = ++w->uses;
    return slot->hooks;
}

static bool matches(const json_t *subscribed, const cw_event_t *ev)
{
    size_t i;
    json_t *s;
    json_array_foreach(subscribed, i, s)
    {
        const char *name = json_string_value(s);
        for (size_t k = 0; name != NULL && k < ev->nnames; k++) {
            if (strcmp(name, ev->names[k]) == 0)
                return true;
        }
    }
    return false;
}

static void on_flush(void *data)
{
    cw_webhooks_t *w = data;
    if (w->batch_count == 0)
        return;
    cw_queue_item_t *items = cw_calloc(w->batch_count, sizeof(*items));
    const char *p = w->batch.ptr;
    for (size_t i = 0; i < w->batch_count; i++) {
        items[i].queue = CW_WEBHOOK_QUEUE;
        items[i].project = p;
        p += strlen(p) + 1;
        items[i].payload = p;
        p += strlen(p) + 1;
    }
    if (cw_queue_enqueue_many(w->q, items, w->batch_count) != CW_OK)
        cw_log(CW_LOG_ERROR, "msg=\"webhooks: deliveries lost: the queue refused them\" jobs=%zu",
               w->batch_count);
    free(items);
    cw_buf_reset(&w->batch);
    w->batch_count = 0;
}

/* A JSON string. Names and IDs are plain ASCII, written directly; anything else goes through
 * jansson, which also checks the UTF-8. */
static void append_json_string(cw_buf_t *b, const char *s)
{
    if (s == NULL)
        s = "";
    bool plain = true;
    for (const char *p = s; *p != '\0' && plain; p++)
        plain = (unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f && *p != '"' && *p != '\\';
    if (plain) {
        cw_buf_append_char(b, '"');
        cw_buf_append_str(b, s);
        cw_buf_append_char(b, '"');
        return;
    }
    json_t *v = json_string(s);
    char *t = v != NULL ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    cw_buf_append_str(b, t != NULL ? t : "\"\"");
    free(t);
    json_decref(v);
}

static bool wants(const char *project, void *data)
{
    cw_webhooks_t *w = data;
    const json_t *hooks = w->q != NULL ? hooks_of(w, project) : NULL;
    return hooks != NULL && json_array_size(hooks) > 0;
}

/* One job per event, naming every webhook it matches: one row to write however many listen. */
static void on_event(const cw_event_t *ev, void *data)
{
    cw_webhooks_t *w = data;
    if (w->q == NULL)
        return;
    const json_t *hooks = hooks_of(w, ev->project);
    if (hooks == NULL || json_array_size(hooks) == 0)
        return;
    size_t matched = 0, i;
    json_t *h;
    json_array_foreach(hooks, i, h)
    {
        if (!matches(json_object_get(h, "events"), ev))
            continue;
        if (matched++ == 0) {
            cw_buf_append(&w->batch, ev->project, strlen(ev->project) + 1);
            cw_buf_append_str(&w->batch, "{\"webhookIds\":[");
        } else {
            cw_buf_append_char(&w->batch, ',');
        }
        append_json_string(&w->batch, json_string_value(json_object_get(h, "$id")));
    }
    if (matched == 0)
        return;
    cw_buf_append_str(&w->batch, "],\"userId\":");
    append_json_string(&w->batch, ev->user_id);
    if (ev->pattern != NULL) {
        /* What the names are made of, a tenth of their size: the consumer names them again. */
        cw_buf_append_str(&w->batch, ",\"event\":{\"pattern\":");
        append_json_string(&w->batch, ev->pattern);
        cw_buf_append_str(&w->batch, ",\"params\":[");
        for (size_t k = 0; k < ev->nparams; k++) {
            cw_buf_append_str(&w->batch, k > 0 ? ",[" : "[");
            append_json_string(&w->batch, ev->params[k].key);
            cw_buf_append_char(&w->batch, ',');
            append_json_string(&w->batch, ev->params[k].value);
            cw_buf_append_char(&w->batch, ']');
        }
        cw_buf_append_str(&w->batch, "]}");
    } else {
        cw_buf_append_str(&w->batch, ",\"events\":[");
        for (size_t k = 0; k < ev->nnames; k++) {
            if (k > 0)
                cw_buf_append_char(&w->batch, ',');
            append_json_string(&w->batch, ev->names[k]);
        }
        cw_buf_append_char(&w->batch, ']');
    }
    /* The payload goes last: the consumer sends its text as it is (payload_slice). */
    cw_buf_append_str(&w->batch, ",\"payload\":");
    cw_buf_append_str(&w->batch, ev->payload_text);
    cw_buf_append_char(&w->batch, '}');
    cw_buf_append_char(&w->batch, '\0');
    if (++w->batch_count >= BATCH_MAX)
        on_flush(w);
}

void cw_webhooks_subscribe(cw_webhooks_t *w, cw_events_t *e)
{
    cw_events_subscriber_t s = {"webhooks", on_event, on_flush, w, wants};
    cw_events_subscribe(e, &s);
}

void cw_webhooks_free(cw_webhooks_t *w)
{
    if (w == NULL)
        return;
    for (size_t i = 0; i < CACHE_PROJECTS; i++)
        json_decref(w->cache[i].hooks);
    cw_buf_free(&w->batch);
    free(w);
}

/* Delivery ---------------------------------------------------------------------------------- */

struct cw_webhook_worker {
    const cw_config_t *cfg;
    cw_queue_t *q;
    atomic_int stop;
    int threads;
    pthread_t *tids;
};

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

/* Appwrite's signature: base64 of HMAC-SHA1 over the URL followed by the body. */
static void sign(const char *key, const char *url, const char *body, size_t body_len, cw_buf_t *out)
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    cw_buf_t msg = CW_BUF_INIT;
    cw_buf_append_str(&msg, url);
    cw_buf_append(&msg, body, body_len);
    HMAC(EVP_sha1(), key, (int)strlen(key), (const unsigned char *)(msg.ptr != NULL ? msg.ptr : ""),
         msg.len, mac, &mac_len);
    append_base64(out, mac, mac_len);
    cw_buf_free(&msg);
}

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
    cw_buf_t *b = arg;
    size_t len = size * n;
    if (b->len + len > RESPONSE_MAX)
        return 0; /* Appwrite gives up on a larger answer */
    cw_buf_append(b, p, len);
    return len;
}

static int on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    const atomic_int *stop = arg;
    return atomic_load(stop) ? 1 : 0;
}

static struct curl_slist *header(struct curl_slist *h, const char *name, const char *value)
{
    cw_buf_t b = CW_BUF_INIT;
    cw_buf_printf(&b, "%s: %s", name, value != NULL ? value : "");
    /* A value never spans lines: a name with a line break is cut there. */
    for (size_t i = 0; i < b.len; i++) {
        if (b.ptr[i] == '\r' || b.ptr[i] == '\n')
            b.len = i;
    }
    cw_buf_append_char(&b, '\0');
    struct curl_slist *n = curl_slist_append(h, b.ptr);
    cw_buf_free(&b);
    return n != NULL ? n : h;
}

static const char *str_of(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s != NULL ? s : "";
}

/* What a consumer thread keeps between deliveries: its stores, and its libcurl handle, whose
 * connections stay open (keep-alive) for the next delivery to the same receiver. */
typedef struct consumer {
    cw_webhook_worker_t *w;
    cw_console_t *console;
    /* The project store delivered for last, kept open: opening one reads its schema, which would
     * cost more than a delivery. */
    char project[40];
    int64_t created_at;
    cw_db_t *db;
    CURL *curl;
    cw_events_namer_t *namer;
    /* The webhooks read during this batch, by "project/webhookId": each is read once a batch
     * and kept current with what the consumer writes to it. */
    json_t *hooks;
} consumer_t;

/* One delivery as the job describes it. */
typedef struct delivery {
    const char *project;
    const char *user_id;
    const char *events; /* the names, comma-separated (the header) */
    const char *body;   /* the payload's JSON text */
    size_t body_len;
} delivery_t;

/* POSTs one delivery. 0 when the receiver answered below 400; otherwise CW_EIO with Appwrite's
 * log text in logs. */
static int post(consumer_t *c, const json_t *hook, const delivery_t *d, cw_buf_t *logs)
{
    cw_webhook_worker_t *w = c->w;
    const char *url = str_of(hook, "url");
    cw_buf_t sig = CW_BUF_INIT, ua = CW_BUF_INIT, answer = CW_BUF_INIT;
    sign(str_of(hook, "signatureKey"), url, d->body, d->body_len, &sig);
    cw_buf_append_char(&sig, '\0');
    cw_buf_printf(&ua, "Appwrite-Server v%s. Please report abuse at %s", CW_APPWRITE_VERSION,
                  w->cfg->email_security != NULL ? w->cfg->email_security : "");
    char length[32];
    snprintf(length, sizeof(length), "%zu", d->body_len);

    struct curl_slist *h = NULL;
    h = header(h, "Content-Type", "application/json");
    h = header(h, "Content-Length", length);
    h = header(h, "X-Appwrite-Webhook-Id", str_of(hook, "$id"));
    h = header(h, "X-Appwrite-Webhook-Events", d->events);
    h = header(h, "X-Appwrite-Webhook-Name", str_of(hook, "name"));
    h = header(h, "X-Appwrite-Webhook-User-Id", d->user_id);
    h = header(h, "X-Appwrite-Webhook-Project-Id", d->project);
    h = header(h, "X-Appwrite-Webhook-Signature", sig.ptr);
    h = curl_slist_append(h, "Expect:");

    char curl_err[CURL_ERROR_SIZE] = "";
    long status = 0;
    if (c->curl == NULL)
        c->curl = curl_easy_init();
    CURL *curl = c->curl;
    CURLcode rc = CURLE_FAILED_INIT;
    if (curl != NULL) {
        /* Every option is set again; the open connections stay. */
        curl_easy_reset(curl);
        bool verify = json_is_true(json_object_get(hook, "security"));
        curl_easy_setopt(curl, CURLOPT_URL, url);
        curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, (long)CONNECT_TIMEOUT_S);
        curl_easy_setopt(curl, CURLOPT_TIMEOUT, (long)DELIVERY_TIMEOUT_S);
        curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_err);
        curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, verify ? 1L : 0L);
        curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, verify ? 2L : 0L);
        curl_easy_setopt(curl, CURLOPT_USERAGENT, ua.ptr);
        curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, d->body);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)d->body_len);
        curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer);
        curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(curl, CURLOPT_XFERINFODATA, (void *)&w->stop);
        /* Basic auth only with both, as Appwrite. */
        const char *user = str_of(hook, "httpUser"), *pass = str_of(hook, "httpPass");
        if (user[0] != '\0' && pass[0] != '\0') {
            curl_easy_setopt(curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
            curl_easy_setopt(curl, CURLOPT_USERNAME, user);
            curl_easy_setopt(curl, CURLOPT_PASSWORD, pass);
        }
        rc = curl_easy_perform(curl);
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
        /* The handle must not keep pointers into this call's buffers. */
        curl_easy_setopt(curl, CURLOPT_HTTPHEADER, NULL);
        curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, NULL);
    }
    int out = rc == CURLE_OK && status < 400 ? CW_OK : CW_EIO;
    if (out != CW_OK) {
        cw_buf_printf(logs, "URL: %s\nMethod: POST\n", url);
        if (rc != CURLE_OK) {
            cw_buf_printf(logs, "Client Error: %s\n",
                          curl_err[0] != '\0' ? curl_err : curl_easy_strerror(rc));
            cw_buf_append_str(logs, "Events: ");
            for (const char *e = d->events; *e != '\0'; e++) {
                if (*e == ',')
                    cw_buf_append_str(logs, ", ");
                else
                    cw_buf_append_char(logs, *e);
            }
            cw_buf_append_str(logs, "\n");
        } else {
            size_t n = answer.len < LOG_BODY_MAX ? answer.len : LOG_BODY_MAX;
            while (n > 0 && n < answer.len && ((unsigned char)answer.ptr[n] & 0xc0) == 0x80)
                n--; /* cut on a character boundary */
            cw_buf_printf(logs, "Status code: %ld\nBody: \n", status);
            cw_buf_append(logs, answer.ptr, n);
            cw_buf_append_str(logs, "\n");
        }
    }
    curl_slist_free_all(h);
    cw_buf_free(&sig);
    cw_buf_free(&ua);
    cw_buf_free(&answer);
    return out;
}

typedef enum outcome { OUT_DONE, OUT_RETRY, OUT_RELEASE } outcome_t;

static int consumer_db_get(consumer_t *c, const cw_project_t *p, cw_db_t **out, cw_db_error_t *err)
{
    if (c->db != NULL && strcmp(c->project, p->id) == 0 && c->created_at == p->created_at) {
        *out = c->db;
        return 0;
    }
    if (c->db != NULL)
        cw_db_close(c->db);
    c->db = NULL;
    if (cw_db_open(c->w->cfg->data_dir, p->id, &c->db, err) != 0) {
        c->db = NULL;
        return -1;
    }
    snprintf(c->project, sizeof(c->project), "%s", p->id);
    c->created_at = p->created_at;
    *out = c->db;
    return 0;
}

/* The webhook as stored (read once per batch): 0 with *hook borrowed from the batch's cache,
 * CW_ENOTFOUND when it is gone, CW_EIO. */
static int hook_get(consumer_t *c, cw_db_t *db, const char *project, const char *id, json_t **hook,
                    cw_db_error_t *err)
{
    char key[128];
    snprintf(key, sizeof(key), "%s/%s", project, id);
    *hook = json_object_get(c->hooks, key);
    if (*hook != NULL)
        return CW_OK;
    json_t *h = NULL;
    if (cw_db_internal_get(db, "webhooks", id, &h, err) != 0)
        return err->type == CW_ERR_DOCUMENT_NOT_FOUND ? CW_ENOTFOUND : CW_EIO;
    json_object_set_new(c->hooks, key, h);
    *hook = h;
    return CW_OK;
}

/* Writes data to the webhook and keeps the batch's copy current. */
static void hook_update(consumer_t *c, cw_db_t *db, const char *project, const char *id,
                        json_t *data, const char *what)
{
    char key[128];
    snprintf(key, sizeof(key), "%s/%s", project, id);
    json_t *updated = NULL;
    cw_db_error_t derr = {0};
    if (cw_db_internal_update(db, "webhooks", id, data, &updated, &derr) != 0) {
        cw_log(CW_LOG_WARN, "msg=\"webhooks: cannot %s\" webhook=%s", what, id);
        json_object_del(c->hooks, key);
        json_decref(updated);
        return;
    }
    if (updated != NULL)
        json_object_set_new(c->hooks, key, updated);
    else
        json_object_del(c->hooks, key);
}

/* Where the payload's text starts in a job written by on_event: after the first ',"payload":'
 * (the fields before it hold no such text: IDs and names, any '"' in them escaped), running to
 * the job's closing brace. False for a job not shaped so. */
static bool payload_slice(const char *job, size_t *head_len, const char **body, size_t *len)
{
    static const char key[] = ",\"payload\":";
    const char *at = strstr(job, key);
    size_t n = strlen(job);
    if (at == NULL || n < 2 || job[n - 1] != '}')
        return false;
    *head_len = (size_t)(at - job);
    *body = at + sizeof(key) - 1;
    *len = (size_t)(job + n - 1 - *body);
    return *len > 0 && (**body == '{' || **body == '[');
}

/* The job's event names, comma-separated, into out: listed ("events"), or named again from their
 * pattern and params ("event"). */
static void event_names(consumer_t *c, const json_t *meta, cw_buf_t *out)
{
    size_t i;
    json_t *e;
    const json_t *list = json_object_get(meta, "events");
    if (json_is_array(list)) {
        json_array_foreach(list, i, e)
        {
            if (i > 0)
                cw_buf_append_char(out, ',');
            cw_buf_append_str(out, json_string_value(e) != NULL ? json_string_value(e) : "");
        }
    } else {
        const json_t *ev = json_object_get(meta, "event");
        const char *pattern = json_string_value(json_object_get(ev, "pattern"));
        const json_t *pairs = json_object_get(ev, "params");
        cw_event_param_t params[PARAMS_MAX];
        size_t n = 0, count = 0;
        json_array_foreach(pairs, i, e)
        {
            const char *k = json_string_value(json_array_get(e, 0));
            const char *v = json_string_value(json_array_get(e, 1));
            if (n < PARAMS_MAX && k != NULL && v != NULL)
                params[n++] = (cw_event_param_t){k, v};
        }
        cw_buf_t names = CW_BUF_INIT;
        if (pattern != NULL && n == json_array_size(pairs) &&
            cw_events_names(c->namer, pattern, params, n, &names, &count) == CW_OK) {
            const char *p = names.ptr;
            for (size_t k = 0; k < count; k++, p += strlen(p) + 1) {
                if (k > 0)
                    cw_buf_append_char(out, ',');
                cw_buf_append_str(out, p);
            }
        } else {
            cw_log(CW_LOG_WARN, "msg=\"webhooks: a job's event cannot be named\"");
        }
        cw_buf_free(&names);
    }
    cw_buf_append_char(out, '\0');
}

/* Delivers one job to each webhook it names, as stored now (gone or disabled: nothing to do).
 * What failed and may be retried stays in *left (NULL: nothing). */
static outcome_t deliver(consumer_t *c, const cw_job_t *job, json_t **left, char *err,
                         size_t err_len)
{
    cw_webhook_worker_t *w = c->w;
    json_error_t jerr;
    size_t head_len = 0, body_len = 0;
    const char *body = NULL;
    char *owned_body = NULL;
    json_t *meta = NULL, *ids = NULL;
    cw_buf_t events = CW_BUF_INIT;
    cw_db_t *db = NULL;
    cw_db_error_t derr = {0};
    cw_project_t project = {0};
    outcome_t out = OUT_DONE;
    *left = NULL;
    /* Only the head is parsed; the payload is sent as the text it is. */
    if (payload_slice(job->payload, &head_len, &body, &body_len)) {
        cw_buf_t head = CW_BUF_INIT;
        cw_buf_append(&head, job->payload, head_len);
        cw_buf_append_char(&head, '}');
        meta = json_loadb(head.ptr, head.len, 0, &jerr);
        cw_buf_free(&head);
    } else {
        meta = json_loads(job->payload, 0, &jerr);
        owned_body = json_dumps(json_object_get(meta, "payload"), JSON_COMPACT | JSON_ENCODE_ANY);
        body = owned_body != NULL ? owned_body : "";
        body_len = strlen(body);
    }
    if (meta == NULL) {
        snprintf(err, err_len, "payload is not JSON: %s", jerr.text);
        goto out;
    }
    /* Jobs queued before one job carried every webhook name one webhookId. */
    ids = json_incref(json_object_get(meta, "webhookIds"));
    if (!json_is_array(ids)) {
        json_decref(ids);
        ids = json_array();
        json_array_append(ids, json_object_get(meta, "webhookId"));
    }
    size_t i;
    event_names(c, meta, &events);
    if (c->console == NULL) {
        snprintf(err, err_len, "the console store is not open");
        out = OUT_RETRY;
        goto out;
    }
    int rc = cw_console_project_get(c->console, cw_str(job->project), &project);
    if (rc == CW_ENOTFOUND)
        goto out; /* the project is gone, and its webhooks with it */
    if (rc != CW_OK || consumer_db_get(c, &project, &db, &derr) != 0) {
        snprintf(err, err_len, "cannot open the project's store: %.300s", derr.message);
        out = OUT_RETRY;
        goto out;
    }
    delivery_t d = {job->project, str_of(meta, "userId"), events.ptr, body, body_len};
    bool delivered_any = false;
    json_t *id_v;
    json_array_foreach(ids, i, id_v)
    {
        const char *id = json_string_value(id_v);
        json_t *hook = NULL;
        if (id == NULL)
            continue;
        if (atomic_load(&w->stop)) { /* the rest waits for the next start */
            if (*left == NULL)
                *left = json_array();
            json_array_append(*left, id_v);
            continue;
        }
        rc = hook_get(c, db, job->project, id, &hook, &derr);
        if (rc == CW_ENOTFOUND)
            continue;
        if (rc != CW_OK) {
            snprintf(err, err_len, "cannot read the webhook: %.300s", derr.message);
            if (*left == NULL)
                *left = json_array();
            json_array_append(*left, id_v);
            continue;
        }
        if (!json_is_true(json_object_get(hook, "enabled")))
            continue;
        cw_buf_t logs = CW_BUF_INIT;
        rc = post(c, hook, &d, &logs);
        json_int_t attempts = json_integer_value(json_object_get(hook, "attempts"));
        if (rc == CW_OK) {
            delivered_any = true;
            if (attempts > 0) {
                json_t *data = json_pack("{s:i}", "attempts", 0);
                hook_update(c, db, job->project, id, data, "reset attempts");
                json_decref(data);
            }
        } else if (atomic_load(&w->stop)) {
            if (*left == NULL)
                *left = json_array();
            json_array_append(*left, id_v);
        } else {
            attempts++;
            json_int_t max =
                w->cfg->webhook_max_failed_attempts > 0 ? w->cfg->webhook_max_failed_attempts : 10;
            bool disable = attempts >= max;
            json_t *data = json_pack("{s:I, s:s%}", "attempts", attempts, "logs",
                                     logs.ptr != NULL ? logs.ptr : "", logs.len);
            if (disable)
                json_object_set_new(data, "enabled", json_false());
            hook_update(c, db, job->project, id, data, "record the failure");
            json_decref(data);
            snprintf(err, err_len, "%.*s", (int)(logs.len < 400 ? logs.len : 400),
                     logs.ptr != NULL ? logs.ptr : "");
            for (char *p = err; *p != '\0'; p++) {
                if (*p == '\n')
                    *p = ' ';
            }
            /* A disabled webhook takes no more deliveries: its part of the job ends here. */
            if (disable)
                cw_log(CW_LOG_WARN,
                       "msg=\"webhooks: disabled after failed deliveries\" project=%s "
                       "webhook=%s attempts=%lld",
                       job->project, id, (long long)attempts);
            else {
                if (*left == NULL)
                    *left = json_array();
                json_array_append(*left, id_v);
            }
        }
        cw_buf_free(&logs);
    }
    if (*left != NULL)
        out = atomic_load(&w->stop) && !delivered_any ? OUT_RELEASE : OUT_RETRY;
out:
    json_decref(ids);
    json_decref(meta);
    free(owned_body);
    cw_buf_free(&events);
    cw_project_clear(&project);
    return out;
}

/* The job's payload naming only the webhooks in left, or NULL when it names just those (or left
 * is NULL: the job failed before any webhook was tried). */
static char *payload_for(const cw_job_t *job, json_t *left)
{
    if (left == NULL)
        return NULL;
    json_t *all = json_loads(job->payload, 0, NULL);
    const json_t *ids = json_object_get(all, "webhookIds");
    char *out = NULL;
    if (all != NULL && !json_equal(ids, left) &&
        !(json_array_size(left) == 1 &&
          json_equal(json_object_get(all, "webhookId"), json_array_get(left, 0)))) {
        json_object_del(all, "webhookId");
        json_object_set(all, "webhookIds", left);
        /* The payload stays last (payload_slice). */
        json_t *payload = json_incref(json_object_get(all, "payload"));
        json_object_del(all, "payload");
        json_object_set_new(all, "payload", payload);
        out = json_dumps(all, JSON_COMPACT);
    }
    json_decref(all);
    return out;
}

/* Jobs claimed at once: one transaction for the claim and one for the acks of the batch. */
#define CLAIM_MAX 64

static void *consume(void *arg)
{
    consumer_t c = {.w = arg};
    cw_webhook_worker_t *w = c.w;
    c.hooks = json_object();
    c.namer = cw_events_namer_new();
    if (cw_console_open(w->cfg->data_dir, &c.console) != CW_OK)
        c.console = NULL;
    cw_job_t jobs[CLAIM_MAX], *done[CLAIM_MAX];
    cw_job_t acks[CLAIM_MAX];
    while (!atomic_load(&w->stop)) {
        size_t n = 0, ndone = 0;
        int rc = cw_queue_wait_many(w->q, CW_WEBHOOK_QUEUE, jobs, CLAIM_MAX, &n, &w->stop);
        if (rc != CW_OK) {
            if (rc != CW_ENOTFOUND) { /* the store fails: try again in a while */
                struct timespec ts = {1, 0};
                nanosleep(&ts, NULL);
            }
            continue;
        }
        int64_t claimed = cw_time_now_ms();
        json_object_clear(c.hooks);
        for (size_t k = 0; k < n; k++) {
            cw_job_t *job = &jobs[k];
            /* Half the lease gone (slow receivers): the rest goes back before the lease runs
             * out, rather than being claimed twice. */
            if (atomic_load(&w->stop) || cw_time_now_ms() - claimed > CW_QUEUE_LEASE_MS / 2) {
                cw_queue_release(w->q, job);
                continue;
            }
            char err[512] = "";
            json_t *left = NULL;
            outcome_t out = deliver(&c, job, &left, err, sizeof(err));
            if (out == OUT_DONE) {
                done[ndone++] = job;
            } else if (out == OUT_RELEASE) {
                cw_queue_release(w->q, job);
            } else {
                bool dead = false;
                char *rest = payload_for(job, left);
                cw_queue_fail_payload(w->q, job, rest, err, &dead);
                free(rest);
                cw_log(dead ? CW_LOG_ERROR : CW_LOG_INFO,
                       "webhooks: %s job=%lld project=%s attempt=%d error=\"%s\"",
                       dead ? "gave up" : "will retry", (long long)job->id, job->project,
                       job->attempts, err);
            }
            json_decref(left);
        }
        for (size_t k = 0; k < ndone; k++)
            acks[k] = *done[k];
        size_t acked = 0;
        cw_queue_ack_many(w->q, acks, ndone, &acked);
        for (size_t k = 0; k < n; k++)
            cw_queue_job_clear(&jobs[k]);
    }
    json_decref(c.hooks);
    cw_events_namer_free(c.namer);
    if (c.curl != NULL)
        curl_easy_cleanup(c.curl);
    if (c.db != NULL)
        cw_db_close(c.db);
    cw_console_close(c.console);
    return NULL;
}

static void init_curl(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

int cw_webhook_worker_start(const cw_config_t *cfg, cw_queue_t *q, int threads,
                            cw_webhook_worker_t **out)
{
    static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
    pthread_once(&curl_once, init_curl);
    int n = threads < 1 ? 1 : threads;
    cw_webhook_worker_t *w = cw_calloc(1, sizeof(*w));
    w->cfg = cfg;
    w->q = q;
    w->tids = cw_calloc((size_t)n, sizeof(pthread_t));
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    for (int i = 0; i < n; i++) {
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

void cw_webhook_worker_stop(cw_webhook_worker_t *w)
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
