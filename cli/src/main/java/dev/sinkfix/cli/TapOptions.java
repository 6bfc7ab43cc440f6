package dev.sinkfix.cli;

import dev.sinkfix.surgery.BadInputException;
import dev.sinkfix.surgery.match.MlpSite;
import dev.sinkfix.surgery.rewrite.TapRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Option;

/** Which taps to add: shared by {@code tap} and {@code patch --taps}. With none chosen, the four norms. */
public final class TapOptions {
    @Option(names = "--tap-layers", split = ",", paramLabel = "L",
            description = "Layers to tap (default: all).")
    List<Integer> layers;

    @Option(names = "--norms", description = "L2 norms of the residual stream (after the embeddings and each layer) "
            + "and of the attention and MLP outputs, [batch, seq] (the default when nothing else is chosen).")
    boolean norms;

    @Option(names = "--attn-to-first", description = "Attention probability each query gives to position 0, "
            + "[batch, heads, seq], where the graph has attention probabilities as a tensor.")
    boolean attentionToFirst;

    @Option(names = "--site-neurons", paramLabel = "SITE:N,N",
            description = "Chosen neurons of an MLP site (up, gate or act), [batch, seq, n]; repeatable.")
    List<String> sites = new ArrayList<>();

    @Option(names = "--resid", description = "Full residual-stream vectors after each tapped layer, [batch, seq, hidden].")
    boolean residualVectors;

    TapRequest request() {
        Map<MlpSite, List<Integer>> chosen = new EnumMap<>(MlpSite.class);
        for (String s : sites) {
            String[] parts = s.split(":", -1);
            MlpSite site = Arrays.stream(MlpSite.values()).filter(m -> m.cliName().equals(parts[0])).findFirst()
                    .orElseThrow(() -> new BadInputException("--site-neurons '" + s
                            + "': unknown site '" + parts[0] + "'; expected up, gate or act followed by :N,N"));
            try {
                if (parts.length != 2) {
                    throw new NumberFormatException();
                }
                chosen.put(site, Arrays.stream(parts[1].split(",")).map(String::trim).map(Integer::valueOf).toList());
            } catch (NumberFormatException e) {
                throw new BadInputException("--site-neurons '" + s + "' is not SITE:N,N (for example up:7890,10411)");
            }
        }
        Set<Integer> only = layers == null ? null : new HashSet<>(layers);
        return new TapRequest(only, norms, attentionToFirst, chosen, residualVectors);
    }
}
