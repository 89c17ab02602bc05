package dev.binaryvit.bench;

import java.util.Locale;

/** Number formatting for the report: three significant figures, SI prefixes, a dash for what is not a number. */
final class Fmt {

    static final String NONE = "–";

    private static final String[] PREFIXES = {"", "k", "M", "G", "T", "P", "E"};

    private Fmt() {}

    /** {@code 1.23 G} + unit; values under 1000 plain. */
    static String si(double x, String unit) {
        if (!Double.isFinite(x)) {
            return NONE;
        }
        double a = Math.abs(x);
        int p = 0;
        while (a >= 999.5 && p < PREFIXES.length - 1) {
            a /= 1000;
            x /= 1000;
            p++;
        }
        String space = unit.isEmpty() && PREFIXES[p].isEmpty() ? "" : " ";
        return sig3(x) + space + PREFIXES[p] + unit;
    }

    /** Three significant figures, no exponent for ordinary magnitudes. */
    static String sig3(double x) {
        if (!Double.isFinite(x)) {
            return NONE;
        }
        double a = Math.abs(x);
        if (a == 0) {
            return "0";
        }
        if (a >= 100) {
            return String.format(Locale.ROOT, "%.0f", x);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.1f", x);
        }
        if (a >= 1) {
            return String.format(Locale.ROOT, "%.2f", x);
        }
        if (a >= 0.001) {
            return String.format(Locale.ROOT, "%.3g", x);
        }
        return String.format(Locale.ROOT, "%.2e", x);
    }

    /** A time in seconds as ns, µs, ms or s. */
    static String time(double seconds) {
        if (!Double.isFinite(seconds)) {
            return NONE;
        }
        double a = Math.abs(seconds);
        if (a >= 1) {
            return sig3(seconds) + " s";
        }
        if (a >= 1e-3) {
            return sig3(seconds * 1e3) + " ms";
        }
        if (a >= 1e-6) {
            return sig3(seconds * 1e6) + " µs";
        }
        return sig3(seconds * 1e9) + " ns";
    }

    /** Milliseconds with 3 significant figures, for the last line. */
    static String ms(double seconds) {
        return Double.isFinite(seconds) ? sig3(seconds * 1e3) : "n/a";
    }

    /** Bytes in binary units (KiB, MiB, GiB): for sizes of caches and working sets. */
    static String size(double bytes) {
        if (!Double.isFinite(bytes)) {
            return NONE;
        }
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        int u = 0;
        while (bytes >= 1024 && u < units.length - 1) {
            bytes /= 1024;
            u++;
        }
        return sig3(bytes) + " " + units[u];
    }

    /** A fraction as a percentage. */
    static String pct(double fraction) {
        if (!Double.isFinite(fraction)) {
            return NONE;
        }
        double p = fraction * 100;
        return (Math.abs(p) >= 10 ? String.format(Locale.ROOT, "%.0f", p) : String.format(Locale.ROOT, "%.1f", p)) + "%";
    }

    /** A ratio as {@code 12.3x}. */
    static String times(double ratio) {
        return Double.isFinite(ratio) ? sig3(ratio) + "x" : NONE;
    }

    /** A plain number: ints as ints, else three significant figures. */
    static String num(double x) {
        if (!Double.isFinite(x)) {
            return NONE;
        }
        if (x == Math.rint(x) && Math.abs(x) < 1e15) {
            return String.format(Locale.ROOT, "%d", (long) x);
        }
        return sig3(x);
    }

    /** Markdown-safe cell text. */
    static String cell(String s) {
        return s == null ? NONE : s.replace("|", "\\|").replace("\n", " ");
    }
}
