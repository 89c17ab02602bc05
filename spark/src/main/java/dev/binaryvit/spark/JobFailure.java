package dev.binaryvit.spark;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One line for a failed Spark job: the first cause that is ours, else the cause Spark reports. */
final class JobFailure {

    /** How Spark quotes a task's exception in its "Job aborted" message. */
    private static final Pattern QUOTED = Pattern.compile(
            "(?:dev\\.binaryvit\\.\\S+Exception|java\\.io\\.UncheckedIOException): ([^\\n]+)");

    private JobFailure() {}

    static String describe(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnreadableImageException) return t.getMessage();
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m == null) continue;
            Matcher q = QUOTED.matcher(m);
            if (q.find()) return q.group(1);
        }
        Throwable root = e;
        while (root.getCause() != null) root = root.getCause();
        String m = root.getMessage();
        return (m == null ? root.toString() : m).lines().findFirst().orElse(root.toString());
    }
}
