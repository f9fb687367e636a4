/*
 * The ceiling of the database benchmark (bench/db.sh): the operations the benchmark sends to
 * cwrite over HTTP, done straight on SQLite, so that cwrite's numbers have a same-run upper bound.
 * No HTTP, no JSON, no validation, no permissions: what is left is what SQLite itself costs on
 * this machine with cwrite's schema and settings.
 *
 *   sqlite_ceiling version
 *       prints the version of the SQLite library it runs on.
 *   sqlite_ceiling load DB DOCS CATEGORIES
 *       creates DB with the table shape of the SQLite adapter (src/db/adapter_sqlite.c) for a
 *       collection with attributes title (string), category (string), score (integer), seen
 *       (datetime) and a key index on (category ASC, score DESC), then inserts DOCS documents
 *       d000001 … in transactions of 100, as the bulk route does.
 *   sqlite_ceiling run DB DOCS CATEGORIES OP THREADS WARMUP SECONDS [plain|group] [full|normal]
 *       OP is get, create, update, list, list-nototal or mixed (80% get, 15% create, 5% update).
 *       THREADS threads, each with its own connection (as cwrite's workers), run OP back to back
 *       for WARMUP seconds unmeasured, then SECONDS measured.
 *
 * The statements are the adapter's: a get reads every column by _uid; a create inserts one row;
 * an update reads the row by _uid and rewrites every column by _id; a list selects 25 rows WHERE
 * category = ? ORDER BY score DESC, _id ASC (the adapter's $sequence tie-break) and, unless
 * nototal, counts the matches with COUNT(*) over a sub-select capped at 5000 (Appwrite's
 * APP_LIMIT_COUNT). Settings as the adapter's: WAL, synchronous=FULL (normal to measure what
 * durability costs), foreign_keys, busy_timeout 5 s, statements prepared once, SQLite's memory
 * statistics off.
 *
 * Writes: "plain" runs each write in its own BEGIN IMMEDIATE … COMMIT, the writers taking turns
 * on a mutex (SQLite's own busy handler sleeps whole milliseconds, which would understate the
 * ceiling); "group" is cwrite's group commit: a writer that finds no leader leads, runs up to 64
 * queued writes, each in its own savepoint, in one transaction, and commits once for all.
 *
 * Prints one line of key=value fields on stdout: ops/s, per-operation latency percentiles, CPU
 * time per operation (user + system of the whole process) and peak RSS.
 */
#include <inttypes.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define LOAD_BATCH 100
#define LIST_LIMIT 25
#define COUNT_MAX 5000
#define GROUP_MAX 64
#define TABLE "database_1_collection_1"

/* The adapter's projection: system columns, then the attributes in collection order. */
#define COLS                                                                                       \
    "_id, _uid, _createdAt, _updatedAt, _permissions, \"title\", \"category\", \"score\", "        \
    "\"seen\""

static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS \"" TABLE "\" (_id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " _uid TEXT NOT NULL, _createdAt TEXT, _updatedAt TEXT,"
    " _permissions TEXT NOT NULL DEFAULT '[]', \"title\" TEXT, \"category\" TEXT,"
    " \"score\" INTEGER, \"seen\" TEXT);"
    "CREATE UNIQUE INDEX IF NOT EXISTS \"" TABLE "__uid\" ON \"" TABLE "\"(_uid);"
    "CREATE INDEX IF NOT EXISTS \"" TABLE "__createdAt\" ON \"" TABLE "\"(_createdAt);"
    "CREATE INDEX IF NOT EXISTS \"" TABLE "__updatedAt\" ON \"" TABLE "\"(_updatedAt);"
    "CREATE TABLE IF NOT EXISTS \"" TABLE "_perms\" (_document INTEGER NOT NULL REFERENCES"
    " \"" TABLE "\"(_id) ON DELETE CASCADE, _type TEXT NOT NULL, _permission TEXT NOT NULL,"
    " PRIMARY KEY (_document, _type, _permission)) WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS \"" TABLE "_perms_lookup\" ON \"" TABLE "_perms\""
    "(_type, _permission, _document);"
    "CREATE INDEX IF NOT EXISTS \"" TABLE "_i_by_category_score\" ON \"" TABLE "\""
    "(\"category\", \"score\" DESC);";

