/*
 * livemig guest workload: dirties memory at a set rate and verifies it all the time,
 * so a live migration that loses or mangles a page is seen at once (LMCORRUPT) instead
 * of as a random guest crash later.
 *
 * Single-threaded on purpose: dirtying and verifying never race, so any mismatch is
 * corruption from outside the program (i.e. the migration), never a false alarm.
 *
 * Parameters: from /proc/cmdline (lm.dirty_mib=N lm.dirty_rate=R lm.content=random|compressible
 * lm.name=NAME lm.debug_port=P), then overridden by argv:
 *   workload [--mib N] [--rate R] [--content random|compressible] [--seconds S]
 *            [--inject-corruption-after S] [--name NAME] [--debug-port P]
 *
 * Debug hook (lab guests only, off unless a port is given): the workload listens on TCP port P
 * and serves one command per connection, a line:
 *   corrupt   flips one byte of a page behind the verifier's back (as --inject-corruption-after
 *             does), prints LMINJECT on the console and answers with the same line; the next
 *             pass over that page reports LMCORRUPT. This is how a test proves, on a running
 *             guest, that a mangled page is seen.
 *   status    answers with the current LMHB fields (nothing is changed)
 * Anything else is answered with "LMERR unknown command".
 *
 * Output lines (stdout, one line each, flushed):
 *   LMSTART mib=.. rate_mibps=.. content=.. pages=.. name=.. seconds=.. inject_after=..
 *   LMHB seq=<n> uptime_ms=<ms> mib=<N> rate_mibps=<R> content=<c> dirtied_pages=<total>
 *        verified_pages=<total> sweeps=<full sweeps> errors=<total> write_mibps=<last second>
 *   LMCORRUPT page=<i> reason=<magic|index|generation|content|checksum> expected=<x> got=<y> ...
 *   LMINJECT page=<i> offset=<o> via=<timer|debug-port>   (a deliberate corruption, see above)
 *   LMEXIT reason=<..> errors=<n>          (only when a --seconds bound ends the run)
 *
 * Build: gcc -O2 -static -o workload workload.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define PAGE_SIZE 4096u
#define HDR_WORDS 4u                                   /* magic, index, generation, checksum */
#define BODY_WORDS (PAGE_SIZE / 8u - HDR_WORDS)        /* 508 x 64-bit words */
#define PAGE_MAGIC 0x4c4d504147453031ull               /* "LMPAGE01" */
#define TICK_NS 10000000ll                             /* pacing tick: 10 ms */
#define VERIFY_SHARE_NS 5000000ll                      /* verify for at most half a tick, then sleep */
#define MIN_VERIFY_PER_TICK 8u                         /* sweeps progress even if dirtying eats the tick */
#define MAX_CORRUPT_LINES_PER_SEC 5
#define STAMP_EVERY 128u                               /* compressible: one varying word per KiB */

enum content { CONTENT_RANDOM, CONTENT_COMPRESSIBLE };

struct page {
    uint64_t magic;
    uint64_t index;
    uint64_t generation;
    uint64_t checksum;          /* of the body words */
    uint64_t body[BODY_WORDS];
};
_Static_assert(sizeof(struct page) == PAGE_SIZE, "page layout");

static struct {
    uint64_t mib;
    double rate;                /* MiB/s, 0 = verify only */
    enum content content;
    char name[64];
    double seconds;             /* <= 0: unbounded */
    double inject_after;        /* < 0: never */
    int debug_port;             /* 0: no debug hook */
} cfg = { 32, 8.0, CONTENT_RANDOM, "", 0, -1, 0 };

static struct page *pages;
static uint64_t *gens;          /* separate copy of each page's generation, cross-checked */
static uint64_t npages;
static uint64_t dirtied_total, verified_total, sweeps, errors;
static uint64_t corrupt_lines_this_sec, corrupt_suppressed;

/* ---------- small helpers ---------- */

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

static uint64_t splitmix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

