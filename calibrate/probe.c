/*
 * scxlab cost probes: the machine figures behind sim/costs.ts (see docs/costs.md).
 * Build: clang-19 -O2 -pthread -o probe probe.c     Run: ./probe [name ...]
 * Each probe prints one line "name value unit  (how)". Needs two CPUs (0 and 1).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/prctl.h>
#include <unistd.h>

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void pin(int cpu) {
  cpu_set_t s;
  CPU_ZERO(&s);
  CPU_SET(cpu, &s);
  if (sched_setaffinity(0, sizeof s, &s) != 0) { perror("sched_setaffinity"); exit(1); }
}

static int cmp_d(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double median(double *v, int n) {
  qsort(v, n, sizeof *v, cmp_d);
  return v[n / 2];
}

/* ---- pipe ping-pong: round trip between two threads, same CPU or two CPUs ---- */
struct pp { int a[2], b[2], cpu, rounds; };

static void *pp_peer(void *arg) {
  struct pp *p = arg;
  char c;
  pin(p->cpu);
  for (int i = 0; i < p->rounds; i++) {
    if (read(p->a[0], &c, 1) != 1 || write(p->b[1], &c, 1) != 1) exit(1);
  }
  return NULL;
}

static double pingpong(int cpu_a, int cpu_b, int rounds) {
  struct pp p = { .cpu = cpu_b, .rounds = rounds };
  if (pipe(p.a) || pipe(p.b)) exit(1);
  pthread_t th;
  pthread_create(&th, NULL, pp_peer, &p);
  pin(cpu_a);
  char c = 'x';
  double t0 = now_ns();
  for (int i = 0; i < rounds; i++) {
    if (write(p.a[1], &c, 1) != 1 || read(p.b[0], &c, 1) != 1) exit(1);
  }
  double per = (now_ns() - t0) / rounds;
  pthread_join(th, NULL);
  close(p.a[0]); close(p.a[1]); close(p.b[0]); close(p.b[1]);
  return per;
}

/* the syscall pair alone: write then read of one byte on a pipe, never blocking */
static double pipe_syscalls(int rounds) {
  int f[2];
  char c = 'x';
  if (pipe(f)) exit(1);
  double t0 = now_ns();
  for (int i = 0; i < rounds; i++) {
    if (write(f[1], &c, 1) != 1 || read(f[0], &c, 1) != 1) exit(1);
  }
  double per = (now_ns() - t0) / rounds;
  close(f[0]); close(f[1]);
  return per;
}

/* ---- wakeup of an idle CPU: the sleeper blocks on CPU 1, CPU 0 writes after `idle_ns` ---- */
struct wk { int fd[2]; int n; double idle_ns; double *lat; _Atomic double stamp; };

static void *wk_sleeper(void *arg) {
  struct wk *w = arg;
  char c;
  pin(1);
  for (int i = 0; i < w->n; i++) {
    if (read(w->fd[0], &c, 1) != 1) exit(1);
    w->lat[i] = now_ns() - atomic_load(&w->stamp);
  }
  return NULL;
}

static double idle_wakeup(double idle_ns, int n) {
  struct wk w = { .n = n, .idle_ns = idle_ns };
  w.lat = calloc(n, sizeof(double));
  if (pipe(w.fd)) exit(1);
  pthread_t th;
  pthread_create(&th, NULL, wk_sleeper, &w);
  pin(0);
  char c = 'x';
  for (int i = 0; i < n; i++) {
    double until = now_ns() + idle_ns;
    while (now_ns() < until) {} /* CPU 0 stays busy, so CPU 1 alone is idle */
    atomic_store(&w.stamp, now_ns());
    if (write(w.fd[1], &c, 1) != 1) exit(1);
  }
  pthread_join(th, NULL);
  double m = median(w.lat, n);
  free(w.lat);
  return m;
}

/* ---- a CPU woken by its own timer after `idle_ns` idle: exit latency without an IPI ---- */
struct tw { double idle_ns; int n; double *late; };

