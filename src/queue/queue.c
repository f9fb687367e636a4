#include "queue/queue.h"

#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/alloc.h"
#include "core/id.h"
#include "core/log.h"
#include "core/status.h"
#include "core/timeutil.h"

#define BUSY_TIMEOUT_MS 10000
#define ERROR_MAX 1000 /* bytes of a failure kept with the job */

enum { STATE_PENDING = 0, STATE_DEAD = 1 };

/* due_ms is when a pending job may next be claimed; a claim moves it to the lease's end, so a job
 * whose consumer died is due again then, with no sweeper. */
static const char schema[] =
    "CREATE TABLE IF NOT EXISTS jobs ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " queue TEXT NOT NULL,"
    " project TEXT NOT NULL,"
    " payload TEXT NOT NULL,"
    " state INTEGER NOT NULL DEFAULT 0,"
    " attempts INTEGER NOT NULL DEFAULT 0,"
    " due_ms INTEGER NOT NULL,"
    " lease TEXT,"
    " created_ms INTEGER NOT NULL,"
    " updated_ms INTEGER NOT NULL,"
    " error TEXT);"
    "CREATE INDEX IF NOT EXISTS jobs_due ON jobs(queue, state, due_ms, id);";

/* The statements of the busy paths, prepared once per connection. */
enum { ST_INSERT, ST_CLAIM_SELECT, ST_CLAIM_UPDATE, ST_ACK, ST_COUNT };
static const char *const cached_sql[ST_COUNT] = {
    [ST_INSERT] = "INSERT INTO jobs(queue, project, payload, due_ms, created_ms, updated_ms) "
                  "VALUES (?1, ?2, ?3, ?4, ?4, ?4)",
    [ST_CLAIM_SELECT] = "SELECT id, project, payload, attempts FROM jobs WHERE queue = ?1 "
                        "AND state = 0 AND due_ms <= ?2 ORDER BY due_ms, id LIMIT ?3",
    [ST_CLAIM_UPDATE] = "UPDATE jobs SET attempts = attempts + 1, due_ms = ?2, lease = ?3, "
                        "updated_ms = ?4 WHERE id = ?1",
    [ST_ACK] = "DELETE FROM jobs WHERE id = ?1 AND lease = ?2",
};

/* Who waits for jobs in this process: shared by a queue and its background connections, so an
 * enqueue on either wakes the consumers of both. */
typedef struct waiters {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    uint64_t wakes; /* bumped on each enqueue and wake, under lock */
} waiters_t;

struct cw_queue {
    sqlite3 *db;
    cw_queue_opts_t opts;
    char *dir;
    pthread_mutex_t lock; /* the connection is used by one thread at a time */
    sqlite3_stmt *stmts[ST_COUNT];
    waiters_t own;
    waiters_t *waiters; /* &own, or the parent's for a background connection */
};

void cw_queue_opts_default(cw_queue_opts_t *o)
{
    *o = (cw_queue_opts_t){
        .max_attempts = CW_QUEUE_ATTEMPTS,
        .backoff_ms = CW_QUEUE_BACKOFF_MS,
        .backoff_max_ms = CW_QUEUE_BACKOFF_MAX_MS,
        .lease_ms = CW_QUEUE_LEASE_MS,
        .poll_ms = CW_QUEUE_POLL_MS,
    };
}

void cw_queue_opts_from_config(const cw_config_t *cfg, cw_queue_opts_t *o)
{
    cw_queue_opts_default(o);
    if (cfg->queue_attempts > 0)
        o->max_attempts = cfg->queue_attempts;
    if (cfg->queue_backoff_ms > 0) {
        o->backoff_ms = cfg->queue_backoff_ms;
        if (o->backoff_max_ms < o->backoff_ms)
            o->backoff_max_ms = o->backoff_ms;
    }
    if (cfg->queue_poll_ms > 0)
        o->poll_ms = cfg->queue_poll_ms;
}

