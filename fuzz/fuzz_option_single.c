/*
 * libFuzzer target: one MPTCP option (the input is everything after the kind byte: length,
 * subtype/flags, body) through mptcpv_option_decode() for every connection version and
 * segment kind (SYN, SYN/ACK, ACK, RST, with and without payload), so each subtype's forms
 * (ADD_ADDR v0/v1, DSS flag combinations, MP_CAPABLE per segment) are decoded every way on
 * every input. The option is an exact-size heap copy, so AddressSanitizer sees any read past
 * it; the declared length may exceed the bytes present (a cut option).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mptcpv/option.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const mptcpv_version versions[] = {MPTCPV_VERSION_UNKNOWN, MPTCPV_VERSION_0,
                                          MPTCPV_VERSION_1};

/* Segment kinds as (syn, ack, rst): SYN, SYN/ACK, ACK, RST, RST/ACK, no flag. */
static const uint8_t kinds[][3] = {
    {1, 0, 0}, {1, 1, 0}, {0, 1, 0}, {0, 0, 1}, {0, 1, 1}, {0, 0, 0},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MPTCPV_TCPOPT_MAX_LEN + 8)
        return 0; /* longer than any TCP options block: nothing new */
    size_t avail = size + 1;
    uint8_t *opt = malloc(avail);
    if (opt == NULL)
        return 0;
    opt[0] = MPTCPV_TCPOPT_KIND;
    if (size > 0)
        memcpy(opt + 1, data, size);
    for (size_t v = 0; v < sizeof(versions) / sizeof(versions[0]); v++) {
        for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
            for (uint32_t payload = 0; payload <= 1000; payload += 1000) {
                mptcpv_segment_info seg = {
                    .version = versions[v],
                    .syn = kinds[k][0],
                    .ack = kinds[k][1],
                    .rst = kinds[k][2],
                    .payload_len = payload,
                };
                mptcpv_options out;
                memset(&out, 0, sizeof(out));
                mptcpv_option *option = &out.options[out.count++];
                mptcpv_option_decode(opt, avail, 0, &seg, option, &out);
                /* Findings stay inside the option's bytes. */
                for (unsigned i = 0; i < out.finding_count; i++) {
                    const mptcpv_finding *f = &out.findings[i];
                    if ((size_t)f->offset + f->length > avail)
                        abort();
                }
                char text[160];
                char tiny[8];
                mptcpv_option_format(option, text, sizeof(text));
                mptcpv_option_format(option, tiny, sizeof(tiny));
            }
        }
    }
    free(opt);
    return 0;
}
