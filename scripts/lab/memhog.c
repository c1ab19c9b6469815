/*
 * Memory hog of the lab (lab.sh fault hog-memory): holds the machine's free memory (MemFree of
 * /proc/meminfo, the figure libvirt's virNodeGetFreeMemory, and so each agent, reports as the
 * host's free memory) near a target, so that a test can meet a host without enough memory.
 *
 *   memhog LEAVE_FREE_MIB MAX_SECONDS
 *
 * It takes touched anonymous memory in 64 MiB chunks while MemFree is above the target, and
 * gives chunks back as soon as MemFree falls more than 256 MiB below it (something else needs
 * the memory); it asks the kernel to kill it first if memory runs out (oom_score_adj 1000).
 * It ends on SIGTERM/SIGINT or after MAX_SECONDS, whichever comes first. Prints one line when it
 * first reaches the target: "LMHOG ready holding_mib=H free_mib=F", and "LMHOG end ..." at exit.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define CHUNK_MIB 64L
#define MAX_CHUNKS 4096
#define SLACK_MIB 256L

static volatile sig_atomic_t stop;
static void on_signal(int sig) { (void)sig; stop = 1; }

static long mem_free_mib(void)
{
    FILE *f = fopen("/proc/meminfo", "r");
    char line[256];
    long kib = -1;
    if (!f) return -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "MemFree: %ld kB", &kib) == 1) break;
    fclose(f);
    return kib < 0 ? -1 : kib / 1024;
}

int main(int argc, char **argv)
{
    if (argc != 3) { fprintf(stderr, "usage: memhog LEAVE_FREE_MIB MAX_SECONDS\n"); return 2; }
    long leave = atol(argv[1]), max_s = atol(argv[2]);
    if (leave < 0 || max_s <= 0) { fprintf(stderr, "memhog: bad arguments\n"); return 2; }
    FILE *oom = fopen("/proc/self/oom_score_adj", "w");
    if (oom) { fputs("1000", oom); fclose(oom); }
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    setvbuf(stdout, NULL, _IOLBF, 0);

    static void *chunks[MAX_CHUNKS];
    int n = 0, ready = 0;
    struct timespec t0, now;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (!stop) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - t0.tv_sec >= max_s) break;
        long free_mib = mem_free_mib();
        if (free_mib < 0) { fprintf(stderr, "memhog: cannot read MemFree\n"); break; }
        if (free_mib > leave + CHUNK_MIB / 2 && n < MAX_CHUNKS) {
            long take = free_mib - leave < CHUNK_MIB ? free_mib - leave : CHUNK_MIB;
            void *p = mmap(NULL, (size_t)take << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (p == MAP_FAILED) { struct timespec w = { 0, 100000000 }; nanosleep(&w, NULL); continue; }
            memset(p, 0x4c, (size_t)take << 20);   /* touched: it counts as used, not just mapped */
            chunks[n++] = p;
            /* the chunk size is implied by the mapping; remember it in its first word */
            *(long *)p = take;
            continue;
        }
        if (free_mib < leave - SLACK_MIB && n > 0) {
            void *p = chunks[--n];
            munmap(p, (size_t)*(long *)p << 20);
            continue;
        }
        if (!ready) {
            long held = 0;
            for (int i = 0; i < n; i++) held += *(long *)chunks[i];
            printf("LMHOG ready holding_mib=%ld free_mib=%ld leave_free_mib=%ld\n", held, free_mib, leave);
            ready = 1;
        }
        struct timespec w = { 0, 100000000 };
        nanosleep(&w, NULL);
    }
    long held = 0;
    for (int i = 0; i < n; i++) { held += *(long *)chunks[i]; munmap(chunks[i], (size_t)*(long *)chunks[i] << 20); }
    printf("LMHOG end released_mib=%ld reason=%s\n", held, stop ? "signal" : "max-seconds");
    return 0;
}
