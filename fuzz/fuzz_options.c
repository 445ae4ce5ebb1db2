/* libFuzzer target: the TCP options block decoder with any version and segment flags. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mptcpv/option.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    mptcpv_segment_info seg = {
        .version = (mptcpv_version)((data[0] % 3) - 1),
        .syn = data[0] & 0x04,
        .ack = data[0] & 0x08,
        .rst = data[0] & 0x10,
        .payload_len = data[0] & 0x20 ? 100 : 0,
    };
    /* Exact-size heap copy so AddressSanitizer sees any read past the block. */
    size_t len = size - 1;
    uint8_t *block = malloc(len > 0 ? len : 1);
    if (block == NULL)
        return 0;
    memcpy(block, data + 1, len);
    mptcpv_options out;
    mptcpv_options_decode(block, len, &seg, &out);
    char text[64];
    for (unsigned i = 0; i < out.count; i++)
        mptcpv_option_format(&out.options[i], text, (size_t)(data[0] & 0x3f));
    free(block);
    return 0;
}
