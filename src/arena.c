/*
 * arena.c - bump allocation for everything a rule owns.
 *
 * A rule's AST, strings and value lists are allocated here and released
 * together by sc_arena_free(), so parsing and rewriting never track
 * individual frees and an error half-way through a rule cannot leak.
 * Chunks grow geometrically; an allocation larger than a chunk gets one
 * of its own.
 *
 * The geometric chunks come from a process-wide pool of large slabs that
 * the kernel may back with transparent huge pages: a corpus of thousands of
 * rules is tens of megabytes of small trees that all stay alive, and taking
 * each 4 KiB page with its own fault cost more than parsing them (measured
 * in docs/decisions.md). A freed chunk goes back to the pool for the next
 * rule; the slabs are returned at exit. Sanitizer builds keep plain malloc
 * so that every chunk stays visible to them.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "internal.h"

#define ARENA_MIN_CHUNK 4096u
#define ARENA_ALIGN 16u

typedef struct chunk {
    struct chunk *next;
    size_t used;
    size_t size;
    int pool_class; /* index into the pool's free lists; -1: from malloc */
    _Alignas(16) unsigned char data[];
} chunk;

#if defined(__SANITIZE_ADDRESS__)
#define ARENA_POOL 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARENA_POOL 0
#endif
#endif
#ifndef ARENA_POOL
#define ARENA_POOL 1
#endif

#define POOL_CLASSES 9 /* ARENA_MIN_CHUNK << 0 .. << 8 (1 MiB) */
#define SLAB_BYTES (8u << 20)
#define HUGE_PAGE (2u << 20)

typedef struct slab {
    struct slab *next;
    void *map;
    size_t map_len;
} slab;

static struct {
    pthread_mutex_t lock;
    chunk *free[POOL_CLASSES];
    unsigned char *cur; /* the carving point of the newest slab */
    size_t left;
    slab *slabs;
} pool = {.lock = PTHREAD_MUTEX_INITIALIZER};

static int pool_class_of(size_t size)
{
    for (int k = 0; k < POOL_CLASSES; k++)
        if (size == (size_t)ARENA_MIN_CHUNK << k)
            return k;
    return -1;
}