static uint64_t page_seed(uint64_t index, uint64_t gen)
{
    return splitmix64(splitmix64(index) ^ (gen * 0xd1b54a32d192ed03ull));
}

/* Body word generator. random: xorshift64* stream (incompressible).
 * compressible: a 2-byte pattern from the page index repeated over the page, with one
 * (index, generation) stamp word per KiB; a rewrite changes only 32 bytes, so both
 * xbzrle (delta) and zstd/zlib (repetition) shrink it to almost nothing. */
struct gen_state { uint64_t s; uint64_t fill; uint64_t seed; };

static void gen_init(struct gen_state *g, uint64_t index, uint64_t gen)
{
    g->seed = page_seed(index, gen);
    g->s = g->seed | 1;                                /* xorshift state must be non-zero */
    uint64_t p16 = (splitmix64(index ^ 0x5555) & 0xffff) | 0x0101; /* non-zero bytes: no zero page */
    g->fill = p16 * 0x0001000100010001ull;
}

static inline uint64_t gen_word(struct gen_state *g, uint32_t i)
{
    if (cfg.content == CONTENT_COMPRESSIBLE)
        return (i % STAMP_EVERY == 0) ? splitmix64(g->seed + i) : g->fill;
    uint64_t x = g->s;
    x ^= x >> 12; x ^= x << 25; x ^= x >> 27;
    g->s = x;
    return x * 0x2545f4914f6cdd1dull;
}

static inline uint64_t csum_step(uint64_t h, uint64_t w)
{
    return (((h << 5) | (h >> 59)) ^ w) * 0x100000001b3ull;
}

static void emit(const char *line)
{
    fputs(line, stdout);
    fflush(stdout);
}

/* ---------- page write / verify ---------- */

static void write_page(uint64_t i, uint64_t gen)
{
    struct page *p = &pages[i];
    struct gen_state g;
    uint64_t h = 0;
    gen_init(&g, i, gen);
    for (uint32_t k = 0; k < BODY_WORDS; k++) {
        uint64_t w = gen_word(&g, k);
        p->body[k] = w;
        h = csum_step(h, w);
    }
    p->magic = PAGE_MAGIC;
    p->index = i;
    p->generation = gen;
    p->checksum = h;
    gens[i] = gen;
}

static void report(uint64_t i, const char *reason, uint64_t expected, uint64_t got, const char *extra)
{
    errors++;
    if (corrupt_lines_this_sec >= MAX_CORRUPT_LINES_PER_SEC) {  /* rate-limited, still counted */
        corrupt_suppressed++;
        return;
    }
    corrupt_lines_this_sec++;
    char line[256];
    snprintf(line, sizeof line,
             "LMCORRUPT page=%" PRIu64 " reason=%s expected=0x%016" PRIx64 " got=0x%016" PRIx64
             "%s errors=%" PRIu64 " !!!\n", i, reason, expected, got, extra, errors);
    emit(line);
}

/* One pass: header vs the generation array, then regenerate the body word by word,
 * comparing content and summing the actual words for the stored checksum. A bad page
 * is reported once and rewritten with the next generation, so `errors` counts
 * corruption events rather than re-counting one bad page every sweep. */
static int verify_page(uint64_t i)
{
    struct page *p = &pages[i];
    uint64_t gen = gens[i];
    verified_total++;
    if (p->magic != PAGE_MAGIC) {
        report(i, "magic", PAGE_MAGIC, p->magic, "");
    } else if (p->index != i) {
        report(i, "index", i, p->index, "");
    } else if (p->generation != gen) {
        report(i, "generation", gen, p->generation, " (header vs generation array)");
    } else {
        struct gen_state g;
        uint64_t h = 0, exp_w = 0, got_w = 0;
        int32_t bad = -1;
        gen_init(&g, i, gen);
        for (uint32_t k = 0; k < BODY_WORDS; k++) {
            uint64_t e = gen_word(&g, k), a = p->body[k];
            if (a != e && bad < 0) { bad = (int32_t)k; exp_w = e; got_w = a; }
            h = csum_step(h, a);
        }
        if (bad >= 0) {
            char extra[64];
            snprintf(extra, sizeof extra, " offset=%u gen=%" PRIu64,
                     (unsigned)(HDR_WORDS + (uint32_t)bad) * 8u, gen);
            report(i, "content", exp_w, got_w, extra);
        } else if (h != p->checksum) {
            report(i, "checksum", h, p->checksum, " (body ok, stored checksum differs)");
        } else {
            return 0;
        }
    }
    write_page(i, gen + 1);    /* repair so the next sweep sees a clean page */
    return 1;
}

