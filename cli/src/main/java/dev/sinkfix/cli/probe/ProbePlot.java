package dev.sinkfix.cli.probe;

import dev.sinkfix.validator.probe.LayerNorms;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An SVG like the poster's figure: log residual norm along the repeated run (log positions),
 * original and patched, with the BoS and typical norms as reference lines.
 */
public final class ProbePlot {
    private static final int W = 760;
    private static final int H = 420;
    private static final int LEFT = 70;
    private static final int RIGHT = 180;
    private static final int TOP = 40;
    private static final int BOTTOM = 50;

    private ProbePlot() {
    }

    public static String svg(String title, LayerNorms original, LayerNorms patched) {
        List<Double> all = new ArrayList<>(List.of(original.bos(), original.typical()));
        for (float v : original.run()) {
            all.add((double) v);
        }
        if (patched != null) {
            for (float v : patched.run()) {
                all.add((double) v);
            }
        }
        double lo = Math.log10(all.stream().mapToDouble(d -> d).filter(d -> d > 0).min().orElse(1e-3)) - 0.1;
        double hi = Math.log10(all.stream().mapToDouble(d -> d).max().orElse(1)) + 0.1;
        int n = original.run().length;
        double xmax = Math.log10(Math.max(2, n));
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"12\">%n", W, H));
        s.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", W, H));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" font-size=\"14\">%s</text>%n", LEFT, escape(title)));
        double plotW = W - LEFT - RIGHT;
        double plotH = H - TOP - BOTTOM;
        s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.0f\" height=\"%.0f\" fill=\"none\" stroke=\"#888\"/>%n",
                LEFT, TOP, plotW, plotH));
        for (int d = (int) Math.ceil(lo); d <= Math.floor(hi); d++) {
            double y = TOP + plotH * (1 - (d - lo) / (hi - lo));
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">1e%d</text>%n", LEFT, LEFT + plotW, y, y, LEFT - 6, y + 4, d));
        }
        for (int d = 0; d <= Math.floor(xmax); d++) {
            double x = LEFT + plotW * d / xmax;
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d</text>%n",
                    x, H - BOTTOM + 16, (int) Math.pow(10, d)));
        }
        s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">repeat count (log)</text>%n",
                LEFT + plotW / 2, H - 12));
        s.append(String.format(Locale.ROOT, "<text x=\"16\" y=\"%.1f\" transform=\"rotate(-90 16 %.1f)\" "
                + "text-anchor=\"middle\">residual norm after layer %d (log)</text>%n", TOP + plotH / 2, TOP + plotH / 2,
                original.layer()));
        reference(s, original.bos(), "BoS", "#d62728", lo, hi, plotW, plotH);
        reference(s, original.typical(), "typical", "#7f7f7f", lo, hi, plotW, plotH);
        series(s, original.run(), "original", "#1f77b4", lo, hi, xmax, plotW, plotH, 0);
        if (patched != null) {
            series(s, patched.run(), "patched", "#2ca02c", lo, hi, xmax, plotW, plotH, 1);
        }
        s.append("</svg>\n");
        return s.toString();
    }

    private static void reference(StringBuilder s, double value, String label, String color, double lo, double hi,
                                  double plotW, double plotH) {
        if (!(value > 0)) {
            return;
        }
        double y = TOP + plotH * (1 - (Math.log10(value) - lo) / (hi - lo));
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                + "stroke-dasharray=\"6 4\"/><text x=\"%.1f\" y=\"%.1f\" fill=\"%s\">%s %.3g</text>%n",
                LEFT, LEFT + plotW, y, y, color, LEFT + plotW + 8, y + 4, color, label, value));
    }

    private static void series(StringBuilder s, float[] run, String label, String color, double lo, double hi,
                               double xmax, double plotW, double plotH, int legendRow) {
        StringBuilder points = new StringBuilder();
        for (int i = 0; i < run.length; i++) {
            if (!(run[i] > 0)) {
                continue;
            }
            double x = LEFT + plotW * Math.log10(i + 1) / xmax;
            double y = TOP + plotH * (1 - (Math.log10(run[i]) - lo) / (hi - lo));
            points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
        }
        s.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>%n",
                color, points.toString().trim()));
        double ly = TOP + 20 + 18 * legendRow;
        s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                + "stroke-width=\"2\"/><text x=\"%.1f\" y=\"%.1f\">%s</text>%n",
                LEFT + plotW + 8, LEFT + plotW + 28, ly + 40, ly + 40, color, LEFT + plotW + 34, ly + 44, label));
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