static int fail_db(cw_queue_t *q, const char *what)
{
    cw_log(CW_LOG_ERROR, "queue: op=%s error=\"%s\"", what, sqlite3_errmsg(q->db));
    return CW_EIO;
}

static int open_at(const char *dir, const cw_queue_opts_t *opts, cw_queue_t *parent,
                   cw_queue_t **out)
{
    *out = NULL;
    if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
        cw_log(CW_LOG_ERROR, "queue: msg=\"cannot create data folder\" path=%s error=\"%s\"", dir,
               strerror(errno));
        return CW_EIO;
    }
    char path[4096];
    snprintf(path, sizeof(path), "%s/queue.db", dir);
    cw_queue_t *q = cw_calloc(1, sizeof(*q));
    q->dir = cw_strdup(dir);
    if (opts != NULL)
        q->opts = *opts;
    else
        cw_queue_opts_default(&q->opts);
    if (q->opts.max_attempts < 1)
        q->opts.max_attempts = 1;
    pthread_mutex_init(&q->lock, NULL);
    pthread_mutex_init(&q->own.lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&q->own.wake, &ca);
    pthread_condattr_destroy(&ca);
    q->waiters = parent != NULL ? parent->waiters : &q->own;
    /* Jobs enqueued by request handlers (mail) are acknowledged to the client: their commits
     * reach the disk (FULL). A background connection carries what no client waits on: the
     * deliveries the events thread derives, and the consumers' claims and acks. In WAL, NORMAL
     * survives a crash or kill of the process and may lose only the last commits on power loss,
     * which for those means events not yet turned into jobs (as when they are still in memory),
     * a job delivered again (at least once), or a retry sooner than planned. */
    const char *pragmas = parent != NULL ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                                         : "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;";
    char *err = NULL;
    if (sqlite3_open_v2(path, &q->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        fail_db(q, "open");
        goto fail;
    }
    sqlite3_busy_timeout(q->db, BUSY_TIMEOUT_MS);
    if (sqlite3_exec(q->db, pragmas, NULL, NULL, &err) != SQLITE_OK ||
        sqlite3_exec(q->db, schema, NULL, NULL, &err) != SQLITE_OK) {
        cw_log(CW_LOG_ERROR, "queue: op=schema path=%s error=\"%s\"", path, err ? err : "?");
        sqlite3_free(err);
        goto fail;
    }
    *out = q;
    return CW_OK;
fail:
    cw_queue_close(q);
    return CW_EIO;
}

int cw_queue_open(const char *dir, const cw_queue_opts_t *opts, cw_queue_t **out)
{
    return open_at(dir, opts, NULL, out);
}

int cw_queue_open_background(cw_queue_t *q, cw_queue_t **out)
{
    return open_at(q->dir, &q->opts, q, out);
}

void cw_queue_close(cw_queue_t *q)
{
    if (q == NULL)
        return;
    for (size_t i = 0; i < ST_COUNT; i++)
        sqlite3_finalize(q->stmts[i]);
    sqlite3_close_v2(q->db);
    pthread_cond_destroy(&q->own.wake);
    pthread_mutex_destroy(&q->own.lock);
    pthread_mutex_destroy(&q->lock);
    free(q->dir);
    free(q);
}

static sqlite3_stmt *prepare(cw_queue_t *q, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(q->db, sql, -1, &st, NULL) != SQLITE_OK) {
        fail_db(q, "prepare");
        return NULL;
    }
    return st;
}

/* Runs a statement that returns no rows; the number of rows changed goes to *changed. */
static int run(cw_queue_t *q, sqlite3_stmt *st, const char *what, int *changed)
{
    int rc = sqlite3_step(st) == SQLITE_DONE ? CW_OK : fail_db(q, what);
    if (changed != NULL)
        *changed = sqlite3_changes(q->db);
    sqlite3_finalize(st);
    return rc;
}