/* ---------- parameters ---------- */

static int parse_content(const char *s, enum content *out)
{
    if (strcmp(s, "random") == 0) { *out = CONTENT_RANDOM; return 0; }
    if (strcmp(s, "compressible") == 0) { *out = CONTENT_COMPRESSIBLE; return 0; }
    return -1;
}

static void die_usage(const char *why)
{
    fprintf(stderr, "workload: %s\nusage: workload [--mib N] [--rate MiB/s] "
            "[--content random|compressible] [--seconds S] [--inject-corruption-after S] "
            "[--name NAME]\n", why);
    exit(2);
}

static double parse_num(const char *s, const char *what)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || v < 0) {
        char msg[128];
        snprintf(msg, sizeof msg, "bad value for %s: '%s'", what, s);
        die_usage(msg);
    }
    return v;
}

/* Kernel command line: used when this runs as the guest's workload (started by /init). */
static void parse_cmdline(void)
{
    FILE *f = fopen("/proc/cmdline", "r");
    if (!f) return;
    char buf[4096];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    for (char *save = NULL, *tok = strtok_r(buf, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save)) {
        if (!strncmp(tok, "lm.dirty_mib=", 13)) cfg.mib = (uint64_t)parse_num(tok + 13, "lm.dirty_mib");
        else if (!strncmp(tok, "lm.dirty_rate=", 14)) cfg.rate = parse_num(tok + 14, "lm.dirty_rate");
        else if (!strncmp(tok, "lm.content=", 11)) {
            if (parse_content(tok + 11, &cfg.content)) die_usage("bad lm.content (random|compressible)");
        } else if (!strncmp(tok, "lm.name=", 8)) snprintf(cfg.name, sizeof cfg.name, "%s", tok + 8);
        else if (!strncmp(tok, "lm.debug_port=", 14)) cfg.debug_port = (int)parse_num(tok + 14, "lm.debug_port");
    }
}

static void parse_argv(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) die_usage("help");
        if (i + 1 >= argc) die_usage("missing value");
        const char *v = argv[++i];
        if (!strcmp(a, "--mib")) cfg.mib = (uint64_t)parse_num(v, a);
        else if (!strcmp(a, "--rate")) cfg.rate = parse_num(v, a);
        else if (!strcmp(a, "--content")) { if (parse_content(v, &cfg.content)) die_usage("bad --content"); }
        else if (!strcmp(a, "--seconds")) cfg.seconds = parse_num(v, a);
        else if (!strcmp(a, "--inject-corruption-after")) cfg.inject_after = parse_num(v, a);
        else if (!strcmp(a, "--name")) snprintf(cfg.name, sizeof cfg.name, "%s", v);
        else if (!strcmp(a, "--debug-port")) cfg.debug_port = (int)parse_num(v, a);
        else die_usage("unknown option");
    }
    if (cfg.mib < 1 || cfg.mib > (1u << 20)) die_usage("mib must be 1..1048576");
    if (cfg.debug_port < 0 || cfg.debug_port > 65535) die_usage("debug port must be 0..65535");
}

/* ---------- deliberate corruption and the debug hook ---------- */

/* Flips one byte in the body of the middle page without updating its generation or checksum:
 * exactly what a lost or mangled page looks like to the verifier. */
