#include "http/pool.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "core/alloc.h"

struct cw_pool {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    cw_pool_job_t *head, *tail;
    size_t queued, max_queued;
    bool stopping;
    int nthreads;
    pthread_t *threads;
    cw_pool_thread_init_cb init;
    cw_pool_thread_dispose_cb dispose;
    void *arg;
};

typedef struct start {
    cw_pool_t *pool;
    int index;
} start_t;

static void *worker_main(void *a)
{
    start_t *s = a;
    cw_pool_t *p = s->pool;
    void *thread = p->init != NULL ? p->init(p->arg, s->index) : NULL;
    free(s);
    for (;;) {
        pthread_mutex_lock(&p->mu);
        while (p->head == NULL && !p->stopping)
            pthread_cond_wait(&p->cv, &p->mu);
        cw_pool_job_t *job = p->head;
        if (job == NULL) {
            pthread_mutex_unlock(&p->mu);
            break;
        }
        p->head = job->_next;
        if (p->head == NULL)
            p->tail = NULL;
        p->queued--;
        pthread_mutex_unlock(&p->mu);
        job->run(job, thread);
    }
    if (p->dispose != NULL)
        p->dispose(thread);
    return NULL;
}

cw_pool_t *cw_pool_start(int nthreads, size_t max_queued, cw_pool_thread_init_cb init,
                         cw_pool_thread_dispose_cb dispose, void *arg)
{
    cw_pool_t *p = cw_calloc(1, sizeof(*p));
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    p->max_queued = max_queued;
    p->nthreads = nthreads;
    p->init = init;
    p->dispose = dispose;
    p->arg = arg;
    p->threads = cw_calloc((size_t)nthreads, sizeof(pthread_t));
    for (int i = 0; i < nthreads; i++) {
        start_t *s = cw_malloc(sizeof(*s));
        s->pool = p;
        s->index = i;
        pthread_create(&p->threads[i], NULL, worker_main, s);
    }
    return p;
}

int cw_pool_submit(cw_pool_t *p, cw_pool_job_t *job)
{
    pthread_mutex_lock(&p->mu);
    if (p->stopping || p->queued >= p->max_queued) {
        pthread_mutex_unlock(&p->mu);
        return -1;
    }
    job->_next = NULL;
    if (p->tail != NULL)
        p->tail->_next = job;
    else
        p->head = job;
    p->tail = job;
    p->queued++;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
    return 0;
}

size_t cw_pool_queued(cw_pool_t *p)
{
    pthread_mutex_lock(&p->mu);
    size_t n = p->queued;
    pthread_mutex_unlock(&p->mu);
    return n;
}

void cw_pool_stop(cw_pool_t *p)
{
    pthread_mutex_lock(&p->mu);
    p->stopping = true;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < p->nthreads; i++)
        pthread_join(p->threads[i], NULL);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p->threads);
    free(p);
}