/* A statement of the busy paths, ready to bind; with q->lock held. NULL on failure. */
static sqlite3_stmt *cached(cw_queue_t *q, int which)
{
    sqlite3_stmt *st = q->stmts[which];
    if (st == NULL) {
        st = prepare(q, cached_sql[which]);
        q->stmts[which] = st;
    } else {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
    }
    return st;
}

static void notify(cw_queue_t *q)
{
    waiters_t *w = q->waiters;
    pthread_mutex_lock(&w->lock);
    w->wakes++;
    pthread_cond_broadcast(&w->wake);
    pthread_mutex_unlock(&w->lock);
}

void cw_queue_wake(cw_queue_t *q)
{
    notify(q);
}

static int enqueue_at(cw_queue_t *q, const char *queue, const char *project, const char *payload,
                      int64_t now, int64_t *id)
{
    pthread_mutex_lock(&q->lock);
    int rc = CW_EIO;
    sqlite3_stmt *st = cached(q, ST_INSERT);
    if (st != NULL) {
        sqlite3_bind_text(st, 1, queue, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, project, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, payload, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, now);
        rc = sqlite3_step(st) == SQLITE_DONE ? CW_OK : fail_db(q, "enqueue");
        sqlite3_reset(st);
        if (rc == CW_OK && id != NULL)
            *id = sqlite3_last_insert_rowid(q->db);
    }
    pthread_mutex_unlock(&q->lock);
    if (rc == CW_OK)
        notify(q);
    return rc;
}

int cw_queue_enqueue(cw_queue_t *q, const char *queue, const char *project, const char *payload,
                     int64_t *id)
{
    return enqueue_at(q, queue, project, payload, cw_time_now_ms(), id);
}

int cw_queue_enqueue_many(cw_queue_t *q, const cw_queue_item_t *items, size_t n)
{
    if (n == 0)
        return CW_OK;
    int64_t now = cw_time_now_ms();
    pthread_mutex_lock(&q->lock);
    int rc = CW_EIO;
    sqlite3_stmt *st = NULL;
    if (sqlite3_exec(q->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        fail_db(q, "enqueue-begin");
        goto out;
    }
    st = cached(q, ST_INSERT);
    if (st == NULL)
        goto rollback;
    for (size_t i = 0; i < n; i++) {
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, items[i].queue, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, items[i].project, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, items[i].payload, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, now);
        if (sqlite3_step(st) != SQLITE_DONE) {
            fail_db(q, "enqueue-many");
            goto rollback;
        }
    }
    if (sqlite3_exec(q->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        fail_db(q, "enqueue-commit");
        goto rollback;
    }
    rc = CW_OK;
    goto out;
rollback:
    sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
out:
    if (st != NULL)
        sqlite3_reset(st);
    pthread_mutex_unlock(&q->lock);
    if (rc == CW_OK)
        notify(q);
    return rc;
}

static char *column_dup(sqlite3_stmt *st, int i)
{
    const unsigned char *s = sqlite3_column_text(st, i);
    return cw_strdup(s != NULL ? (const char *)s : "");
}

/* Picks and leases the oldest due jobs (at most max) in one write transaction, so two processes
 * never both take one. They share one lease token. */
static int claim_many_at(cw_queue_t *q, const char *queue, int64_t now, cw_job_t *jobs, size_t max,
                         size_t *n)
{
    *n = 0;
    memset(jobs, 0, max * sizeof(*jobs));
    if (max == 0)
        return CW_OK;
    char lease[33];
    cw_random_hex(lease, 16);
    pthread_mutex_lock(&q->lock);
    int rc = CW_EIO;
    if (sqlite3_exec(q->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        fail_db(q, "claim-begin");
        goto out;
    }
    sqlite3_stmt *st = cached(q, ST_CLAIM_SELECT);
    if (st == NULL)
        goto rollback;
    sqlite3_bind_text(st, 1, queue, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, now);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)max);
    int step = SQLITE_DONE;
    while (*n < max && (step = sqlite3_step(st)) == SQLITE_ROW) {
        cw_job_t *job = &jobs[*n];
        job->id = sqlite3_column_int64(st, 0);
        job->project = column_dup(st, 1);
        job->payload = column_dup(st, 2);
        job->attempts = sqlite3_column_int(st, 3) + 1;
        job->queue = cw_strdup(queue);
        memcpy(job->lease, lease, sizeof(lease));
        (*n)++;
    }
    sqlite3_reset(st);
    if (*n < max && step != SQLITE_DONE) {
        fail_db(q, "claim-select");
        goto rollback;
    }
    if (*n == 0) {
        rc = CW_OK;
        goto rollback; /* nothing to write */
    }
    st = cached(q, ST_CLAIM_UPDATE);
    if (st == NULL)
        goto rollback;
    for (size_t i = 0; i < *n; i++) {
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, jobs[i].id);
        sqlite3_bind_int64(st, 2, now + q->opts.lease_ms);
        sqlite3_bind_text(st, 3, lease, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, now);
        if (sqlite3_step(st) != SQLITE_DONE) {
            fail_db(q, "claim-update");
            sqlite3_reset(st);
            goto rollback;
        }
    }
    sqlite3_reset(st);
    if (sqlite3_exec(q->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        fail_db(q, "claim-commit");
        goto rollback;
    }
    rc = CW_OK;
    goto out;
rollback:
    sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
out:
    pthread_mutex_unlock(&q->lock);
    if (rc != CW_OK || *n == 0) {
        for (size_t i = 0; i < *n; i++)
            cw_queue_job_clear(&jobs[i]);
        *n = 0;
    }
    return rc;
}

