package dev.sinkfix.cli.inspect;

import java.io.PrintWriter;
import java.util.Map;

/** The human-readable form of an {@link InspectReport}: a summary first, then one block per layer. */
public final class InspectText {
    private InspectText() {
    }

    public static void print(InspectReport r, PrintWriter out) {
        out.printf("model        %s%n", r.model());
        out.printf("producer     %s (IR %d, opsets %s, %d nodes)%n", r.producer().isBlank() ? "unknown" : r.producer(),
                r.irVersion(), r.opsets(), r.nodes());
        for (InspectReport.DataFile f : r.externalData()) {
            boolean absent = r.missingData() != null && r.missingData().contains(f.location());
            out.printf("weights      %s: %d tensors, %s (%s)%n", f.location(), f.tensors(),
                    bytes(f.bytes()), absent ? "ABSENT: a graph-only model, not runnable as it is" : "referenced, not read");
        }
        if (r.merged() != null) {
            InspectReport.Merged m = r.merged();
            out.printf("merged       optimum's merged decoder: If '%s' on %s; with past in %s, without past in %s "
                    + "(patch and tap change both)%n", m.branchNode(), m.condition(), m.withPastBranch(), m.withoutPastBranch());
            out.printf("%n--- %s (with past) ---%n", m.withPastBranch());
        }
        if (r.decoder() != null) {
            printDecoder(r.decoder(), out);
        }
        if (r.merged() != null) {
            out.printf("%n--- %s (without past) ---%n", r.merged().withoutPastBranch());
            printDecoder(r.merged().withoutPast(), out);
        }
        out.println();
        if (r.sinkfixPatches().isEmpty()) {
            out.println("sinkfix      no patch recorded");
        }
        for (InspectReport.Patch p : r.sinkfixPatches()) {
            out.printf("sinkfix      layer %d patched: site %s, neurons %s, capture position %d (onnx-sinkfix %s)%n",
                    p.layer(), p.site(), p.neurons(), p.capturePosition(), p.toolVersion());
            ClampText.print(out, p);
        }
        if (r.unreadSinkfixMetadata() != null) {
            out.printf("sinkfix      unreadable patch metadata: %s%n", r.unreadSinkfixMetadata());
            r.whyUnreadable().forEach((k, why) -> out.printf("             %s: %s%n", k, why));
        }
        if (r.explain() != null) {
            out.printf("%nhow the matcher read the graph:%n");
            r.explain().forEach(note -> out.printf("  %s%n", note));
        }
        out.flush();
    }

    private static void printDecoder(InspectReport.DecoderInfo d, PrintWriter out) {
        out.printf("family       %s (%s)%n", d.family(), d.familyEvidence());
        out.printf("exporter     %s (%s)%n", d.exporter(), d.exporterEvidence());
        out.printf("shape        %d layers, hidden %s, intermediate %s, heads %s, kv heads %s, head dim %s, vocab %s%n",
                d.layers(), n(d.hiddenSize()), n(d.intermediateSize()), n(d.heads()), n(d.kvHeads()),
                n(d.headDim()), n(d.vocabSize()));
        out.printf("dtype        %s, opset %d%n", d.dtype(), d.opset());
        out.printf("inputs       ids %s, mask %s, positions %s%n", d.inputs().inputIds(),
                orNone(d.inputs().attentionMask()), orNone(d.inputs().positionIds()));
        out.printf("positions    %s%n", d.positions());
        out.printf("kv cache     %s%n", d.kvCache().isEmpty() ? "none"
                : d.kvCache().size() + " pairs, e.g. " + d.kvCache().get(0).pastKey() + " -> "
                + d.kvCache().get(0).presentKey());
        out.printf("embeddings   %s%n", d.embeddings());
        out.printf("logits       %s%n", orNone(d.logits()));
        for (InspectReport.Layer l : d.layerDetails()) {
            out.printf("%nlayer %d%s%n", l.index(), l.nameHint() == null ? "" : "  (names say " + l.nameHint() + ")");
            if (!l.recognized()) {
                out.printf("  MLP          not recognised (patch and site taps refused): %s%n", l.whyNotRecognized());
            }
            for (Map.Entry<String, String> s : l.sites().entrySet()) {
                out.printf("  site %-5s   %s%n", s.getKey(), s.getValue());
            }
            InspectReport.Attention a = l.attention();
            out.printf("  attention    %s, heads %s, kv heads %s%n", a.kind(), n(a.heads()), n(a.kvHeads()));
            out.printf("  probs        %s%n", a.probabilities() != null ? a.probabilities() : "none: " + a.note());
            out.printf("  attn out     %s%n", l.attentionOutput());
            out.printf("  mlp out      %s%n", l.mlpOutput());
            out.printf("  residual     %s%n", l.residualAfter());
        }
    }

    private static String n(long v) {
        return v < 0 ? "unknown" : Long.toString(v);
    }

    private static String orNone(String s) {
        return s == null ? "none" : s;
    }

    private static String bytes(long b) {
        if (b >= 1L << 30) {
            return String.format("%.1f GiB", b / (double) (1L << 30));
        }
        if (b >= 1L << 20) {
            return String.format("%.1f MiB", b / (double) (1L << 20));
        }
        return b + " bytes";
    }
}