static const char get_sql[] = "SELECT " COLS " FROM \"" TABLE "\" WHERE _uid = ?1";
static const char insert_sql[] =
    "INSERT INTO \"" TABLE "\" (_uid, _createdAt, _updatedAt, _permissions, \"title\","
    " \"category\", \"score\", \"seen\") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
static const char update_sql[] =
    "UPDATE \"" TABLE "\" SET _uid = ?1, _createdAt = ?2, _updatedAt = ?3, _permissions = ?4,"
    " \"title\" = ?5, \"category\" = ?6, \"score\" = ?7, \"seen\" = ?8 WHERE _id = ?9";
static const char list_sql[] = "SELECT " COLS " FROM \"" TABLE "\" WHERE \"category\" = ?1"
                               " ORDER BY \"score\" DESC, _id ASC LIMIT ?2 OFFSET ?3";
static const char count_sql[] = "SELECT COUNT(*) FROM (SELECT 1 FROM \"" TABLE "\""
                                " WHERE \"category\" = ?1 LIMIT ?2)";

typedef enum { OP_GET, OP_CREATE, OP_UPDATE, OP_LIST, OP_LIST_NOTOTAL, OP_MIXED } op_t;

typedef struct conn {
    sqlite3 *db;
    sqlite3_stmt *get, *insert, *update, *list, *count;
    sqlite3_stmt *begin, *begin_read, *commit, *savepoint, *release;
} conn_t;

/* A write handed to the group-commit leader: all by value, so any connection can run it. */
typedef struct job {
    struct job *next;
    op_t op;
    char uid[40];
    char title[64];
    char category[16];
    int64_t score;
    char date[48];
    int rc;
    bool done;
} job_t;

typedef struct worker {
    pthread_t thread;
    int index;
    conn_t c;
    uint64_t rng;
    uint32_t *lat; /* measured latencies, ns (saturating) */
    size_t nlat, cap;
    uint64_t ops, errors, counter;
} worker_t;

static const char *db_path;
static int docs, categories;
static op_t op;
static bool group_mode;
static atomic_int phase; /* 0 warm-up, 1 measured, 2 stop */

static pthread_mutex_t write_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t group_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t group_cond = PTHREAD_COND_INITIALIZER;
static job_t *group_head, *group_tail;
static bool group_leading;
static uint64_t group_commits, group_writes;

static void die(const char *what, sqlite3 *db)
{
    fprintf(stderr, "sqlite_ceiling: %s: %s\n", what, db != NULL ? sqlite3_errmsg(db) : "error");
    exit(1);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint64_t rnd(uint64_t *s)
{
    /* xorshift64* */
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1DULL;
}

static int rnd_int(uint64_t *s, int lo, int hi)
{
    return lo + (int)(rnd(s) % (uint64_t)(hi - lo + 1));
}

static void iso_now(char *out, size_t n)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    char sec[24];
    strftime(sec, sizeof(sec), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, n, "%s.%03d+00:00", sec, (int)(ts.tv_nsec / 1000000));
}

static void random_date(uint64_t *s, char *out, size_t n)
{
    snprintf(out, n, "2026-%02d-%02dT%02d:%02d:%02d.000+00:00", rnd_int(s, 1, 12),
             rnd_int(s, 1, 28), rnd_int(s, 0, 23), rnd_int(s, 0, 59), rnd_int(s, 0, 59));
}

static void exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "sqlite_ceiling: %s: %s\n", sql, msg != NULL ? msg : "?");
        exit(1);
    }
}

static sqlite3_stmt *prepare(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
        die(sql, db);
    return st;
}

