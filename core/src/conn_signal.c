/*
 * Signals on an established connection: ADD_ADDR and its echo, REMOVE_ADDR, MP_PRIO,
 * MP_FASTCLOSE and MP_TCPRST (RFC 8684 3.3.8, 3.4, 3.5, 3.6; RFC 6824 3.3.8, 3.4, 3.5).
 */
#include <inttypes.h>
#include <string.h>

#include "tracker_internal.h"

static bool same_address(const mptcpv_add_addr *a, const mptcpv_add_addr *b)
{
    return a->addr_id == b->addr_id && a->family == b->family &&
           memcmp(a->addr, b->addr, a->family == 4 ? 4 : 16) == 0 &&
           (a->has_port ? a->port : 0) == (b->has_port ? b->port : 0);
}

static void remember(mpv_conn *c, int side, uint32_t frame, const mptcpv_add_addr *aa)
{
    if (c->announced == NULL)
        c->announced = g_malloc0(2 * sizeof(*c->announced));
    mpv_announced_addr *slot = &c->announced[side][c->announced_next[side]];
    c->announced_next[side] = (uint8_t)((c->announced_next[side] + 1) % CONN_MAX_ANNOUNCED);
    slot->frame = frame;
    slot->addr = *aa;
}

void mpv_conn_add_addr(mpv_seg_ctx *ctx, const mptcpv_option *option)
{
    const mptcpv_add_addr *aa = &option->u.add_addr;
    mpv_conn *c = ctx->sf->conn;
    bool from_client = mpv_seg_from_client(ctx);
    int side = from_client ? 0 : 1;
    mptcpv_segment_result *res = ctx->res;

    if (aa->echo) {
        /* RFC 8684 3.4.1: the echo repeats the peer's announcement without HMAC. */
        if (c->announced == NULL)
            return;
        const mpv_announced_addr *peer = c->announced[1 - side];
        for (int i = 0; i < CONN_MAX_ANNOUNCED; i++) {
            if (peer[i].frame != 0 && same_address(&peer[i].addr, aa) &&
                peer[i].frame > res->add_addr_echo_of)
                res->add_addr_echo_of = peer[i].frame;
        }
        return;
    }
    remember(c, side, ctx->seg->frame, aa);
    if (!aa->has_hmac)
        return; /* v0: ADD_ADDR carries no HMAC */

    const mptcpv_conn_facts *f = &c->facts;
    if (!f->has_client_key || !f->has_server_key) {
        res->add_addr_hmac = MPTCPV_VERDICT_UNVERIFIABLE;
        return;
    }
    uint64_t sender = from_client ? f->client_key : f->server_key;
    uint64_t receiver = from_client ? f->server_key : f->client_key;
    uint64_t legacy;
    uint64_t expected = mptcpv_add_addr_hmac(sender, receiver, aa, &legacy);
    res->expected_add_addr_hmac = expected;
    if (expected == aa->hmac) {
        res->add_addr_hmac = MPTCPV_VERDICT_GOOD;
        return;
    }
    res->add_addr_hmac = MPTCPV_VERDICT_BAD;
    if (legacy == aa->hmac) {
        mpv_seg_report(ctx, option, MPTCPV_RULE_ADD_ADDR_HMAC_LEGACY,
                       "ADD_ADDR id %u HMAC 0x%016" PRIx64 " is the left-most 64 bits; "
                       "the right-most are 0x%016" PRIx64,
                       aa->addr_id, aa->hmac, expected);
        return;
    }
    mpv_seg_report(ctx, option, MPTCPV_RULE_ADD_ADDR_HMAC_BAD,
                   "ADD_ADDR id %u HMAC 0x%016" PRIx64 ", expected 0x%016" PRIx64, aa->addr_id,
                   aa->hmac, expected);
}

/* The address id host |client_side| uses on subflow |s|, if known (id 0: initial). */
static bool sender_addr_id(const mpv_subflow *s, bool client_side, uint8_t *id)
{
    if (s->initial) {
        *id = 0;
        return true;
    }
    if (client_side == s->initiator_is_client) {
        *id = s->addr_id_a;
        return s->has_addr_id_a;
    }
    *id = s->addr_id_b;
    return s->has_addr_id_b;
}

void mpv_conn_remove_addr(mpv_seg_ctx *ctx, const mptcpv_option *option)
{
    const mptcpv_remove_addr *ra = &option->u.remove_addr;
    mpv_conn *c = ctx->sf->conn;
    bool from_client = mpv_seg_from_client(ctx);
    mptcpv_segment_result *res = ctx->res;
    for (guint i = 0; i < c->subflows->len; i++) {
        const mpv_subflow *s = g_ptr_array_index(c->subflows, i);
        uint8_t id;
        if (!sender_addr_id(s, from_client, &id))
            continue;
        for (unsigned k = 0; k < ra->count; k++) {
            if (ra->ids[k] == id && res->removed_count < MPTCPV_MAX_REMOVED_SUBFLOWS) {
                res->removed_subflows[res->removed_count++] = s->index;
                break;
            }
        }
    }
}

void mpv_conn_mp_prio(mpv_seg_ctx *ctx, const mptcpv_option *option)
{
    const mptcpv_mp_prio *prio = &option->u.mp_prio;
    if (!prio->has_addr_id) {
        ctx->sf->backup = prio->backup;
        return;
    }
    /* v0 4-byte form: every subflow using that address id of the sender (RFC 6824 3.3.8). */
    mpv_conn *c = ctx->sf->conn;
    bool from_client = mpv_seg_from_client(ctx);
    for (guint i = 0; i < c->subflows->len; i++) {
        mpv_subflow *s = g_ptr_array_index(c->subflows, i);
        uint8_t id;
        if (sender_addr_id(s, from_client, &id) && id == prio->addr_id)
            s->backup = prio->backup;
    }
}

void mpv_conn_fastclose(mpv_seg_ctx *ctx, const mptcpv_option *option)
{
    const mptcpv_conn_facts *f = &ctx->sf->conn->facts;
    bool from_client = mpv_seg_from_client(ctx);
    bool known = from_client ? f->has_server_key : f->has_client_key;
    if (!known) {
        ctx->res->fastclose_key = MPTCPV_VERDICT_UNVERIFIABLE;
        return;
    }
    /* RFC 8684 3.5: the option carries the receiver's key. */
    uint64_t expected = from_client ? f->server_key : f->client_key;
    uint64_t key = option->u.mp_fastclose.receiver_key;
    if (key == expected) {
        ctx->res->fastclose_key = MPTCPV_VERDICT_GOOD;
        return;
    }
    ctx->res->fastclose_key = MPTCPV_VERDICT_BAD;
    mpv_seg_report(
        ctx, option, MPTCPV_RULE_FASTCLOSE_KEY_BAD,
        "key %016" PRIx64 " is not the receiver's key %016" PRIx64 "%s", key, expected,
        key == (from_client ? f->client_key : f->server_key) ? " (it is the sender's own)" : "");
}

void mpv_conn_tcprst(mpv_seg_ctx *ctx, const mptcpv_option *option)
{
    ctx->sf->has_rst_reason = true;
    ctx->sf->rst_reason = option->u.mp_tcprst.reason;
}