static void inject_corruption(const char *via, char *out, size_t outlen)
{
    uint64_t victim = npages / 2;
    ((volatile unsigned char *)&pages[victim])[PAGE_SIZE / 2] ^= 0x5a;
    snprintf(out, outlen, "LMINJECT page=%" PRIu64 " offset=%u via=%s\n", victim, PAGE_SIZE / 2, via);
    emit(out);
}

static int debug_listen(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr.s_addr = htonl(INADDR_ANY) };
    if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, 4) < 0) { close(fd); return -1; }
    return fd;
}

/* At most one waiting connection per call (called once per tick): read one command line,
 * bounded by a short receive timeout so a silent client cannot stall the workload. */
static void debug_serve(int lfd, uint64_t seq)
{
    int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    if (c < 0) return;
    struct timeval tv = { 0, 500000 };
    setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    char cmd[64];
    size_t n = 0;
    while (n < sizeof cmd - 1) {
        ssize_t r = read(c, cmd + n, sizeof cmd - 1 - n);
        if (r <= 0) break;
        n += (size_t)r;
        if (memchr(cmd, '\n', n)) break;
    }
    cmd[n] = 0;
    cmd[strcspn(cmd, "\r\n")] = 0;
    char reply[256];
    if (!strcmp(cmd, "corrupt")) {
        inject_corruption("debug-port", reply, sizeof reply);
    } else if (!strcmp(cmd, "status")) {
        snprintf(reply, sizeof reply, "LMSTATUS seq=%" PRIu64 " verified_pages=%" PRIu64 " sweeps=%" PRIu64
                 " errors=%" PRIu64 "\n", seq, verified_total, sweeps, errors);
    } else {
        snprintf(reply, sizeof reply, "LMERR unknown command\n");
    }
    ssize_t w = write(c, reply, strlen(reply));
    (void)w;
    close(c);
}

/* ---------- main loop ---------- */

static uint64_t gcd(uint64_t a, uint64_t b) { while (b) { uint64_t t = a % b; a = b; b = t; } return a; }

