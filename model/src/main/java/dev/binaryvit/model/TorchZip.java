package dev.binaryvit.model;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * The part of the zip format that {@code torch.save} writes: uncompressed entries found through the
 * central directory (PyTorch's writer puts the sizes in data descriptors, not in the local headers,
 * so a streaming reader cannot work), with the zip64 end record PyTorch always adds. Every offset
 * and size is checked against the real file size before anything is allocated.
 */
final class TorchZip {

    /** An entry's data: {@code size} bytes at {@code start}, with the CRC-32 the central directory records. */
    record Entry(String name, long start, long size, int crc) {}

    /** Positional reads from an array or a file. */
    interface Source {
        long size() throws IOException;

        void read(long pos, byte[] dst, int off, int len) throws IOException;
    }

    private static final int EOCD = 0x06054b50, ZIP64_LOCATOR = 0x07064b50, ZIP64_EOCD = 0x06064b50;
    private static final int CENTRAL = 0x02014b50, LOCAL = 0x04034b50;
    private static final long U32 = 0xFFFFFFFFL;
    /** The largest byte[] a JVM reliably allocates. */
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    private final Source src;
    private final String where;
    private final Map<String, Entry> entries;

    private TorchZip(Source src, String where, Map<String, Entry> entries) {
        this.src = src;
        this.where = where;
        this.entries = Collections.unmodifiableMap(entries);
    }

    static Source source(byte[] bytes) {
        return new Source() {
            public long size() {
                return bytes.length;
            }

            public void read(long pos, byte[] dst, int off, int len) {
                System.arraycopy(bytes, Math.toIntExact(pos), dst, off, len);
            }
        };
    }

    static Source source(FileChannel ch, String where) {
        return new Source() {
            public long size() throws IOException {
                return ch.size();
            }

            public void read(long pos, byte[] dst, int off, int len) throws IOException {
                ByteBuffer bb = ByteBuffer.wrap(dst, off, len);
                while (bb.hasRemaining()) {
                    if (ch.read(bb, pos + bb.position() - off) < 0) {
                        throw new CheckpointException(where + "file ended at byte " + (pos + bb.position() - off)
                                + " while reading (was it truncated while being read?)");
                    }
                }
            }
        };
    }

    /** The entries by name, in central-directory order. */
    Map<String, Entry> entries() {
        return entries;
    }