/* A new slab, aligned to a huge page so the kernel can back it with few. */
static bool pool_grow(void)
{
    size_t len = SLAB_BYTES + HUGE_PAGE;
    unsigned char *map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED)
        return false;
    unsigned char *start = (unsigned char *)(((uintptr_t)map + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
#ifdef MADV_HUGEPAGE
    (void)madvise(start, SLAB_BYTES, MADV_HUGEPAGE);
#endif
    slab *s = (slab *)start; /* the slab's record is its first bytes */
    s->map = map;
    s->map_len = len;
    s->next = pool.slabs;
    pool.slabs = s;
    pool.cur = start + 64;
    pool.left = SLAB_BYTES - 64;
    return true;
}

static size_t carved_bytes(size_t data_size)
{
    return (sizeof(chunk) + data_size + 63) & ~(size_t)63;
}

static chunk *pool_take(int k)
{
    size_t bytes = carved_bytes((size_t)ARENA_MIN_CHUNK << k);
    pthread_mutex_lock(&pool.lock);
    chunk *c = pool.free[k];
    if (c) {
        pool.free[k] = c->next;
    } else if (pool.left >= bytes || pool_grow()) {
        c = (chunk *)pool.cur;
        pool.cur += bytes;
        pool.left -= bytes;
    }
    pthread_mutex_unlock(&pool.lock);
    return c;
}

static void pool_give(chunk *c)
{
    pthread_mutex_lock(&pool.lock);
    c->next = pool.free[c->pool_class];
    pool.free[c->pool_class] = c;
    pthread_mutex_unlock(&pool.lock);
}

/* The largest class a chunk of `size` bytes can serve. */
static int pool_floor_class(size_t size)
{
    int k = 0;
    while (k + 1 < POOL_CLASSES && ((size_t)ARENA_MIN_CHUNK << (k + 1)) <= size)
        k++;
    return k;
}

__attribute__((destructor)) static void pool_release(void)
{
    while (pool.slabs) {
        slab *s = pool.slabs;
        pool.slabs = s->next;
        munmap(s->map, s->map_len);
    }
}

typedef struct cleanup {
    struct cleanup *next;
    void (*fn)(void *);
    void *ptr;
} cleanup;

struct sc_arena {
    chunk *head;
    size_t next_size;
    size_t total;
    cleanup *cleanups; /* run in reverse order of registration */
};

void sc_arena_trim(sc_arena *a)
{
    chunk *c = a ? a->head : NULL;
    if (!c || c->pool_class < 0)
        return;
    size_t keep = c->used > ARENA_MIN_CHUNK ? c->used : ARENA_MIN_CHUNK;
    pthread_mutex_lock(&pool.lock);
    unsigned char *end = (unsigned char *)c + carved_bytes(c->size);
    unsigned char *new_end = (unsigned char *)c + carved_bytes(keep);
    if (end == pool.cur && new_end < end) {
        pool.left += (size_t)(end - new_end);
        pool.cur = new_end;
        c->size = keep;
        c->pool_class = pool_floor_class(keep);
    }
    pthread_mutex_unlock(&pool.lock);
    a->next_size = ARENA_MIN_CHUNK;
}

sc_arena *sc_arena_new(void)
{
    sc_arena *a = calloc(1, sizeof *a);
    if (a)
        a->next_size = ARENA_MIN_CHUNK;
    return a;
}

/* Frees every chunk but `keep`. */
static void free_chunks(sc_arena *a, chunk *keep)
{
    for (cleanup *k = a->cleanups; k; k = k->next)
        k->fn(k->ptr);
    a->cleanups = NULL;
    chunk *c = a->head;
    while (c) {
        chunk *next = c->next;
        if (c != keep && c->pool_class >= 0)
            pool_give(c);
        else if (c != keep)
            free(c);
        c = next;
    }
}

void sc_arena_free(sc_arena *a)
{
    if (!a)
        return;
    free_chunks(a, NULL);
    free(a);
}

void sc_arena_reset(sc_arena *a)
{
    chunk *biggest = a->head;
    for (chunk *c = a->head; c; c = c->next)
        if (c->size > biggest->size)
            biggest = c;
    free_chunks(a, biggest);
    a->head = biggest;
    if (biggest) {
        biggest->next = NULL;
        biggest->used = 0;
    }
    a->total = 0;
}

static chunk *chunk_new(size_t size)
{
    int k = ARENA_POOL ? pool_class_of(size) : -1;
    chunk *c = k >= 0 ? pool_take(k) : NULL;
    if (!c) {
        k = -1;
        c = malloc(sizeof *c + size);
    }
    if (!c)
        return NULL;
    c->pool_class = k;
    c->next = NULL;
    c->used = 0;
    c->size = size;
    return c;
}

void *sc_arena_alloc(sc_arena *a, size_t size)
{
    if (!a)
        return NULL;
    if (size == 0)
        size = 1;
    if (size > SIZE_MAX / 2)
        return NULL;
    size = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    chunk *c = a->head;
    if (!c || c->size - c->used < size) {
        if (size > a->next_size / 4) {
            /* A big block gets its own chunk behind the current one, so
             * the current chunk's free space is not wasted. */
            chunk *big = chunk_new(size);
            if (!big)
                return NULL;
            big->used = size;
            if (c) {
                big->next = c->next;
                c->next = big;
            } else {
                a->head = big;
            }
            a->total += size;
            memset(big->data, 0, size);
            return big->data;
        }
        chunk *fresh = chunk_new(a->next_size);
        if (!fresh)
            return NULL;
        if (a->next_size < (1u << 20))
            a->next_size *= 2;
        fresh->next = a->head;
        a->head = fresh;
        c = fresh;
    }
    void *p = c->data + c->used;
    c->used += size;
    a->total += size;
    memset(p, 0, size);
    return p;
}

bool sc_arena_defer(sc_arena *a, void (*fn)(void *), void *ptr)
{
    cleanup *k = sc_arena_alloc(a, sizeof *k);
    if (!k)
        return false;
    k->fn = fn;
    k->ptr = ptr;
    k->next = a->cleanups;
    a->cleanups = k;
    return true;
}

size_t sc_arena_bytes(const sc_arena *a)
{
    return a ? a->total : 0;
}

char *sc_arena_strndup(sc_arena *a, const char *s, size_t len)
{
    char *p = sc_arena_alloc(a, len + 1);
    if (p && len)
        memcpy(p, s, len);
    return p;
}

char *sc_arena_strdup(sc_arena *a, const char *s)
{
    return s ? sc_arena_strndup(a, s, strlen(s)) : NULL;
}

char *sc_arena_printf(sc_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *p = sc_arena_alloc(a, (size_t)n + 1);
    if (!p)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

bool sc_vec_push(sc_arena *a, sc_vec *v, void *item)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 8;
        void **items = sc_arena_alloc(a, cap * sizeof *items);
        if (!items)
            return false;
        if (v->n)
            memcpy(items, v->items, v->n * sizeof *items);
        v->items = items;
        v->cap = cap;
    }
    v->items[v->n++] = item;
    return true;
}
