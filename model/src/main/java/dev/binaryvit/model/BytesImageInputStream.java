package dev.binaryvit.model;

import javax.imageio.stream.ImageInputStreamImpl;
import java.io.IOException;
import java.util.Objects;

/**
 * An {@code ImageInputStream} over bytes in memory that knows its length, as a file's does. ImageIO's
 * own stream for bytes reports an unknown length, and some readers (WBMP) recognise their format only
 * when the length is known and matches: without this, {@link Images#decode} accepted bytes that
 * {@link Images#read} refused for the same file (found by the image fuzz target).
 */
final class BytesImageInputStream extends ImageInputStreamImpl {

    private final byte[] bytes;

    BytesImageInputStream(byte[] bytes) {
        this.bytes = Objects.requireNonNull(bytes, "bytes");
    }

    @Override
    public int read() throws IOException {
        checkClosed();
        bitOffset = 0;
        return streamPos < bytes.length ? bytes[(int) streamPos++] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        checkClosed();
        Objects.checkFromIndexSize(off, len, b.length);
        bitOffset = 0;
        if (len == 0) return 0;
        if (streamPos >= bytes.length) return -1;
        int n = (int) Math.min(len, bytes.length - streamPos);
        System.arraycopy(bytes, (int) streamPos, b, off, n);
        streamPos += n;
        return n;
    }

    @Override
    public long length() {
        return bytes.length;
    }
}