static void conn_open(conn_t *c, const char *sync)
{
    memset(c, 0, sizeof(*c));
    if (sqlite3_open_v2(db_path, &c->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK)
        die("open", c->db);
    sqlite3_busy_timeout(c->db, 5000);
    char sql[160];
    snprintf(sql, sizeof(sql),
             "PRAGMA journal_mode=WAL; PRAGMA synchronous=%s; PRAGMA foreign_keys=ON;"
             " PRAGMA temp_store=MEMORY;",
             sync);
    exec(c->db, sql);
    exec(c->db, schema_sql);
    c->get = prepare(c->db, get_sql);
    c->insert = prepare(c->db, insert_sql);
    c->update = prepare(c->db, update_sql);
    c->list = prepare(c->db, list_sql);
    c->count = prepare(c->db, count_sql);
    c->begin = prepare(c->db, "BEGIN IMMEDIATE");
    c->begin_read = prepare(c->db, "BEGIN");
    c->commit = prepare(c->db, "COMMIT");
    c->savepoint = prepare(c->db, "SAVEPOINT s1");
    c->release = prepare(c->db, "RELEASE s1");
}

static void conn_close(conn_t *c)
{
    sqlite3_stmt *all[] = {c->get,   c->insert,     c->update, c->list,      c->count,
                           c->begin, c->begin_read, c->commit, c->savepoint, c->release};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
        sqlite3_finalize(all[i]);
    sqlite3_close(c->db);
}

static int step_done(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* Reads every column of the current row, as the adapter does to build a document. */
static size_t touch_row(sqlite3_stmt *st)
{
    size_t n = (size_t)sqlite3_column_int64(st, 0);
    for (int i = 1; i < 9; i++) {
        if (i == 7) {
            n += (size_t)sqlite3_column_int64(st, i);
            continue;
        }
        const unsigned char *t = sqlite3_column_text(st, i);
        n += (size_t)sqlite3_column_bytes(st, i) + (t != NULL ? t[0] : 0);
    }
    return n;
}

static volatile size_t sink;

static int do_get(conn_t *c, const char *uid)
{
    sqlite3_bind_text(c->get, 1, uid, -1, SQLITE_STATIC);
    int rc = sqlite3_step(c->get);
    if (rc == SQLITE_ROW)
        sink += touch_row(c->get);
    sqlite3_reset(c->get);
    sqlite3_clear_bindings(c->get);
    return rc == SQLITE_ROW ? 0 : -1;
}

static int do_list(conn_t *c, const char *category, bool total)
{
    int rc = -1, n = 0;
    if (step_done(c->begin_read) != 0)
        return -1;
    sqlite3_bind_text(c->list, 1, category, -1, SQLITE_STATIC);
    sqlite3_bind_int(c->list, 2, LIST_LIMIT);
    sqlite3_bind_int(c->list, 3, 0);
    int src;
    while ((src = sqlite3_step(c->list)) == SQLITE_ROW) {
        sink += touch_row(c->list);
        n++;
    }
    sqlite3_reset(c->list);
    sqlite3_clear_bindings(c->list);
    if (src != SQLITE_DONE || n != LIST_LIMIT)
        goto out;
    if (total) {
        sqlite3_bind_text(c->count, 1, category, -1, SQLITE_STATIC);
        sqlite3_bind_int(c->count, 2, COUNT_MAX);
        if (sqlite3_step(c->count) != SQLITE_ROW) {
            sqlite3_reset(c->count);
            goto out;
        }
        sink += (size_t)sqlite3_column_int64(c->count, 0);
        sqlite3_reset(c->count);
        sqlite3_clear_bindings(c->count);
    }
    rc = 0;
out:
    step_done(c->commit);
    return rc;
}

/* One write inside an open transaction. */
static int write_one(conn_t *c, const job_t *j)
{
    char now[48];
    iso_now(now, sizeof(now));
    if (j->op == OP_CREATE) {
        sqlite3_stmt *st = c->insert;
        sqlite3_bind_text(st, 1, j->uid, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, "[]", 2, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, j->title, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, j->category, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 7, j->score);
        sqlite3_bind_text(st, 8, j->date, -1, SQLITE_STATIC);
        int rc = step_done(st);
        sqlite3_clear_bindings(st);
        return rc;
    }
    /* Update: read the stored row (cwrite merges the new data into it), write every column. */
    sqlite3_stmt *g = c->get;
    sqlite3_bind_text(g, 1, j->uid, -1, SQLITE_STATIC);
    if (sqlite3_step(g) != SQLITE_ROW) {
        sqlite3_reset(g);
        sqlite3_clear_bindings(g);
        return -1;
    }
    char created[40], title[80], category[24];
    int64_t id = sqlite3_column_int64(g, 0);
    snprintf(created, sizeof(created), "%s", (const char *)sqlite3_column_text(g, 2));
    snprintf(title, sizeof(title), "%s", (const char *)sqlite3_column_text(g, 5));
    snprintf(category, sizeof(category), "%s", (const char *)sqlite3_column_text(g, 6));
    sqlite3_reset(g);
    sqlite3_clear_bindings(g);
    sqlite3_stmt *st = c->update;
    sqlite3_bind_text(st, 1, j->uid, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, created, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, "[]", 2, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, title, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, category, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, j->score);
    sqlite3_bind_text(st, 8, j->date, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 9, id);
    int rc = step_done(st);
    sqlite3_clear_bindings(st);
    return rc;
}

/* A write alone: its own transaction, one fsync of the WAL at its commit. */
static int write_plain(conn_t *c, const job_t *j)
{
    pthread_mutex_lock(&write_mu);
    int rc = step_done(c->begin);
    if (rc == 0) {
        rc = write_one(c, j);
        if (rc == 0) {
            rc = step_done(c->commit);
        } else {
            exec(c->db, "ROLLBACK");
        }
    }
    pthread_mutex_unlock(&write_mu);
    return rc;
}

/* cwrite's group commit (src/db/database.c, group_write): queue the write; whoever finds no
 * leader runs a batch in one transaction, each write in a savepoint, and answers all after the
 * one commit. */
static int write_group(conn_t *c, job_t *job)
{
    pthread_mutex_lock(&group_mu);
    if (group_tail != NULL)
        group_tail->next = job;
    else
        group_head = job;
    group_tail = job;
    while (!job->done) {
        if (group_leading) {
            pthread_cond_wait(&group_cond, &group_mu);
            continue;
        }
        group_leading = true;
        job_t *batch = group_head, *last = batch;
        int n = 1;
        for (; n < GROUP_MAX && last->next != NULL; n++)
            last = last->next;
        group_head = last->next;
        if (group_head == NULL)
            group_tail = NULL;
        last->next = NULL;
        pthread_mutex_unlock(&group_mu);
        bool ok = step_done(c->begin) == 0;
        for (job_t *j = batch; j != NULL; j = j->next) {
            j->rc = -1;
            if (ok && step_done(c->savepoint) == 0) {
                j->rc = write_one(c, j);
                if (j->rc != 0)
                    exec(c->db, "ROLLBACK TO s1");
                step_done(c->release);
            }
        }
        if (ok && step_done(c->commit) != 0) {
            exec(c->db, "ROLLBACK");
            for (job_t *j = batch; j != NULL; j = j->next)
                j->rc = -1;
        }
        pthread_mutex_lock(&group_mu);
        group_commits++;
        group_writes += (uint64_t)n;
        for (job_t *j = batch, *next; j != NULL; j = next) {
            next = j->next;
            j->done = true;
        }
        group_leading = false;
        pthread_cond_broadcast(&group_cond);
    }
    pthread_mutex_unlock(&group_mu);
    return job->rc;
}

static int do_write(worker_t *w, op_t kind)
{
    job_t j = {.op = kind};
    if (kind == OP_CREATE) {
        /* 20 characters like ID.unique(): time, then the thread and a counter. */
        snprintf(j.uid, sizeof(j.uid), "%013" PRIx64 "%02x%05" PRIx64,
                 (uint64_t)((now_ns() / 1000) & 0xfffffffffffffULL), (unsigned)w->index & 0xffu,
                 (uint64_t)(w->counter++ & 0xfffff));
        snprintf(j.title, sizeof(j.title), "Created by the ceiling %d",
                 rnd_int(&w->rng, 1, 1000000000));
        snprintf(j.category, sizeof(j.category), "c%d", rnd_int(&w->rng, 0, categories - 1));
    } else {
        snprintf(j.uid, sizeof(j.uid), "d%06d", rnd_int(&w->rng, 1, docs));
    }
    j.score = rnd_int(&w->rng, 0, 999999);
    random_date(&w->rng, j.date, sizeof(j.date));
    return group_mode ? write_group(&w->c, &j) : write_plain(&w->c, &j);
}

static int run_op(worker_t *w)
{
    op_t o = op;
    if (o == OP_MIXED) {
        int r = rnd_int(&w->rng, 1, 100);
        o = r <= 80 ? OP_GET : r <= 95 ? OP_CREATE : OP_UPDATE;
    }
    char buf[16];
    switch (o) {
    case OP_GET:
        snprintf(buf, sizeof(buf), "d%06d", rnd_int(&w->rng, 1, docs));
        return do_get(&w->c, buf);
    case OP_LIST:
    case OP_LIST_NOTOTAL:
        snprintf(buf, sizeof(buf), "c%d", rnd_int(&w->rng, 0, categories - 1));
        return do_list(&w->c, buf, o == OP_LIST);
    default:
        return do_write(w, o);
    }
}

static void *worker_main(void *arg)
{
    worker_t *w = arg;
    while (atomic_load_explicit(&phase, memory_order_relaxed) == 0)
        run_op(w);
    while (atomic_load_explicit(&phase, memory_order_relaxed) == 1) {
        uint64_t t0 = now_ns();
        int rc = run_op(w);
        uint64_t dt = now_ns() - t0;
        if (atomic_load_explicit(&phase, memory_order_relaxed) != 1)
            break;
        if (rc != 0)
            w->errors++;
        w->ops++;
        if (w->nlat == w->cap) {
            w->cap = w->cap ? w->cap * 2 : 1 << 16;
            w->lat = realloc(w->lat, w->cap * sizeof(*w->lat));
            if (w->lat == NULL) {
                fprintf(stderr, "sqlite_ceiling: out of memory\n");
                exit(1);
            }
        }
        w->lat[w->nlat++] = dt > UINT32_MAX ? UINT32_MAX : (uint32_t)dt;
    }
    return NULL;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static long max_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static int load(void)
{
    conn_t c;
    uint64_t rng = 42;
    double t0 = now_s();
    conn_open(&c, "FULL");
    for (int b = 0; b < docs; b += LOAD_BATCH) {
        if (step_done(c.begin) != 0)
            die("begin", c.db);
        for (int i = b; i < b + LOAD_BATCH && i < docs; i++) {
            job_t j = {.op = OP_CREATE};
            snprintf(j.uid, sizeof(j.uid), "d%06d", i + 1);
            snprintf(j.title, sizeof(j.title), "Document number %d", i + 1);
            snprintf(j.category, sizeof(j.category), "c%d", rnd_int(&rng, 0, categories - 1));
            j.score = rnd_int(&rng, 0, 999999);
            random_date(&rng, j.date, sizeof(j.date));
            if (write_one(&c, &j) != 0)
                die("insert", c.db);
        }
        if (step_done(c.commit) != 0)
            die("commit", c.db);
    }
    conn_close(&c);
    printf("ceiling op=load docs=%d batch=%d secs=%.3f docs_s=%.0f\n", docs, LOAD_BATCH,
           now_s() - t0, docs / (now_s() - t0));
    return 0;
}

static op_t parse_op(const char *s)
{
    static const char *const names[] = {"get", "create", "update", "list", "list-nototal", "mixed"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(s, names[i]) == 0)
            return (op_t)i;
    }
    fprintf(stderr, "sqlite_ceiling: unknown operation %s\n", s);
    exit(2);
}

static int usage(void)
{
    fprintf(stderr, "usage: sqlite_ceiling load DB DOCS CATEGORIES\n"
                    "       sqlite_ceiling run DB DOCS CATEGORIES OP THREADS WARMUP SECONDS "
                    "[plain|group] [full|normal]\n");
    return 2;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "version") == 0) {
        printf("%s\n", sqlite3_libversion());
        return 0;
    }
    if (argc < 5)
        return usage();
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    db_path = argv[2];
    docs = atoi(argv[3]);
    categories = atoi(argv[4]);
    if (docs < 1 || categories < 1)
        return usage();
    if (strcmp(argv[1], "load") == 0)
        return load();
    if (strcmp(argv[1], "run") != 0 || argc < 9)
        return usage();
    op = parse_op(argv[5]);
    int nthreads = atoi(argv[6]);
    double warmup = atof(argv[7]), secs = atof(argv[8]);
    group_mode = argc > 9 && strcmp(argv[9], "group") == 0;
    const char *sync = argc > 10 && strcmp(argv[10], "normal") == 0 ? "NORMAL" : "FULL";
    if (nthreads < 1 || nthreads > 256 || secs <= 0)
        return usage();

    worker_t *ws = calloc((size_t)nthreads, sizeof(*ws));
    if (ws == NULL)
        return 1;
    for (int i = 0; i < nthreads; i++) {
        ws[i].index = i;
        ws[i].rng = 0x9E3779B97F4A7C15ULL * (uint64_t)(i + 1) ^ (uint64_t)now_ns();
        conn_open(&ws[i].c, sync);
    }
    for (int i = 0; i < nthreads; i++) {
        if (pthread_create(&ws[i].thread, NULL, worker_main, &ws[i]) != 0)
            return 1;
    }
    usleep((useconds_t)(warmup * 1e6));
    pthread_mutex_lock(&group_mu);
    group_commits = group_writes = 0;
    pthread_mutex_unlock(&group_mu);
    double cpu0 = cpu_s(), t0 = now_s();
    atomic_store(&phase, 1);
    usleep((useconds_t)(secs * 1e6));
    atomic_store(&phase, 2);
    double elapsed = now_s() - t0, cpu = cpu_s() - cpu0;
    for (int i = 0; i < nthreads; i++)
        pthread_join(ws[i].thread, NULL);

    uint64_t ops = 0, errors = 0;
    size_t n = 0;
    for (int i = 0; i < nthreads; i++) {
        ops += ws[i].ops;
        errors += ws[i].errors;
        n += ws[i].nlat;
    }
    uint32_t *all = malloc((n ? n : 1) * sizeof(*all));
    if (all == NULL)
        return 1;
    size_t k = 0;
    for (int i = 0; i < nthreads; i++) {
        memcpy(all + k, ws[i].lat, ws[i].nlat * sizeof(*all));
        k += ws[i].nlat;
    }
    qsort(all, n, sizeof(*all), cmp_u32);
    double p50 = n ? all[n / 2] / 1e6 : 0, p99 = n ? all[n * 99 / 100] / 1e6 : 0;
    double p999 = n ? all[n * 999 / 1000] / 1e6 : 0;
    printf("ceiling op=%s threads=%d mode=%s sync=%s secs=%.2f ops=%" PRIu64 " errors=%" PRIu64
           " ops_s=%.0f p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f cpu_us_op=%.2f max_rss_kb=%ld",
           argv[5], nthreads, group_mode ? "group" : "plain", sync, elapsed, ops, errors,
           ops / elapsed, p50, p99, p999, ops ? cpu * 1e6 / (double)ops : 0, max_rss_kb());
    if (group_mode && group_commits > 0)
        printf(" writes_per_commit=%.2f", (double)group_writes / (double)group_commits);
    printf("\n");
    for (int i = 0; i < nthreads; i++) {
        conn_close(&ws[i].c);
        free(ws[i].lat);
    }
    free(ws);
    free(all);
    return errors > 0 ? 1 : 0;
}
