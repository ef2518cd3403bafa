/* SPDX-License-Identifier: ISC */
/* workpool: fibers over carrier threads (see workpool.h). A fiber is a
 * stack of its own and the registers to switch to it; it runs one job
 * after another (a finished job's fiber is kept for the next, so a job
 * costs no context to make). A carrier runs a fiber until it waits or ends its job, then
 * takes the next: a woken fiber first (work begun ends sooner and frees
 * its memory), else a queued job. `running` counts the carriers that run
 * jobs outside a blocking call; an idle carrier is woken only while it is
 * below the CPUs, and is handed its fiber under the pool's lock, so it
 * runs it without taking the lock again. (One thread per job, each
 * sleeping and woken for every lookup, was a quarter of a batch's CPU.) */
#include "workpool.h"

#include <errno.h>
#include <semaphore.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include "../util/clock.h"
#include "../util/xalloc.h"

#if defined(__SANITIZE_ADDRESS__)
#define WP_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WP_ASAN 1
#endif
#endif
#ifdef WP_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif

/* A job's stack: deep enough for a JSON document nested to cJSON's limit
 * under AddressSanitizer; only the pages a job touches are memory. */
#define STACK_SIZE ((size_t)1 << 20)
/* Fibers kept for reuse beyond this are unmapped. A batch's peak is about
 * --jobs times the inputs of an audit (30): with 512, --jobs 64 mapped and
 * unmapped a stack (and faulted its pages in again) per input. Each keeps
 * the pages it touched, a few kilobytes. */
#define SPARE_MAX 4096
/* workpool_poll waits this long before it lets another carrier run. */
#define BLOCK_GRACE_MS 1

/* ------------------------------------------------------------ switching */

#if defined(__x86_64__) && !defined(WORKPOOL_UCONTEXT)
/* The System V ABI's callee-saved state (rbx, rbp, r12-r15, the SSE and
 * x87 control words) is pushed on the stack being left, whose pointer is
 * saved; the other stack's is loaded and its state popped. glibc's
 * swapcontext also saves the signal mask, a system call per switch that
 * fibers without signal handlers do not need, and AddressSanitizer only
 * half supports it (its annotations below are what it asks of fibers). A
 * new fiber's stack is made to look like one that was left: its first
 * switch "returns" into sa_workpool_start, which calls the entry point
 * (r12) with the fiber (rbx). */
__asm__(".text\n"
        ".globl sa_workpool_switch\n"
        ".hidden sa_workpool_switch\n"
        ".type sa_workpool_switch,@function\n"
        "sa_workpool_switch:\n"
        "	pushq %rbp\n"
        "	pushq %rbx\n"
        "	pushq %r12\n"
        "	pushq %r13\n"
        "	pushq %r14\n"
        "	pushq %r15\n"
        "	subq $8, %rsp\n"
        "	stmxcsr (%rsp)\n"
        "	fnstcw 4(%rsp)\n"
        "	movq %rsp, (%rdi)\n"
        "	movq %rsi, %rsp\n"
        "	ldmxcsr (%rsp)\n"
        "	fldcw 4(%rsp)\n"
        "	addq $8, %rsp\n"
        "	popq %r15\n"
        "	popq %r14\n"
        "	popq %r13\n"
        "	popq %r12\n"
        "	popq %rbx\n"
        "	popq %rbp\n"
        "	ret\n"
        ".size sa_workpool_switch, .-sa_workpool_switch\n"
        ".globl sa_workpool_start\n"
        ".hidden sa_workpool_start\n"
        ".type sa_workpool_start,@function\n"
        "sa_workpool_start:\n"
        "	movq %rbx, %rdi\n"
        "	callq *%r12\n"
        "	ud2\n"
        ".size sa_workpool_start, .-sa_workpool_start\n");
void sa_workpool_switch(void **save_sp, void *to_sp);
void sa_workpool_start(void);

struct context {
	void *sp;
};

static void context_switch(struct context *from, struct context *to)
{
	sa_workpool_switch(&from->sp, to->sp);
}