static int claim_at(cw_queue_t *q, const char *queue, int64_t now, cw_job_t *job)
{
    size_t n = 0;
    int rc = claim_many_at(q, queue, now, job, 1, &n);
    return rc == CW_OK && n == 0 ? CW_ENOTFOUND : rc;
}

int cw_queue_claim(cw_queue_t *q, const char *queue, cw_job_t *job)
{
    return claim_at(q, queue, cw_time_now_ms(), job);
}

int cw_queue_claim_many(cw_queue_t *q, const char *queue, cw_job_t *jobs, size_t max, size_t *n)
{
    return claim_many_at(q, queue, cw_time_now_ms(), jobs, max, n);
}

/* When the next pending job of queue falls due (INT64_MAX: none). */
static int64_t next_due(cw_queue_t *q, const char *queue)
{
    int64_t due = INT64_MAX;
    pthread_mutex_lock(&q->lock);
    sqlite3_stmt *st = prepare(q, "SELECT min(due_ms) FROM jobs WHERE queue = ?1 AND state = 0");
    if (st != NULL) {
        sqlite3_bind_text(st, 1, queue, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
            due = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    pthread_mutex_unlock(&q->lock);
    return due;
}

int cw_queue_wait_many(cw_queue_t *q, const char *queue, cw_job_t *jobs, size_t max, size_t *n,
                       const atomic_int *stop)
{
    waiters_t *w = q->waiters;
    *n = 0;
    for (;;) {
        pthread_mutex_lock(&w->lock);
        uint64_t seen = w->wakes;
        pthread_mutex_unlock(&w->lock);
        if (atomic_load(stop))
            return CW_ENOTFOUND;
        int rc = cw_queue_claim_many(q, queue, jobs, max, n);
        if (rc != CW_OK || *n > 0)
            return rc;
        /* Sleep until the next retry is due, an enqueue here wakes us, or the poll interval
         * passes (jobs from other processes). A failing store is polled the same way. */
        int64_t now = cw_time_now_ms();
        int64_t sleep_ms = q->opts.poll_ms;
        int64_t due = next_due(q, queue);
        if (due != INT64_MAX && due - now < sleep_ms)
            sleep_ms = due - now < 1 ? 1 : due - now;
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += sleep_ms / 1000;
        until.tv_nsec += (sleep_ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_mutex_lock(&w->lock);
        while (w->wakes == seen && !atomic_load(stop)) {
            if (pthread_cond_timedwait(&w->wake, &w->lock, &until) != 0)
                break;
        }
        pthread_mutex_unlock(&w->lock);
    }
}

int cw_queue_wait(cw_queue_t *q, const char *queue, cw_job_t *job, const atomic_int *stop)
{
    size_t n = 0;
    int rc = cw_queue_wait_many(q, queue, job, 1, &n, stop);
    return rc == CW_OK && n == 0 ? CW_ENOTFOUND : rc;
}

int cw_queue_ack(cw_queue_t *q, const cw_job_t *job)
{
    size_t acked = 0;
    int rc = cw_queue_ack_many(q, job, 1, &acked);
    return rc == CW_OK && acked == 0 ? CW_ENOTFOUND : rc;
}

int cw_queue_ack_many(cw_queue_t *q, const cw_job_t *jobs, size_t n, size_t *acked)
{
    *acked = 0;
    if (n == 0)
        return CW_OK;
    pthread_mutex_lock(&q->lock);
    int rc = CW_EIO;
    sqlite3_stmt *st = NULL;
    if (n > 1 && sqlite3_exec(q->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        fail_db(q, "ack-begin");
        goto out;
    }
    st = cached(q, ST_ACK);
    if (st == NULL)
        goto rollback;
    for (size_t i = 0; i < n; i++) {
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, jobs[i].id);
        sqlite3_bind_text(st, 2, jobs[i].lease, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE) {
            fail_db(q, "ack");
            goto rollback;
        }
        *acked += (size_t)sqlite3_changes(q->db);
    }
    if (n > 1 && sqlite3_exec(q->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        fail_db(q, "ack-commit");
        goto rollback;
    }
    rc = CW_OK;
    goto out;
rollback:
    if (n > 1)
        sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
    *acked = 0;
out:
    if (st != NULL)
        sqlite3_reset(st);
    pthread_mutex_unlock(&q->lock);
    return rc;
}

/* The wait after a job's attempt-th failure: backoff, 2 backoff, 4 backoff…, capped. */
static int64_t backoff_for(const cw_queue_opts_t *o, int attempt)
{
    int64_t wait = o->backoff_ms;
    for (int i = 1; i < attempt && wait < o->backoff_max_ms; i++)
        wait *= 2;
    return wait < o->backoff_max_ms ? wait : o->backoff_max_ms;
}

static int fail_with_at(cw_queue_t *q, const cw_job_t *job, const char *payload, const char *error,
                        int64_t now, bool *dead)
{
    bool last = job->attempts >= q->opts.max_attempts;
    if (dead != NULL)
        *dead = last;
    pthread_mutex_lock(&q->lock);
    int rc = CW_EIO, changed = 0;
    sqlite3_stmt *st = prepare(q, "UPDATE jobs SET state = ?3, due_ms = ?4, lease = NULL, "
                                  "error = substr(?5, 1, ?6), updated_ms = ?7, "
                                  "payload = coalesce(?8, payload) WHERE id = ?1 AND lease = ?2");
    if (st != NULL) {
        sqlite3_bind_int64(st, 1, job->id);
        sqlite3_bind_text(st, 2, job->lease, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 3, last ? STATE_DEAD : STATE_PENDING);
        sqlite3_bind_int64(st, 4, last ? now : now + backoff_for(&q->opts, job->attempts));
        sqlite3_bind_text(st, 5, error != NULL ? error : "", -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 6, ERROR_MAX);
        sqlite3_bind_int64(st, 7, now);
        if (payload != NULL)
            sqlite3_bind_text(st, 8, payload, -1, SQLITE_STATIC);
        rc = run(q, st, "fail", &changed);
    }
    pthread_mutex_unlock(&q->lock);
    return rc == CW_OK && changed == 0 ? CW_ENOTFOUND : rc;
}

static int fail_at(cw_queue_t *q, const cw_job_t *job, const char *error, int64_t now, bool *dead)
{
    return fail_with_at(q, job, NULL, error, now, dead);
}

int cw_queue_fail(cw_queue_t *q, const cw_job_t *job, const char *error, bool *dead)
{
    return fail_at(q, job, error, cw_time_now_ms(), dead);
}

int cw_queue_fail_payload(cw_queue_t *q, const cw_job_t *job, const char *payload,
                          const char *error, bool *dead)
{
    return fail_with_at(q, job, payload, error, cw_time_now_ms(), dead);
}

int cw_queue_release(cw_queue_t *q, const cw_job_t *job)
{
    pthread_mutex_lock(&q->lock);
    int rc = CW_EIO, changed = 0;
    sqlite3_stmt *st = prepare(q, "UPDATE jobs SET attempts = max(attempts - 1, 0), due_ms = ?3, "
                                  "lease = NULL, updated_ms = ?3 WHERE id = ?1 AND lease = ?2");
    if (st != NULL) {
        sqlite3_bind_int64(st, 1, job->id);
        sqlite3_bind_text(st, 2, job->lease, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, cw_time_now_ms());
        rc = run(q, st, "release", &changed);
    }
    pthread_mutex_unlock(&q->lock);
    if (rc == CW_OK && changed > 0)
        notify(q);
    return rc == CW_OK && changed == 0 ? CW_ENOTFOUND : rc;
}

void cw_queue_job_clear(cw_job_t *job)
{
    free(job->queue);
    free(job->project);
    free(job->payload);
    memset(job, 0, sizeof(*job));
}

int cw_queue_count(cw_queue_t *q, const char *queue, bool dead, int64_t *n)
{
    *n = 0;
    pthread_mutex_lock(&q->lock);
    int rc = CW_EIO;
    sqlite3_stmt *st = prepare(q, "SELECT count(*) FROM jobs WHERE queue = ?1 AND state = ?2");
    if (st != NULL) {
        sqlite3_bind_text(st, 1, queue, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 2, dead ? STATE_DEAD : STATE_PENDING);
        if (sqlite3_step(st) == SQLITE_ROW) {
            *n = sqlite3_column_int64(st, 0);
            rc = CW_OK;
        } else {
            fail_db(q, "count");
        }
        sqlite3_finalize(st);
    }
    pthread_mutex_unlock(&q->lock);
    return rc;
}

static const char *column_text(sqlite3_stmt *st, int i)
{
    const unsigned char *s = sqlite3_column_text(st, i);
    return s != NULL ? (const char *)s : "";
}

int cw_queue_dead_each(cw_queue_t *q, const char *queue, cw_dead_job_cb cb, void *arg)
{
    pthread_mutex_lock(&q->lock);
    int rc = CW_EIO;
    sqlite3_stmt *st =
        prepare(q, "SELECT id, project, payload, error, attempts, created_ms, "
                   "updated_ms FROM jobs WHERE queue = ?1 AND state = 1 ORDER BY id");
    if (st == NULL)
        goto out;
    sqlite3_bind_text(st, 1, queue, -1, SQLITE_STATIC);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        cw_dead_job_t d = {
            .id = sqlite3_column_int64(st, 0),
            .project = column_text(st, 1),
            .payload = column_text(st, 2),
            .error = column_text(st, 3),
            .attempts = sqlite3_column_int(st, 4),
            .created_ms = sqlite3_column_int64(st, 5),
            .failed_ms = sqlite3_column_int64(st, 6),
        };
        if (cb(&d, arg) != 0)
            break;
    }
    rc = step == SQLITE_ROW || step == SQLITE_DONE ? CW_OK : fail_db(q, "dead-list");
    sqlite3_finalize(st);
out:
    pthread_mutex_unlock(&q->lock);
    return rc;
}
