package dev.binaryvit.spark;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;

/**
 * The cores of this executor, the default thread count of its shared model: the tasks of an
 * executor take turns on the one model, so each forward pass may use all the executor's cores.
 */
final class ExecutorCores {

    private static final Pattern LOCAL = Pattern.compile("local\\[(\\*|\\d+)(,\\d+)?]");

    private ExecutorCores() {}

    /** {@code spark.executor.cores} when set; N for a {@code local[N]} master; else the JVM's processors. */
    static int get() {
        SparkEnv env = SparkEnv.get();
        int processors = Runtime.getRuntime().availableProcessors();
        if (env == null) return processors;
        return of(env.conf(), processors);
    }

    static int of(SparkConf conf, int processors) {
        if (conf.contains("spark.executor.cores")) return Math.max(1, conf.getInt("spark.executor.cores", 1));
        String master = conf.get("spark.master", "");
        if (master.equals("local")) return 1;
        Matcher m = LOCAL.matcher(master);
        if (m.matches()) return m.group(1).equals("*") ? processors : Math.max(1, Integer.parseInt(m.group(1)));
        return processors;
    }
}