static void *tw_sleeper(void *arg) {
  struct tw *w = arg;
  pin(1);
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0); /* no timer slack: wake at the programmed time */
  for (int i = 0; i < w->n; i++) {
    struct timespec at;
    clock_gettime(CLOCK_MONOTONIC, &at);
    double target = at.tv_sec * 1e9 + at.tv_nsec + w->idle_ns;
    at.tv_sec = (time_t)(target / 1e9);
    at.tv_nsec = (long)(target - at.tv_sec * 1e9);
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, NULL);
    w->late[i] = now_ns() - target;
  }
  return NULL;
}

static double timer_wakeup(double idle_ns, int n) {
  struct tw w = { .idle_ns = idle_ns, .n = n };
  w.late = calloc(n, sizeof(double));
  pthread_t th;
  pthread_create(&th, NULL, tw_sleeper, &w);
  pthread_join(th, NULL);
  double m = median(w.late, n);
  free(w.late);
  return m;
}

/* ---- cache line handoff: two CPUs take turns on one atomic word ---- */
static _Atomic uint64_t line __attribute__((aligned(64)));

static void *line_peer(void *arg) {
  int rounds = *(int *)arg;
  pin(1);
  for (uint64_t i = 0; i < (uint64_t)rounds; i++) {
    while (atomic_load_explicit(&line, memory_order_acquire) != 2 * i + 1) {}
    atomic_store_explicit(&line, 2 * i + 2, memory_order_release);
  }
  return NULL;
}

static double line_handoff(int rounds) {
  pthread_t th;
  atomic_store(&line, 0);
  pthread_create(&th, NULL, line_peer, &rounds);
  pin(0);
  double t0 = now_ns();
  for (uint64_t i = 0; i < (uint64_t)rounds; i++) {
    while (atomic_load_explicit(&line, memory_order_acquire) != 2 * i) {}
    atomic_store_explicit(&line, 2 * i + 1, memory_order_release);
  }
  double per = (now_ns() - t0) / (2.0 * rounds);
  pthread_join(th, NULL);
  return per;
}

/* ---- a spinlock held for a short queue operation, alone or fought over by two CPUs ---- */
static atomic_flag lk = ATOMIC_FLAG_INIT;
static volatile uint64_t queue_work[8];
static atomic_int lock_go;

static void lock_op(void) {
  while (atomic_flag_test_and_set_explicit(&lk, memory_order_acquire)) {}
  for (int k = 0; k < 8; k++) queue_work[k]++; /* a few stores, like linking a task into a list */
  atomic_flag_clear_explicit(&lk, memory_order_release);
}

static void *lock_peer(void *arg) {
  int n = *(int *)arg;
  pin(1);
  while (!atomic_load(&lock_go)) {}
  for (int i = 0; i < n; i++) lock_op();
  return NULL;
}

static double lock_cost(int n, int contended) {
  pthread_t th;
  atomic_store(&lock_go, 0);
  if (contended) pthread_create(&th, NULL, lock_peer, &n);
  pin(0);
  atomic_store(&lock_go, 1);
  double t0 = now_ns();
  for (int i = 0; i < n; i++) lock_op();
  double per = (now_ns() - t0) / n;
  if (contended) pthread_join(th, NULL);
  return per;
}

/* ---- cache refill after a migration: first pass over a warm working set on the other CPU ---- */
static double refill(size_t bytes) {
  volatile uint64_t *buf = aligned_alloc(64, bytes);
  size_t words = bytes / 8;
  double extra[15];
  for (int r = 0; r < 15; r++) {
    pin(0);
    for (int pass = 0; pass < 4; pass++) for (size_t i = 0; i < words; i += 8) buf[i]++;
    double t0 = now_ns();
    for (size_t i = 0; i < words; i += 8) buf[i]++;
    double warm = now_ns() - t0;
    pin(1);
    t0 = now_ns();
    for (size_t i = 0; i < words; i += 8) buf[i]++;
    extra[r] = (now_ns() - t0) - warm;
  }
  free((void *)buf);
  return median(extra, 15);
}

/* ---- a timer interrupt: a spinner's lost time per expiry of a timer on its own CPU ---- */
static _Atomic int spin_stop;