/* A context that starts fn(arg) on the stack [stack, stack + size). */
static bool context_make(struct context *c, char *stack, size_t size, void (*fn)(void *), void *arg)
{
	uintptr_t top = ((uintptr_t)stack + size) & ~(uintptr_t)15;
	uint64_t *sp = (uint64_t *)(top - 8 * sizeof(uint64_t)); /* 16-aligned */
	uint32_t mxcsr = 0x1f80;                                 /* the ABI's initial control words: */
	uint16_t fpucw = 0x037f;                                 /* all exceptions masked, round to nearest */
	sp[0] = (uint64_t)mxcsr | (uint64_t)fpucw << 32;
	sp[1] = 0;              /* r15 */
	sp[2] = 0;              /* r14 */
	sp[3] = 0;              /* r13 */
	sp[4] = (uintptr_t)fn;  /* r12 */
	sp[5] = (uintptr_t)arg; /* rbx */
	sp[6] = 0;              /* rbp: the end of the frame chain */
	sp[7] = (uintptr_t)sa_workpool_start;
	c->sp = sp;
	return true;
}
#else
/* Elsewhere, ucontext: a system call per switch, and AddressSanitizer
 * warns that it supports it only in part. */
struct context {
	ucontext_t uc;
};

static void context_switch(struct context *from, struct context *to)
{
	swapcontext(&from->uc, &to->uc);
}

/* getcontext returns twice only to a setcontext on what it filled in:
 * makecontext then replaces the place it would return to. Out of line, so
 * the caller's variables are not taken for ones it clobbers. */
static __attribute__((noinline)) int context_get(ucontext_t *uc)
{
	return getcontext(uc);
}

static void context_start(unsigned fn_hi, unsigned fn_lo, unsigned arg_hi, unsigned arg_lo)
{
	void (*fn)(void *) = (void (*)(void *))(((uintptr_t)fn_hi << 32) | (uintptr_t)fn_lo);
	fn((void *)(((uintptr_t)arg_hi << 32) | (uintptr_t)arg_lo));
}

static bool context_make(struct context *c, char *stack, size_t size, void (*fn)(void *), void *arg)
{
	if (context_get(&c->uc) != 0)
		return false;
	c->uc.uc_stack.ss_sp = stack;
	c->uc.uc_stack.ss_size = size;
	c->uc.uc_link = NULL;
	uintptr_t f = (uintptr_t)fn, a = (uintptr_t)arg;
	makecontext(&c->uc, (void (*)(void))context_start, 4, (unsigned)(f >> 32),
	            (unsigned)(f & 0xffffffffu), (unsigned)(a >> 32), (unsigned)(a & 0xffffffffu));
	/* set up now: left there, AddressSanitizer's swapcontext would clear
	 * the shadow of the whole stack at every switch into the fiber */
	c->uc.uc_stack.ss_sp = NULL;
	c->uc.uc_stack.ss_size = 0;
	return true;
}
#endif

/* ------------------------------------------------------------ the pool's state */

struct job {
	void (*fn)(void *arg);
	void *arg;
	struct job *next;
};

struct carrier;

struct fiber {
	struct workpool *p;
	struct context ctx;
	char *mem; /* the mapping: a guard page, then the stack */
	void (*fn)(void *arg);
	void *arg;                /* the job; fn NULL once it has ended */
	struct carrier *c;        /* the carrier running it, set before each resume */
	pthread_mutex_t *release; /* waiting: the lock its carrier lets go once
	                             it is off the fiber's stack */
	unsigned blocking;        /* depth of workpool_block_begin */
	bool yielded;             /* left by workpool_yield: queued again */
	struct fiber *next;       /* in the ready queue, or the spare list */
#ifdef WP_ASAN
	void *fake_stack;
#endif
};

struct carrier {
	struct workpool *p;
	pthread_t th;
	sem_t wake;
	struct context sched;
	struct fiber *given;  /* handed over while idle; NULL: stop */
	bool counted;         /* counted in p->running */
	struct carrier *next; /* in the idle list, or the list to wake */
#ifdef WP_ASAN
	const void *stack_bottom;
	size_t stack_size;
	void *fake_stack;
#endif
};

