/*
 * The worker pool: threads that run blocking work. Jobs wait in a bounded FIFO; a full queue
 * refuses new jobs rather than growing. Submit from any thread; each job's run callback is called
 * on a worker thread with that thread's state (made by thread_init on the worker itself).
 */
#ifndef CW_HTTP_POOL_H
#define CW_HTTP_POOL_H

#include <stddef.h>

typedef struct cw_pool_job cw_pool_job_t;
typedef void (*cw_pool_run_cb)(cw_pool_job_t *job, void *thread);

struct cw_pool_job {
    cw_pool_job_t *_next;
    cw_pool_run_cb run;
};

typedef struct cw_pool cw_pool_t;

typedef void *(*cw_pool_thread_init_cb)(void *arg, int index);
typedef void (*cw_pool_thread_dispose_cb)(void *thread);

cw_pool_t *cw_pool_start(int nthreads, size_t max_queued, cw_pool_thread_init_cb init,
                         cw_pool_thread_dispose_cb dispose, void *arg);
/* Queues a job; returns 0, or -1 when the queue is full or the pool is stopping. */
int cw_pool_submit(cw_pool_t *p, cw_pool_job_t *job);
size_t cw_pool_queued(cw_pool_t *p);
/* Runs what is queued, then joins the threads and frees the pool. */
void cw_pool_stop(cw_pool_t *p);

#endif
