/*
 * Core microbenchmark: TCP option blocks decoded per second, and DSS checksum throughput
 * (mptcpv_csum_bytes) against memcpy of the same buffer, in one run.
 * usage: core_bench [seconds-per-measurement]
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mptcpv/dss.h"
#include "mptcpv/option.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 1.0;
    /* A Linux-style data segment's options: NOP NOP TS, then DSS A a M m + checksum. */
    static const uint8_t block[40] = {0x01, 0x01, 0x08, 0x0a, 0x7e, 0x9e, 0xe5, 0x70, 0xdc, 0xd6,
                                      0xe9, 0x32, 0x1e, 0x1c, 0x20, 0x0f, 0xff, 0x7d, 0x8e, 0xd5,
                                      0x86, 0x07, 0x54, 0xcc, 0xf7, 0x31, 0xee, 0x0b, 0xe5, 0x3b,
                                      0xe9, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x12, 0x6d, 0xcf};
    mptcpv_segment_info seg = {.version = MPTCPV_VERSION_1, .ack = true, .payload_len = 1400};
    mptcpv_options out;
    unsigned long long n = 0, sink = 0;
    double t0 = now(), t;
    do {
        for (int i = 0; i < 10000; i++) {
            mptcpv_options_decode(block, sizeof(block), &seg, &out);
            sink += out.options[0].u.dss.checksum;
        }
        n += 10000;
        t = now() - t0;
    } while (t < seconds);
    printf("options_decode: %.0f blocks/s (%.1f ns each)\n", (double)n / t, t / (double)n * 1e9);

#define BUF (64 * 1024) /* a macro, not an enum: clang 19 warns of enum-double arithmetic */
    uint8_t *src = malloc(BUF), *dst = malloc(BUF);
    for (int i = 0; i < BUF; i++)
        src[i] = (uint8_t)(i * 7 + 13);
    n = 0;
    t0 = now();
    do {
        for (int i = 0; i < 1000; i++) {
            src[i] ^= 1; /* keep the compiler from hoisting the work */
            sink += mptcpv_csum_bytes(src, BUF);
        }
        n += 1000;
        t = now() - t0;
    } while (t < seconds);
    double csum = (double)n * BUF / t;
    n = 0;
    t0 = now();
    do {
        for (int i = 0; i < 1000; i++) {
            src[i] ^= 1;
            memcpy(dst, src, BUF);
            sink += dst[i];
        }
        n += 1000;
        t = now() - t0;
    } while (t < seconds);
    double copy = (double)n * BUF / t;
    printf("checksum: %.2f GB/s, memcpy: %.2f GB/s, ratio %.2f (64 KiB buffer)\n", csum / 1e9,
           copy / 1e9, csum / copy);
    free(src);
    free(dst);
    return sink == 42 ? 1 : 0;
}
