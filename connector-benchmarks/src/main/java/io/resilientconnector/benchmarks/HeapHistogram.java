package io.resilientconnector.benchmarks;

import io.resilientconnector.transport.TransportType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A class histogram of the heap, as {@code jcmd <pid> GC.class_histogram} prints it, and what two of them say
 * per connection: for each class, the difference in bytes and instances between two connection counts, divided
 * by the difference in connections. That is what one more idle connection costs, class by class.
 */
final class HeapHistogram {

    private static final Pattern ROW = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+).*$");
    /** A lambda's class name differs from process to process ({@code Foo$$Lambda$125/0x...}): one row per outer class. */
    private static final Pattern LAMBDA = Pattern.compile("\\$\\$Lambda\\$\\d+/0x[0-9a-f]+");

    /** Class name to {instances, bytes}. */
    private final Map<String, long[]> rows = new HashMap<>();

    private HeapHistogram() {
    }

    static HeapHistogram parse(String text) {
        HeapHistogram h = new HeapHistogram();
        for (String line : text.split("\n")) {
            Matcher m = ROW.matcher(line);
            if (m.matches()) {
                String name = LAMBDA.matcher(m.group(3)).replaceAll("\\$\\$Lambda");
                h.rows.merge(name, new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))},
                        (x, y) -> new long[] {x[0] + y[0], x[1] + y[1]});
            }
        }
        return h;
    }

    static HeapHistogram read(Path file) throws IOException {
        return parse(Files.readString(file, StandardCharsets.UTF_8));
    }

    /** Per class, {instances, bytes} per connection from {@code from} at {@code n0} to {@code to} at {@code n1}. */
    static Map<String, double[]> perConnection(HeapHistogram from, int n0, HeapHistogram to, int n1) {
        Map<String, double[]> result = new HashMap<>();
        java.util.Set<String> names = new java.util.HashSet<>(from.rows.keySet());
        names.addAll(to.rows.keySet());
        for (String name : names) {
            long[] a = from.rows.getOrDefault(name, new long[2]);
            long[] b = to.rows.getOrDefault(name, new long[2]);
            result.put(name, new double[] {(b[0] - a[0]) / (double) (n1 - n0), (b[1] - a[1]) / (double) (n1 - n0)});
        }
        return result;
    }

    /**
     * Prints, for {@code transport}, a table of bytes per connection by class, one column per shape whose
     * histograms at {@code n0} and {@code n1} are in {@code dir}: the {@code rows} classes that cost most in any
     * shape, the rest together, and the total.
     */
    static void printPerConnection(TransportType transport, Path dir, List<String> impls, int n0, int n1, int rows)
            throws IOException {
        Map<String, Map<String, double[]>> byImpl = new LinkedHashMap<>();
        for (String impl : impls) {
            Path a = dir.resolve(impl + "-" + n0 + ".txt");
            Path b = dir.resolve(impl + "-" + n1 + ".txt");
            if (Files.exists(a) && Files.exists(b)) {
                byImpl.put(impl, perConnection(read(a), n0, read(b), n1));
            }
        }
        if (byImpl.isEmpty()) {
            return;
        }
        Map<String, Double> worst = new HashMap<>();
        for (Map<String, double[]> classes : byImpl.values()) {
            classes.forEach((name, v) -> worst.merge(name, v[1], Math::max));
        }
        List<String> top = new ArrayList<>(worst.keySet());
        top.sort(Comparator.comparingDouble((String name) -> -worst.get(name)).thenComparing(name -> name));
        top = top.subList(0, Math.min(rows, top.size()));

        System.out.println();
        System.out.println("Heap per connection by class, " + transport.name().toLowerCase(Locale.ROOT)
                + ": (histogram at " + n1 + " − histogram at " + n0 + ") / " + (n1 - n0)
                + "; bytes (instances) per connection; the classes that cost most in any shape, from " + dir);
        System.out.println();
        StringBuilder header = new StringBuilder("| class |");
        StringBuilder rule = new StringBuilder("|---|");
        for (String impl : byImpl.keySet()) {
            header.append(' ').append(impl).append(" |");
            rule.append("---|");
        }
        System.out.println(header);
        System.out.println(rule);
        for (String name : top) {
            StringBuilder row = new StringBuilder("| `" + name + "` |");
            for (Map<String, double[]> classes : byImpl.values()) {
                double[] v = classes.getOrDefault(name, new double[2]);
                row.append(' ').append(cell(v)).append(" |");
            }
            System.out.println(row);
        }
        StringBuilder rest = new StringBuilder("| the rest |");
        StringBuilder total = new StringBuilder("| total |");
        for (Map<String, double[]> classes : byImpl.values()) {
            double[] sum = new double[2];
            double[] others = new double[2];
            for (Map.Entry<String, double[]> e : classes.entrySet()) {
                sum[0] += e.getValue()[0];
                sum[1] += e.getValue()[1];
                if (!top.contains(e.getKey())) {
                    others[0] += e.getValue()[0];
                    others[1] += e.getValue()[1];
                }
            }
            rest.append(' ').append(cell(others)).append(" |");
            total.append(' ').append(cell(sum)).append(" |");
        }
        System.out.println(rest);
        System.out.println(total);
    }

    private static String cell(double[] v) {
        return Math.abs(v[1]) < 0.5 ? "0" : Bench.format(v[1], 0) + " (" + Bench.format(v[0], 2) + ")";
    }
}