int main(int argc, char **argv)
{
    parse_cmdline();
    parse_argv(argc, argv);
    const char *cname = cfg.content == CONTENT_RANDOM ? "random" : "compressible";
    npages = cfg.mib * (1024 * 1024 / PAGE_SIZE);

    char line[512];
    snprintf(line, sizeof line, "LMSTART mib=%" PRIu64 " rate_mibps=%g content=%s pages=%" PRIu64
             " name=%s seconds=%g inject_after=%g\n", cfg.mib, cfg.rate, cname, npages,
             cfg.name[0] ? cfg.name : "-", cfg.seconds, cfg.inject_after);
    emit(line);

    pages = mmap(NULL, npages * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    gens = calloc(npages, sizeof *gens);
    if (pages == MAP_FAILED || !gens) {
        fprintf(stdout, "LMFATAL cannot allocate %" PRIu64 " MiB\n", cfg.mib);
        fflush(stdout);
        return 3;
    }
    for (uint64_t i = 0; i < npages; i++) write_page(i, 0);

    int debug_fd = -1;
    if (cfg.debug_port > 0) {
        debug_fd = debug_listen(cfg.debug_port);
        snprintf(line, sizeof line, debug_fd >= 0 ? "LMDEBUG listening port=%d\n"
                 : "LMDEBUG cannot listen port=%d (debug hook off) !!!\n", cfg.debug_port);
        emit(line);
    }

    /* Dirty order: a stride coprime to npages visits every page once per npages steps,
     * scattered over the whole area (not sequential), so the whole working set stays hot. */
    uint64_t stride = (uint64_t)(npages * 0.6180339887) | 1;
    while (stride > 1 && gcd(stride, npages) != 1) stride--;
    if (stride == 0) stride = 1;
    uint64_t dirty_pos = 0, verify_pos = 0;

    const double pages_per_ns = cfg.rate * (1024.0 * 1024.0 / PAGE_SIZE) / 1e9;
    const double credit_cap = cfg.rate * (1024.0 * 1024.0 / PAGE_SIZE) / 4; /* <= 0.25 s catch-up */
    double credit = 0;
    const int64_t t0 = now_ns();
    int64_t last = t0, next_tick = t0, next_hb = t0 + 1000000000ll, last_hb = t0;
    const int64_t end = cfg.seconds > 0 ? t0 + (int64_t)(cfg.seconds * 1e9) : INT64_MAX;
    const int64_t inject_at = cfg.inject_after >= 0 ? t0 + (int64_t)(cfg.inject_after * 1e9) : INT64_MAX;
    int injected = 0;
    uint64_t seq = 0, dirtied_at_last_hb = 0;

    for (;;) {
        int64_t now = now_ns();

        if (now >= next_hb) {
            double secs = (now - last_hb) / 1e9;
            double wr = secs > 0 ? (dirtied_total - dirtied_at_last_hb) * (double)PAGE_SIZE / (1024.0 * 1024.0) / secs : 0;
            if (corrupt_suppressed) {
                snprintf(line, sizeof line, "LMCORRUPT suppressed=%" PRIu64 " (more mismatches, rate-limited) !!!\n",
                         corrupt_suppressed);
                emit(line);
                corrupt_suppressed = 0;
            }
            corrupt_lines_this_sec = 0;
            snprintf(line, sizeof line,
                     "LMHB seq=%" PRIu64 " uptime_ms=%" PRId64 " mib=%" PRIu64 " rate_mibps=%g content=%s"
                     " dirtied_pages=%" PRIu64 " verified_pages=%" PRIu64 " sweeps=%" PRIu64
                     " errors=%" PRIu64 " write_mibps=%.2f\n",
                     seq++, (now - t0) / 1000000, cfg.mib, cfg.rate, cname, dirtied_total,
                     verified_total, sweeps, errors, wr);
            emit(line);
            last_hb = now;
            dirtied_at_last_hb = dirtied_total;
            next_hb += 1000000000ll;
            if (next_hb <= now) next_hb = now + 1000000000ll;  /* stalled (e.g. SIGSTOP): no burst */
        }

        if (now >= end) {
            snprintf(line, sizeof line, "LMEXIT reason=seconds errors=%" PRIu64 "\n", errors);
            emit(line);
            return errors ? 1 : 0;
        }

        if (!injected && now >= inject_at) {       /* host self-test only: prove detection works */
            inject_corruption("timer", line, sizeof line);
            injected = 1;
        }
        if (debug_fd >= 0) debug_serve(debug_fd, seq);

        /* Dirty: earn credit from elapsed time, spend it in whole pages. Each page is
         * verified before it is overwritten so corruption can't be silently erased. */
        credit += (now - last) * pages_per_ns;
        if (credit > credit_cap) credit = credit_cap;
        last = now;
        while (credit >= 1.0) {
            verify_page(dirty_pos);
            write_page(dirty_pos, gens[dirty_pos] + 1);
            dirtied_total++;
            dirty_pos = (dirty_pos + stride) % npages;
            credit -= 1.0;
        }

        /* Verify: sequential sweeps, time-budgeted within the tick. */
        int64_t verify_until = next_tick + VERIFY_SHARE_NS;
        uint32_t done = 0;
        do {
            for (int k = 0; k < 16; k++) {
                verify_page(verify_pos);
                if (++verify_pos == npages) { verify_pos = 0; sweeps++; }
            }
            done += 16;
        } while (done < MIN_VERIFY_PER_TICK || now_ns() < verify_until);

        /* Sleep to the next tick (absolute, so pacing doesn't drift). */
        next_tick += TICK_NS;
        now = now_ns();
        if (next_tick <= now) next_tick = now + TICK_NS;   /* overran: don't try to catch up */
        struct timespec ts = { next_tick / 1000000000ll, next_tick % 1000000000ll };
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {}
    }
}
