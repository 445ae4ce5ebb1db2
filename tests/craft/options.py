"""MPTCP option encoders (RFC 8684 3, RFC 6824 3), for crafted captures."""
import struct

NOP = b"\x01"


def mpc(version, flags, keys=(), data_len=None, csum=None):
    body = b"".join(struct.pack("!Q", k) for k in keys)
    if data_len is not None:
        body += struct.pack("!H", data_len)
        if csum is not None:
            body += struct.pack("!H", csum)
    return bytes([30, 4 + len(body), version & 0x0f, flags]) + body


def join_syn(addr_id, token, nonce, backup=False):
    return bytes([30, 12, 0x10 | int(backup), addr_id]) + struct.pack("!II", token, nonce)


def join_synack(addr_id, hmac64, nonce, backup=False):
    return bytes([30, 16, 0x10 | int(backup), addr_id]) + struct.pack("!QI", hmac64, nonce)


def join_ack(hmac20):
    return bytes([30, 24, 0x10, 0]) + hmac20


def dss(ack=None, ack64=False, dsn=None, dsn64=False, ssn=0, length=0, csum=None, fin=False):
    flags = 0
    body = b""
    if ack is not None:
        flags |= 0x01 | (0x02 if ack64 else 0)
        body += struct.pack("!Q" if ack64 else "!I", ack & (2**64 - 1 if ack64 else 0xffffffff))
    if dsn is not None:
        flags |= 0x04 | (0x08 if dsn64 else 0)
        body += struct.pack("!Q" if dsn64 else "!I", dsn & (2**64 - 1 if dsn64 else 0xffffffff))
        body += struct.pack("!IH", ssn, length)
        if csum is not None:
            body += struct.pack("!H", csum)
    if fin:
        flags |= 0x10
    return bytes([30, 4 + len(body), 0x20, flags]) + body


def add_addr_v1(addr_id, addr4, port=None, hmac=None, echo=False):
    body = bytes(addr4)
    if port is not None:
        body += struct.pack("!H", port)
    if hmac is not None:
        body += struct.pack("!Q", hmac)
    return bytes([30, 4 + len(body), 0x30 | int(echo), addr_id]) + body


def add_addr_v0(addr_id, addr, port=None):
    body = bytes(addr) + (struct.pack("!H", port) if port is not None else b"")
    return bytes([30, 4 + len(body), 0x30 | (4 if len(addr) == 4 else 6), addr_id]) + body


def remove_addr(ids):
    return bytes([30, 3 + len(ids), 0x40]) + bytes(ids)


def prio(backup, addr_id=None):
    if addr_id is None:
        return bytes([30, 3, 0x50 | int(backup)])
    return bytes([30, 4, 0x50 | int(backup), addr_id])


def mp_fail(dsn):
    return bytes([30, 12, 0x60, 0]) + struct.pack("!Q", dsn)


def fastclose(key):
    return bytes([30, 12, 0x70, 0]) + struct.pack("!Q", key)


def tcprst(reason, transient=False):
    return bytes([30, 4, 0x80 | int(transient), reason])


def raw(kind_len_bytes):
    return bytes(kind_len_bytes)