    /** Reads the central directory; {@code where} is the file name and ": ", or "". */
    static TorchZip open(Source src, String where) throws IOException {
        long size = src.size();
        // The end record (22 bytes and a comment of up to 64 KB) is the last thing in the file.
        int tailLen = (int) Math.min(size, 22 + 0xFFFF);
        ByteBuffer tail = read(src, size - tailLen, tailLen);
        int eocd = tailLen - 22;
        while (eocd >= 0 && !(tail.getInt(eocd) == EOCD && u16(tail, eocd + 20) == tailLen - 22 - eocd)) eocd--;
        if (eocd < 0) throw bad(where, "no zip end record found: the file is truncated or not a zip archive");
        long cdEnd = size - tailLen + eocd;
        long count = u16(tail, eocd + 10), cdSize = u32(tail, eocd + 12), cdOffset = u32(tail, eocd + 16);
        if (eocd >= 20 && tail.getInt(eocd - 20) == ZIP64_LOCATOR) {
            // PyTorch always writes the zip64 end record; past 65535 entries or 4 GB only it is right.
            long z = tail.getLong(eocd - 12);
            if (z < 0 || z > cdEnd - 20 - 56) throw bad(where, "zip64 end record offset " + z + " is out of range");
            ByteBuffer r = read(src, z, 56);
            if (r.getInt(0) != ZIP64_EOCD) throw bad(where, "no zip64 end record at offset " + z);
            count = r.getLong(32);
            cdSize = r.getLong(40);
            cdOffset = r.getLong(48);
            cdEnd = z;
        }
        if (cdOffset < 0 || cdSize < 0 || cdOffset > cdEnd || cdSize > cdEnd - cdOffset) {
            throw bad(where, "zip central directory [" + cdOffset + ", +" + cdSize + ") lies outside the file");
        }
        if (cdSize > MAX_ARRAY || count < 0 || count > cdSize / 46) {
            throw bad(where, "zip central directory of " + cdSize + " bytes cannot hold the " + count + " entries it claims");
        }
        ByteBuffer cd = read(src, cdOffset, (int) cdSize);
        Map<String, Entry> entries = new LinkedHashMap<>();
        int p = 0;
        for (long k = 0; k < count; k++) {
            if (p > cdSize - 46 || cd.getInt(p) != CENTRAL) throw bad(where, "zip central directory entry " + k + " is corrupt");
            int flags = u16(cd, p + 8), method = u16(cd, p + 10), crc = cd.getInt(p + 16);
            long csize = u32(cd, p + 20), usize = u32(cd, p + 24), local = u32(cd, p + 42);
            int n = u16(cd, p + 28), x = u16(cd, p + 30), end = p + 46 + n + x + u16(cd, p + 32);
            if (end > cdSize) throw bad(where, "zip central directory entry " + k + " runs past the directory");
            byte[] nameBytes = new byte[n];
            cd.get(p + 46, nameBytes);
            String name = new String(nameBytes, StandardCharsets.UTF_8);
            String e = "zip entry '" + name + "' ";
            // A zip64 extra field holds, in this order, whichever of the three values were 0xFFFFFFFF.
            for (int f = p + 46 + n; f + 4 <= p + 46 + n + x; f += 4 + u16(cd, f + 2)) {
                int q = f + 4, fieldEnd = q + u16(cd, f + 2);
                if (fieldEnd > p + 46 + n + x) throw bad(where, e + "has a corrupt extra field");
                if (u16(cd, f) != 1) continue;
                long[] v = {usize, csize, local};
                for (int i = 0; i < 3; i++) {
                    if (v[i] != U32) continue;
                    if (q + 8 > fieldEnd) throw bad(where, e + "has a short zip64 extra field");
                    v[i] = cd.getLong(q);
                    q += 8;
                }
                usize = v[0];
                csize = v[1];
                local = v[2];
            }
            if ((flags & 1) != 0) throw bad(where, e + "is encrypted");
            if (method != 0) throw bad(where, e + "is compressed (method " + method + "); torch.save stores entries uncompressed");
            if (csize != usize || usize < 0) throw bad(where, e + "has inconsistent sizes " + csize + " and " + usize);
            if (local < 0 || local > cdOffset - 30) throw bad(where, e + "has its local header outside the file");
            ByteBuffer lh = read(src, local, 30);
            if (lh.getInt(0) != LOCAL) throw bad(where, e + "has no local header at offset " + local);
            long start = local + 30 + u16(lh, 26) + u16(lh, 28);
            if (start > cdOffset || usize > cdOffset - start) {
                throw bad(where, e + "data [" + start + ", +" + usize + ") runs into the central directory at " + cdOffset);
            }
            if (entries.put(name, new Entry(name, start, usize, crc)) != null) throw bad(where, e + "appears twice");
            p = end;
        }
        return new TorchZip(src, where, entries);
    }

    /** An entry's bytes, checked against its CRC-32; refused if larger than {@code max} bytes. */
    byte[] read(Entry e, long max) throws IOException {
        if (e.size() > Math.min(max, MAX_ARRAY)) {
            throw bad(where, "zip entry '" + e.name() + "' is " + e.size() + " bytes, more than the " + Math.min(max, MAX_ARRAY)
                    + " this reader accepts");
        }
        byte[] b = new byte[(int) e.size()];
        src.read(e.start(), b, 0, b.length);
        CRC32 crc = new CRC32();
        crc.update(b);
        // A stored CRC of 0 means none was computed (torch.serialization.set_crc32_options(False)).
        if (e.crc() != 0 && (int) crc.getValue() != e.crc()) {
            throw bad(where, "zip entry '" + e.name() + "' fails its CRC-32 check: the file is corrupt");
        }
        return b;
    }

    private static ByteBuffer read(Source src, long pos, int len) throws IOException {
        byte[] b = new byte[len];
        src.read(pos, b, 0, len);
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static int u16(ByteBuffer b, int i) {
        return Short.toUnsignedInt(b.getShort(i));
    }

    private static long u32(ByteBuffer b, int i) {
        return Integer.toUnsignedLong(b.getInt(i));
    }

    private static CheckpointException bad(String where, String problem) {
        return new CheckpointException(where + problem);
    }
}
