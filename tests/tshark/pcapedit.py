"""Minimal classic-pcap reading and byte patching for corruption tests (Ethernet, Linux
SLL, SLL2 and raw IPv4/IPv6 link types). Checksums are left as they are: tshark does not verify
them by default, and a middlebox that rewrites bytes would not fix them either."""
import struct

LINK_HEADER = {1: 14, 113: 16, 276: 20, 101: 0, 228: 0, 229: 0}  # 276: Linux SLL2


def read(path):
    with open(path, "rb") as f:
        data = bytearray(f.read())
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (0xa1b2c3d4, 0xa1b23c4d) else ">"
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    frames = []
    pos = 24
    while pos + 16 <= len(data):
        incl = struct.unpack(endian + "I", data[pos + 8:pos + 12])[0]
        frames.append(pos + 16)
        pos += 16 + incl
    return data, linktype, frames


def tcp_offsets(data, linktype, start):
    """(TCP header offset, header length, payload offset) of the frame at |start|."""
    ip = start + LINK_HEADER[linktype]
    if data[ip] >> 4 == 4:
        ihl = (data[ip] & 0x0f) * 4
        tcp = ip + ihl
    else:
        tcp = ip + 40
    hlen = (data[tcp + 12] >> 4) * 4
    return tcp, hlen, tcp + hlen


def find_option(data, tcp, hlen, subtype):
    """Offset of the first kind-30 option of |subtype| in the TCP header."""
    pos = tcp + 20
    while pos < tcp + hlen:
        kind = data[pos]
        if kind == 0:
            break
        if kind == 1:
            pos += 1
            continue
        length = data[pos + 1]
        if kind == 30 and data[pos + 2] >> 4 == subtype:
            return pos
        if length < 2:
            break
        pos += length
    raise ValueError("no MPTCP subtype %d" % subtype)


def patch(src, dst, frame, subtype=None, offset=0, payload_offset=None, xor=0x01):
    """Copy |src| to |dst| with one byte of frame |frame| (1-based) flipped: at |offset| of
    its first |subtype| option, or at |payload_offset| of its TCP payload."""
    data, linktype, frames = read(src)
    tcp, hlen, payload = tcp_offsets(data, linktype, frames[frame - 1])
    if payload_offset is not None:
        at = payload + payload_offset
    else:
        at = find_option(data, tcp, hlen, subtype) + offset
    data[at] ^= xor
    with open(dst, "wb") as f:
        f.write(data)
