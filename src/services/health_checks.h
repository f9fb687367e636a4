/*
 * The checks behind the Health service, apart from HTTP: the storage round trip, the in-process
 * cache and pub/sub, and queue sizes by Appwrite's queue names. The storage check touches the disk,
 * so it runs on worker threads; the others are cheap and run anywhere. Nothing returned is
 * allocated.
 */
#ifndef CW_SERVICES_HEALTH_CHECKS_H
#define CW_SERVICES_HEALTH_CHECKS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/net.h"
#include "core/str.h"
#include "queue/queue.h"

/* Writes a small file of random bytes under dir (made when missing), reads it back, compares and
 * removes it. The file is named .health-<random>. Returns 0, or CW_EIO (logged) when any step
 * failed; the file is gone either way when it could be removed at all. */
int cw_health_storage_roundtrip(const char *dir);

/* Ping the cache and the pub/sub backend. The embedded defaults live in this process, so they are
 * always reachable; a networked backend (Redis) will be asked here. Return 0 or CW_EIO. */
int cw_health_cache_ping(void);
int cw_health_pubsub_ping(void);

/* Names of the backends, for the statuses' names ("Cache (local)"). */
#define CW_HEALTH_CACHE_BACKEND "local"
#define CW_HEALTH_PUBSUB_BACKEND "local"

/* The default queue of /health/queue/databases, as Appwrite names it. */
#define CW_HEALTH_DATABASE_QUEUE "database_db_main"

/* The queues whose failed jobs /health/queue/failed/{name} counts, NULL-terminated, and the list
 * as the error message gives it. */
extern const char *const cw_health_failed_queues[];
extern const char cw_health_failed_queues_text[];

/* The canonical name of a failed-jobs queue, matched case-insensitively, or NULL. */
const char *cw_health_failed_queue_find(cw_str_t name);

/* Reads the domain parameter of /health/certificate: "host", "host:port", "[v6]:port", or an
 * http(s) URL whose host (and port, if any) is used. The port defaults to 443. Returns 0, or
 * CW_EINVAL when the value is none of these. */
int cw_health_domain_parse(cw_str_t domain, char host[CW_NET_HOST_MAX], int *port);

/* Jobs waiting in queue (Appwrite's name, "v1-mails", or a database queue such as
 * "database_db_main") of the job store q, or those dead there when failed is true. Appwrite's
 * "v1-NAME" is cwrite's queue NAME; a queue cwrite does not run has no jobs. Returns 0, or CW_EIO
 * when the store (NULL: it never opened) cannot answer. */
int cw_health_queue_size(cw_queue_t *q, cw_str_t queue, bool failed, int64_t *size);

#endif
