#include "workers/consumers.h"

#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/log.h"
#include "core/status.h"
#include "workers/mails.h"
#include "workers/webhooks.h"

struct cw_consumers {
    cw_queue_t *q; /* a background connection of the caller's queue */
    cw_mail_worker_t *mails;
    cw_webhook_worker_t *webhooks;
};

static const char *const known[] = {CW_MAIL_QUEUE, CW_WEBHOOK_QUEUE, NULL};

/* Whether the comma-separated list names queue; "all" names every one. */
static bool names(const char *list, const char *queue)
{
    if (list == NULL || strcmp(list, "all") == 0)
        return true;
    size_t n = strlen(queue);
    for (const char *p = list; *p != '\0';) {
        while (*p == ' ' || *p == ',')
            p++;
        const char *end = p;
        while (*end != '\0' && *end != ',' && *end != ' ')
            end++;
        if ((size_t)(end - p) == n && memcmp(p, queue, n) == 0)
            return true;
        p = end;
    }
    return false;
}

bool cw_consumers_none(const char *list)
{
    return list != NULL && strcmp(list, "none") == 0;
}

bool cw_consumers_valid(const char *list)
{
    if (list == NULL || strcmp(list, "all") == 0 || cw_consumers_none(list))
        return true;
    bool any = false;
    for (const char *p = list; *p != '\0';) {
        while (*p == ' ' || *p == ',')
            p++;
        const char *end = p;
        while (*end != '\0' && *end != ',' && *end != ' ')
            end++;
        if (end == p)
            break;
        bool found = false;
        for (const char *const *k = known; *k != NULL && !found; k++)
            found = strlen(*k) == (size_t)(end - p) && memcmp(*k, p, (size_t)(end - p)) == 0;
        if (!found)
            return false;
        any = true;
        p = end;
    }
    return any;
}

int cw_consumers_start(const cw_config_t *cfg, cw_queue_t *q, cw_consumers_t **out)
{
    cw_consumers_t *c = cw_calloc(1, sizeof(*c));
    const char *list = cfg->consumers;
    *out = NULL;
    if (!cw_consumers_none(list)) {
        /* Claims and acks need not wait for the disk: see cw_queue_open_background. */
        if (cw_queue_open_background(q, &c->q) != CW_OK)
            goto fail;
        if (names(list, CW_MAIL_QUEUE) && cw_mail_worker_start(cfg, c->q, 1, &c->mails) != CW_OK)
            goto fail;
        if (names(list, CW_WEBHOOK_QUEUE) &&
            cw_webhook_worker_start(cfg, c->q, 1, &c->webhooks) != CW_OK)
            goto fail;
    }
    cw_log(CW_LOG_INFO, "msg=\"job consumers\" mails=%s webhooks=%s", c->mails ? "on" : "off",
           c->webhooks ? "on" : "off");
    *out = c;
    return CW_OK;
fail:
    cw_consumers_stop(c);
    return CW_EIO;
}

void cw_consumers_stop(cw_consumers_t *c)
{
    if (c == NULL)
        return;
    cw_webhook_worker_stop(c->webhooks);
    cw_mail_worker_stop(c->mails);
    cw_queue_close(c->q);
    free(c);
}
