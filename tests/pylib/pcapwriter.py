"""The one classic-pcap writer of the Python tests and tools: Ethernet + IPv4/IPv6 + TCP
frames with correct IPv4 header and TCP checksums, fixed timestamps, byte-identical on every
run (Writer), and whole files of ready-made frames (pcap_bytes, write_pcap)."""
import ipaddress
import struct

MAGIC_US, MAGIC_NS = 0xa1b2c3d4, 0xa1b23c4d
# pcap_bytes: frame i gets the timestamp FIRST_SECOND + i (fraction 0).
FIRST_SECOND = 1700000000


def file_header(snaplen=65535, linktype=1, nanosecond=False, big_endian=False):
    """The 24-byte pcap file header (version 2.4)."""
    e = ">" if big_endian else "<"
    return struct.pack(e + "IHHiIII", MAGIC_NS if nanosecond else MAGIC_US, 2, 4, 0, 0,
                       snaplen, linktype)


def record_header(sec, frac, caplen, length, big_endian=False):
    """A record header: |frac| is micro- or nanoseconds, as the file header says."""
    return struct.pack((">" if big_endian else "<") + "IIII", sec, frac, caplen, length)


def pcap_bytes(frames, linktype=1, nanosecond=False, big_endian=False):
    """A classic pcap file's bytes from raw link-layer |frames|, frame i at FIRST_SECOND + i."""
    out = file_header(65535, linktype, nanosecond, big_endian)
    for i, frame in enumerate(frames):
        out += record_header(FIRST_SECOND + i, 0, len(frame), len(frame), big_endian) + frame
    return out


def write_pcap(path, frames, linktype=1, nanosecond=False, big_endian=False):
    """pcap_bytes() written to |path|."""
    with open(path, "wb") as f:
        f.write(pcap_bytes(frames, linktype, nanosecond, big_endian))


def ones_sum(data, total=0):
    if len(data) % 2:
        data += b"\0"
    for i in range(0, len(data), 2):
        total += (data[i] << 8) | data[i + 1]
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    return total


def checksum(data, total=0):
    return ~ones_sum(data, total) & 0xffff


class Writer:
    def __init__(self, path, snaplen=65535):
        self.f = open(path, "wb")
        self.snaplen = snaplen
        self.f.write(file_header(snaplen))
        self.frames = 0

    def close(self):
        self.f.close()

    def tcp(self, t, src, dst, sport, dport, seq, ack, flags, options=b"", payload=b"",
            window=65535, ttl=64, ip_id=0, caplen=None):
        """Write one TCP segment at time |t| (seconds, float); returns its frame number."""
        options = options + b"\0" * (-len(options) % 4)  # EOL padding to 32-bit words
        hlen = 20 + len(options)
        header = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xffffffff, ack & 0xffffffff,
                             (hlen // 4) << 4, flags, window, 0, 0) + options
        segment = header + payload
        s, d = ipaddress.ip_address(src), ipaddress.ip_address(dst)
        if s.version == 4:
            pseudo = s.packed + d.packed + struct.pack("!BBH", 0, 6, len(segment))
        else:
            pseudo = s.packed + d.packed + struct.pack("!IxxxB", len(segment), 6)
        csum = checksum(pseudo + segment)
        segment = segment[:16] + struct.pack("!H", csum) + segment[18:]
        if s.version == 4:
            ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(segment), ip_id, 0x4000, ttl, 6,
                             0, s.packed, d.packed)
            ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
            ethertype = 0x0800
        else:
            ip = struct.pack("!IHBB16s16s", 0x60000000, len(segment), 6, ttl, s.packed,
                             d.packed)
            ethertype = 0x86dd
        frame = (b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" +
                 struct.pack("!H", ethertype) + ip + segment)
        cap = len(frame) if caplen is None else min(caplen, len(frame))
        sec = int(t)
        usec = int(round((t - sec) * 1e6))
        self.f.write(record_header(sec, usec, cap, len(frame)) + frame[:cap])
        self.frames += 1
        return self.frames