struct workpool {
	pthread_mutex_t mu;
	struct fiber *ready, *ready_tail; /* woken fibers */
	struct job *head, *tail, *spare;  /* queued jobs; spare: structs for reuse */
	struct fiber *spare_fibers;
	size_t spare_count;
	struct carrier *idle;
	size_t running, target;
	size_t live;        /* jobs queued or not ended */
	struct waitq ended; /* workpool_free waits here for live to be 0 */
	bool stop;
	struct carrier *c;
	size_t n;
};

/* The fiber this thread runs, or NULL on a plain thread. Per thread by
 * nature: a carrier sets it around each fiber it runs. A fiber reads it
 * only before it first waits in a function (it may come back on another
 * carrier): after, its own struct says where it is. */
static _Thread_local struct fiber *current;

/* ------------------------------------------------------------ fibers */

#ifdef WP_ASAN
static void asan_leave(void **save, const void *bottom, size_t size)
{
	__sanitizer_start_switch_fiber(save, bottom, size);
}
static void asan_arrive(void *save, const void **from_bottom, size_t *from_size)
{
	__sanitizer_finish_switch_fiber(save, from_bottom, from_size);
}
#endif

/* On carrier c: runs f until it waits or ends its job. */
static void enter(struct carrier *c, struct fiber *f)
{
	f->c = c;
	current = f;
#ifdef WP_ASAN
	asan_leave(&c->fake_stack, f->mem + getpagesize(), STACK_SIZE);
#endif
	context_switch(&c->sched, &f->ctx);
#ifdef WP_ASAN
	asan_arrive(c->fake_stack, NULL, NULL);
#endif
	current = NULL;
}

/* On fiber f: back to its carrier, until a carrier (maybe another) runs
 * it again. */
static void leave(struct fiber *f)
{
#ifdef WP_ASAN
	asan_leave(&f->fake_stack, f->c->stack_bottom, f->c->stack_size);
#endif
	context_switch(&f->ctx, &f->c->sched);
#ifdef WP_ASAN
	asan_arrive(f->fake_stack, &f->c->stack_bottom, &f->c->stack_size);
#endif
}

static void fiber_main(void *arg)
{
	struct fiber *f = arg;
#ifdef WP_ASAN
	asan_arrive(NULL, &f->c->stack_bottom, &f->c->stack_size);
#endif
	for (;;) {
		f->fn(f->arg);
		f->fn = NULL;
		leave(f); /* the carrier gives it its next job before it comes back */
	}
}

