/*
 * The events emitter: Appwrite's event names ("databases.db1.collections.c1.documents.d1.create")
 * with every wildcard form Appwrite derives from them, and a fan-out of each event to the
 * subscribers (webhooks now; realtime and functions later).
 *
 * A request hands the emitter a job (cw_events_emit): a few copied strings and the response
 * bytes. The job waits in memory and is expanded into events on the emitter's own thread, where
 * the subscribers run, so naming, matching and enqueueing never sit on a request's path. The
 * emitter drains its jobs before cw_events_stop returns; a job emitted after the stop began or
 * past the memory cap is dropped with a warning (a crash loses what is still in memory, as in
 * Appwrite, whose events leave after the response).
 *
 * cw_events_new, _subscribe and _start run on one thread before any emit; cw_events_emit may be
 * called from any thread; subscribers' callbacks run on the emitter thread only.
 */
#ifndef CW_EVENTS_EVENTS_H
#define CW_EVENTS_EVENTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

/* One placeholder of a pattern and its value: key "databaseId" fills "[databaseId]". */
typedef struct cw_event_param {
    const char *key;
    const char *value;
} cw_event_param_t;

/* Appwrite's Event::generateEvents (with the collection/table mirrors it adds): every name
 * pattern stands for once its params are filled, the concrete one first, without duplicates.
 * params are in the order the route sets them; a placeholder of the pattern that none fills
 * gives CW_EINVAL. Names are appended to *names as NUL-terminated strings back to back (*count
 * of them). 0 or CW_EINVAL. */
int cw_events_generate(const char *pattern, const cw_event_param_t *params, size_t nparams,
                       cw_buf_t *names, size_t *count);

/* Generates names as cw_events_generate does, the same names in the same order, but from a
 * cache of each pattern's names with the values left out: a few microseconds instead of tens.
 * The namer is used by one thread at a time. */
typedef struct cw_events_namer cw_events_namer_t;
cw_events_namer_t *cw_events_namer_new(void);
int cw_events_names(cw_events_namer_t *nm, const char *pattern, const cw_event_param_t *params,
                    size_t nparams, cw_buf_t *names, size_t *count);
void cw_events_namer_free(cw_events_namer_t *nm);

/* Appwrite's Event validator: whether name is an event a webhook or function may subscribe to
 * ("users.*.sessions.*.create", "databases.*", …). */
bool cw_events_name_valid(const char *name, size_t len);

/* One event, as subscribers see it. Everything is borrowed for the duration of the callback. */
typedef struct cw_event {
    const char *project;
    const char *user_id;      /* the acting user's ID, "" for keys and guests */
    const char *const *names; /* the concrete name first, then its wildcard forms */
    size_t nnames;
    const json_t *payload;    /* the response model */
    const char *payload_text; /* its compact JSON */
    /* What the names were made of (cw_events_names gives them again), so that a subscriber may
     * store these instead of the names. pattern NULL: not known. */
    const char *pattern;
    const cw_event_param_t *params;
    size_t nparams;
} cw_event_t;

typedef struct cw_events cw_events_t;

typedef struct cw_events_subscriber {
    const char *name;
    /* Called for each event, in emit order. */
    void (*on_event)(const cw_event_t *ev, void *data);
    /* Called CW_EVENTS_LINGER_MS after the first event not flushed yet, and before the emitter
     * stops: a subscriber that batches writes them now. May be NULL. */
    void (*on_flush)(void *data);
    void *data;
    /* Whether events of project interest the subscriber (say, it has webhooks there): when no
     * subscriber wants them, a project's events are not even named. NULL: always. */
    bool (*wants)(const char *project, void *data);
} cw_events_subscriber_t;

/* How long subscribers may hold events before their flush: the longest a delivery waits to be
 * written, and under load the window that gathers many events into one write. */
#define CW_EVENTS_LINGER_MS 10

/* A request's contribution: expanded on the emitter thread into zero or more events passed to
 * cw_events_publish, then freed. Allocate with cw_malloc; the emitter owns it once emitted. */
typedef struct cw_event_job cw_event_job_t;
struct cw_event_job {
    cw_event_job_t *_next;
    void (*expand)(cw_event_job_t *job, cw_events_t *e);
    void (*destroy)(cw_event_job_t *job);
};

cw_events_t *cw_events_new(void);
/* Adds a subscriber (copied); before cw_events_start only. */
void cw_events_subscribe(cw_events_t *e, const cw_events_subscriber_t *s);
/* Starts the emitter thread. 0 or CW_EIO. */
int cw_events_start(cw_events_t *e);
/* Whether anyone listens: a caller may skip building a job when not. */
bool cw_events_has_subscribers(const cw_events_t *e);
/* Queues a job; never waits on the subscribers. The emitter takes ownership. */
void cw_events_emit(cw_events_t *e, cw_event_job_t *job);
/* From a job's expand: whether any subscriber wants events of project (skip naming when not). */
bool cw_events_wanted(cw_events_t *e, const char *project);
/* From a job's expand: the emitter thread's namer. */
cw_events_namer_t *cw_events_namer(cw_events_t *e);
/* From a job's expand: hands one event to every subscriber that wants its project. */
void cw_events_publish(cw_events_t *e, const cw_event_t *ev);
/* Expands and publishes what is queued, stops the thread and frees the emitter. NULL is
 * accepted. */
void cw_events_stop(cw_events_t *e);

#endif