static void *timer_sleeper(void *arg) {
  long period_ns = *(long *)arg;
  pin(0);
  struct timespec next;
  clock_gettime(CLOCK_MONOTONIC, &next);
  while (!atomic_load(&spin_stop)) {
    next.tv_nsec += period_ns;
    while (next.tv_nsec >= 1000000000L) { next.tv_nsec -= 1000000000L; next.tv_sec++; }
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
  }
  return NULL;
}

static double spin_rate(double secs) {
  uint64_t it = 0;
  double end = now_ns() + secs * 1e9, t0 = now_ns();
  while (now_ns() < end) it++;
  return it / (now_ns() - t0);
}

static double timer_wake_cost(long period_ns, double secs) {
  pin(0);
  double base = spin_rate(secs);
  pthread_t th;
  atomic_store(&spin_stop, 0);
  pthread_create(&th, NULL, timer_sleeper, &period_ns);
  double with = spin_rate(secs);
  atomic_store(&spin_stop, 1);
  pthread_join(th, NULL);
  /* lost fraction of the CPU times the period: the time one expiry takes from the spinner */
  return (1.0 - with / base) * period_ns;
}

int main(int argc, char **argv) {
  int all = argc < 2;
  for (int i = all ? 0 : 1; all ? i < 1 : i < argc; i++) {
    const char *w = all ? "all" : argv[i];
    int any = !strcmp(w, "all");
    if (any || !strcmp(w, "pipe")) {
      double sys = pipe_syscalls(200000);
      double same = pingpong(0, 0, 100000), cross = pingpong(0, 1, 100000);
      printf("pipe_syscalls %.0f ns  (write+read of 1 byte, no blocking)\n", sys);
      printf("pipe_roundtrip_same_cpu %.0f ns  (two threads on CPU 0: 2 switches + 2 syscall pairs)\n", same);
      printf("context_switch %.0f ns  ((same-cpu round trip - 2 syscall pairs) / 2)\n", (same - 2 * sys) / 2);
      printf("pipe_roundtrip_two_cpus %.0f ns  (threads on CPU 0 and 1: 2 remote wakeups)\n", cross);
    }
    if (any || !strcmp(w, "wakeup")) {
      /* shorter idle times than 20 us do not work here: the writer outruns the reader blocking */
      const double idle[] = { 20e3, 100e3, 400e3, 2e6, 10e6 };
      for (int k = 0; k < 5; k++)
        printf("idle_wakeup_after_%.0fus %.0f ns  (median write-to-running latency onto idle CPU 1)\n", idle[k] / 1e3, idle_wakeup(idle[k], idle[k] >= 2e6 ? 100 : 1000));
      for (int k = 0; k < 5; k++)
        printf("timer_wakeup_after_%.0fus %.0f ns  (median lateness of a timer waking idle CPU 1 itself, no slack)\n", idle[k] / 1e3, timer_wakeup(idle[k], idle[k] >= 2e6 ? 100 : 1000));
    }
    if (any || !strcmp(w, "line")) printf("line_handoff %.0f ns  (one cache line passed between CPU 0 and 1)\n", line_handoff(2000000));
    if (any || !strcmp(w, "lock")) {
      printf("lock_uncontended %.0f ns  (spinlock + 8 stores, one CPU)\n", lock_cost(5000000, 0));
      printf("lock_contended %.0f ns  (same, CPU 0 and 1 fighting; per op on CPU 0)\n", lock_cost(2000000, 1));
    }
    if (any || !strcmp(w, "refill")) {
      const size_t sz[] = { 32u << 10, 256u << 10, 1u << 20, 4u << 20 };
      for (int k = 0; k < 4; k++) printf("refill_%zuKiB %.0f ns  (first pass on CPU 1 minus a warm pass on CPU 0)\n", sz[k] >> 10, refill(sz[k]));
    }
    if (any || !strcmp(w, "timer")) printf("timer_expiry %.0f ns  (spinner's lost time per 100 us timer wakeup on its CPU, incl. 2 switches)\n", timer_wake_cost(100000, 2.0));
  }
  return 0;
}