static struct fiber *fiber_new(struct workpool *p)
{
	size_t page = (size_t)getpagesize();
	char *mem = mmap(NULL, page + STACK_SIZE, PROT_READ | PROT_WRITE,
	                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
	if (mem == MAP_FAILED)
		return NULL;
	struct fiber *f = calloc(1, sizeof *f);
	if (!f || mprotect(mem, page, PROT_NONE) != 0 ||
	    !context_make(&f->ctx, mem + page, STACK_SIZE, fiber_main, f)) {
		munmap(mem, page + STACK_SIZE);
		free(f);
		return NULL;
	}
	f->p = p;
	f->mem = mem;
	return f;
}

static void fiber_free(struct fiber *f)
{
	size_t page = (size_t)getpagesize();
#ifdef WP_ASAN
	/* the stack's frames leave poisoned red zones behind */
	__asan_unpoison_memory_region(f->mem + page, STACK_SIZE);
#endif
	munmap(f->mem, page + STACK_SIZE);
	free(f);
}

/* ------------------------------------------------------------ scheduling */

/* p->mu held: a fiber for job j (a kept one, or a new one), or NULL when
 * none can be had. */
static struct fiber *fiber_for(struct workpool *p, void (*fn)(void *), void *arg)
{
	struct fiber *f = p->spare_fibers;
	if (f) {
		p->spare_fibers = f->next;
		p->spare_count--;
	} else if (!(f = fiber_new(p))) {
		return NULL;
	}
	f->fn = fn;
	f->arg = arg;
	f->next = NULL;
	return f;
}

/* p->mu held: the first woken fiber, taken out of the queue, or NULL. */
static struct fiber *ready_pop(struct workpool *p)
{
	struct fiber *f = p->ready;
	if (f) {
		p->ready = f->next;
		if (!p->ready)
			p->ready_tail = NULL;
		f->next = NULL;
	}
	return f;
}

/* p->mu held: drops the first queued job (its struct kept for reuse). */
static void job_drop(struct workpool *p)
{
	struct job *j = p->head;
	p->head = j->next;
	if (!p->head)
		p->tail = NULL;
	j->next = p->spare;
	p->spare = j;
}

/* p->mu held: one job fewer; the waiters of workpool_free to wake when
 * none is left. */
static struct waiter *job_ended(struct workpool *p)
{
	return --p->live == 0 ? waitq_take(&p->ended) : NULL;
}

/* p->mu held: the next fiber to run, if a carrier may run one now (it is
 * then counted), or NULL. A job that can have no fiber runs here on the
 * carrier's own stack, the lock let go meanwhile, not counted: its waits
 * then block the carrier. */
static struct fiber *take_work(struct workpool *p)
{
	while (p->running < p->target) {
		struct fiber *f = ready_pop(p);
		if (f) {
			p->running++;
			return f;
		}
		struct job *j = p->head;
		if (!j)
			return NULL;
		struct job run = *j;
		job_drop(p);
		if ((f = fiber_for(p, run.fn, run.arg))) {
			p->running++;
			return f;
		}
		pthread_mutex_unlock(&p->mu);
		run.fn(run.arg);
		pthread_mutex_lock(&p->mu);
		struct waiter *done = job_ended(p);
		if (done) {
			pthread_mutex_unlock(&p->mu);
			waitq_wake(done);
			pthread_mutex_lock(&p->mu);
		}
	}
	return NULL;
}

/* p->mu held: f at the end of the ready queue. */
static void ready_append(struct workpool *p, struct fiber *f)
{
	f->next = NULL;
	if (p->ready_tail)
		p->ready_tail->next = f;
	else
		p->ready = f;
	p->ready_tail = f;
}

/* p->mu held: hands f to an idle carrier when one may run it (counting it),
 * to be posted once the lock is let go; else queues f. */
static void hand_or_queue(struct workpool *p, struct fiber *f, struct carrier **wake)
{
	struct carrier *c = p->idle;
	if (c && p->running < p->target) {
		p->idle = c->next;
		c->given = f;
		c->next = *wake;
		*wake = c;
		p->running++;
		return;
	}
	ready_append(p, f);
}

/* p->mu held: while a carrier may run more, the queued work goes to idle
 * carriers (after a blocking call freed a place). */
static void hand_queued(struct workpool *p, struct carrier **wake)
{
	while (p->idle && (p->ready || p->head) && p->running < p->target) {
		struct fiber *f = ready_pop(p);
		if (!f) {
			if (!(f = fiber_for(p, p->head->fn, p->head->arg)))
				return; /* a carrier that ends its fiber runs it inline */
			job_drop(p);
		}
		hand_or_queue(p, f, wake);
	}
}

/* Posts each carrier of list (taken from the idle list under the lock,
 * posted after it: each reads its given on its own). */
static void wake_all(struct carrier *list)
{
	while (list) {
		struct carrier *c = list;
		list = c->next; /* before the post: c then reuses next */
		sem_post(&c->wake);
	}
}

static void *carrier_main(void *arg)
{
	struct carrier *c = arg;
	struct workpool *p = c->p;
	struct fiber *later = NULL; /* yielded: queued once the next is taken */
	pthread_mutex_lock(&p->mu);
	for (;;) {
		struct fiber *f = take_work(p);
		if (later) {
			ready_append(p, later);
			later = NULL;
			if (!f)
				f = take_work(p);
		}
		if (f) {
			pthread_mutex_unlock(&p->mu);
		} else if (p->stop) {
			break;
		} else {
			c->next = p->idle;
			p->idle = c;
			pthread_mutex_unlock(&p->mu);
			while (sem_wait(&c->wake) != 0 && errno == EINTR)
				;
			f = c->given; /* written before the post, and counted */
			if (!f) {
				pthread_mutex_lock(&p->mu);
				break;
			}
		}
		c->counted = true;
		enter(c, f);
		/* Read before the waited-on lock is let go: from then on the
		 * fiber may be woken and run by another carrier. */
		bool ended = f->fn == NULL;
		bool yielded = f->yielded;
		f->yielded = false;
		pthread_mutex_t *release = f->release;
		f->release = NULL;
		if (release)
			pthread_mutex_unlock(release);
		struct waiter *done = NULL;
		pthread_mutex_lock(&p->mu);
		if (c->counted)
			p->running--;
		c->counted = false;
		if (yielded) /* behind the others, queued jobs too */
			later = f;
		if (ended) {
			if (p->spare_count < SPARE_MAX) {
				f->next = p->spare_fibers;
				p->spare_fibers = f;
				p->spare_count++;
				f = NULL;
			}
			done = job_ended(p);
		}
		if (done || (ended && f)) {
			pthread_mutex_unlock(&p->mu);
			if (f && ended)
				fiber_free(f);
			waitq_wake(done);
			pthread_mutex_lock(&p->mu);
		}
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* ------------------------------------------------------------ the pool */

struct workpool *workpool_new(size_t threads)
{
	struct workpool *p = xcalloc(1, sizeof *p);
	pthread_mutex_init(&p->mu, NULL);
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	p->target = cpus > 0 ? (size_t)cpus : 1;
	p->c = xcalloc(threads ? threads : 1, sizeof *p->c);
	for (size_t i = 0; i < threads; i++) {
		struct carrier *c = &p->c[p->n];
		c->p = p;
		sem_init(&c->wake, 0, 0);
		if (pthread_create(&c->th, NULL, carrier_main, c) == 0) {
			pthread_setname_np(c->th, "sa-carrier"); /* for top and perf */
			p->n++;
		} else {
			sem_destroy(&c->wake);
		}
	}
	if (!p->n) {
		workpool_free(p);
		return NULL;
	}
	if (p->target > p->n)
		p->target = p->n;
	return p;
}

void workpool_free(struct workpool *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	while (p->live)
		waitq_wait(&p->ended, &p->mu);
	p->stop = true;
	struct carrier *idle = p->idle;
	p->idle = NULL;
	for (struct carrier *c = idle; c; c = c->next)
		c->given = NULL;
	pthread_mutex_unlock(&p->mu);
	wake_all(idle);
	for (size_t i = 0; i < p->n; i++) {
		pthread_join(p->c[i].th, NULL);
		sem_destroy(&p->c[i].wake);
	}
	while (p->spare) {
		struct job *j = p->spare;
		p->spare = j->next;
		free(j);
	}
	while (p->spare_fibers) {
		struct fiber *f = p->spare_fibers;
		p->spare_fibers = f->next;
		fiber_free(f);
	}
	free(p->c);
	pthread_mutex_destroy(&p->mu);
	free(p);
}

void workpool_submit_all(struct workpool *p, void (*fn)(void *arg), void *const *args, size_t n)
{
	struct carrier *wake = NULL;
	pthread_mutex_lock(&p->mu);
	p->live += n;
	for (size_t i = 0; i < n; i++) {
		struct job *j = p->spare;
		if (j)
			p->spare = j->next;
		else
			j = xmalloc(sizeof *j);
		*j = (struct job){fn, args[i], NULL};
		if (p->tail)
			p->tail->next = j;
		else
			p->head = j;
		p->tail = j;
	}
	hand_queued(p, &wake);
	pthread_mutex_unlock(&p->mu);
	wake_all(wake);
}

/* ------------------------------------------------------------ blocking */

void workpool_block_begin(void)
{
	struct fiber *f = current;
	if (!f || f->blocking++)
		return;
	struct workpool *p = f->p;
	struct carrier *wake = NULL;
	pthread_mutex_lock(&p->mu);
	if (f->c->counted) {
		f->c->counted = false;
		p->running--;
		hand_queued(p, &wake);
	}
	pthread_mutex_unlock(&p->mu);
	wake_all(wake);
}

void workpool_block_end(void)
{
	struct fiber *f = current;
	if (!f || --f->blocking)
		return;
	struct workpool *p = f->p;
	pthread_mutex_lock(&p->mu);
	if (!f->c->counted) {
		f->c->counted = true;
		p->running++; /* over the target for a while, maybe: the carrier
		                 then idles after this fiber */
	}
	pthread_mutex_unlock(&p->mu);
}

bool workpool_yield(void)
{
	struct fiber *f = current;
	if (!f || f->blocking)
		return false;
	struct workpool *p = f->p;
	pthread_mutex_lock(&p->mu);
	bool others = p->ready || p->head;
	pthread_mutex_unlock(&p->mu);
	if (!others)
		return false;
	f->yielded = true;
	leave(f);
	return true;
}

int workpool_poll(struct pollfd *fds, nfds_t n, int timeout_ms)
{
	/* A short wait (libspf2's worker answers in well under a millisecond)
	 * keeps the carrier: handing its place to another, woken for it, and
	 * idling that one again after cost more than the wait. */
	int first = timeout_ms < 0 || timeout_ms > BLOCK_GRACE_MS ? BLOCK_GRACE_MS : timeout_ms;
	int64_t t0 = clock_mono_ms();
	int r = poll(fds, n, first);
	if (r != 0 || timeout_ms == first)
		return r;
	int left = timeout_ms;
	if (timeout_ms > 0) {
		int64_t spent = clock_mono_ms() - t0;
		left = spent >= timeout_ms ? 0 : timeout_ms - (int)spent;
	}
	workpool_block_begin();
	r = poll(fds, n, left);
	int e = errno;
	workpool_block_end();
	errno = e;
	return r;
}

/* ------------------------------------------------------------ waiting */

struct waiter {
	struct fiber *f; /* NULL: a plain thread, woken by its semaphore */
	sem_t sem;
	struct waiter *next;
};

void waitq_wait(struct waitq *q, pthread_mutex_t *mu)
{
	struct fiber *f = current;
	struct waiter w = {.f = f, .next = q->head};
	q->head = &w;
	if (f && !f->blocking) {
		/* its carrier lets mu go once it is off this stack: a waker
		 * (which takes mu) cannot queue the fiber before */
		f->release = mu;
		leave(f);
	} else {
		w.f = NULL;
		sem_init(&w.sem, 0, 0);
		pthread_mutex_unlock(mu);
		while (sem_wait(&w.sem) != 0 && errno == EINTR)
			;
		sem_destroy(&w.sem);
	}
	pthread_mutex_lock(mu);
}

struct waiter *waitq_take(struct waitq *q)
{
	struct waiter *w = q->head;
	q->head = NULL;
	return w;
}

struct waiter *waitq_take_one(struct waitq *q)
{
	struct waiter *w = q->head;
	if (w) {
		q->head = w->next;
		w->next = NULL;
	}
	return w;
}

struct waiter *waitq_take_onto(struct waitq *q, struct waiter *list)
{
	struct waiter *w = q->head;
	if (!w)
		return list;
	q->head = NULL;
	struct waiter *last = w;
	while (last->next)
		last = last->next;
	last->next = list;
	return w;
}

void waitq_wake(struct waiter *list)
{
	while (list) {
		/* the fibers of one pool in a row go back under one lock */
		struct workpool *p = list->f ? list->f->p : NULL;
		struct carrier *wake = NULL;
		if (p)
			pthread_mutex_lock(&p->mu);
		while (list && (list->f ? list->f->p : NULL) == p) {
			struct waiter *w = list;
			list = w->next; /* before the wake: w lives on the waiter's stack */
			if (p)
				hand_or_queue(p, w->f, &wake);
			else
				sem_post(&w->sem);
		}
		if (p) {
			pthread_mutex_unlock(&p->mu);
			wake_all(wake);
		}
	}
}
