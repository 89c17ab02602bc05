package dev.binaryvit.model;

import java.io.IOException;
import java.io.Serial;

/** A file that is not a readable PyTorch checkpoint; the message names the file and the problem. */
public final class CheckpointException extends IOException {
    @Serial
    private static final long serialVersionUID = 1L;

    public CheckpointException(String message) {
        super(oneLine(message));
    }

    public CheckpointException(String message, Throwable cause) {
        super(oneLine(message), cause);
    }

    /** Names in a message come from the file and may be anything: escape control characters, cut absurd lengths. */
    private static String oneLine(String message) {
        if (message == null) return null;
        StringBuilder sb = new StringBuilder();
        int i = 0;
        for (; i < message.length() && sb.length() < 1000; i++) {
            char c = message.charAt(i);
            if (Character.isISOControl(c)) sb.append(String.format("\\u%04x", (int) c));
            else sb.append(c);
        }
        return i < message.length() ? sb + "..." : sb.toString();
    }
}
