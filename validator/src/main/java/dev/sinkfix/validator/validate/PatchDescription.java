package dev.sinkfix.validator.validate;

import dev.sinkfix.surgery.BadInputException;
import dev.sinkfix.surgery.ir.Graph;
import dev.sinkfix.surgery.ir.Model;
import dev.sinkfix.surgery.ir.Value;
import dev.sinkfix.surgery.match.Decoder;
import dev.sinkfix.surgery.match.MlpSite;
import dev.sinkfix.surgery.rewrite.PatchRecord;
import dev.sinkfix.validator.PatchedLayer;
import java.util.ArrayList;
import java.util.List;

/**
 * What a patched model claims to do, layer by layer: read from its {@code sinkfix.*} metadata,
 * or given on the command line for a model patched by another tool or by hand.
 */
public final class PatchDescription {
    private PatchDescription() {
    }

    /** {@code --layer --neurons --site --capture-position}: takes the place of the metadata. */
    public record Override(int layer, List<Integer> neurons, MlpSite site, int capturePosition) {
        public Override {
            neurons = List.copyOf(neurons);
        }
    }

    /**
     * The patched layers, with the tensors to read in each model.
     *
     * @param given null to read the metadata
     */
    public static List<PatchedLayer> resolve(Model original, Decoder od, Model patched, Override given) {
        if (original.graph().inputs().stream().anyMatch(v -> v.name().startsWith("past_sink_state."))) {
            throw new BadInputException("the original model " + original.source() + " is itself patched (it has a "
                    + "past_sink_state input); give the model before the patch");
        }
        List<PatchRecord> records = PatchRecord.readAll(patched);
        List<PatchRecord> wanted = new ArrayList<>();
        if (given != null) {
            PatchRecord known = records.stream().filter(r -> r.layer() == given.layer() && r.site() == given.site())
                    .findFirst().orElse(null);
            wanted.add(new PatchRecord(given.layer(), given.neurons(), given.site(), given.capturePosition(), "?",
                    known == null ? null : known.siteTensor(), known == null ? null : known.patchedTensor()));
        } else if (records.isEmpty()) {
            throw new BadInputException("the patched model " + patched.source() + " records no sink patch (no "
                    + "sinkfix.layer.* metadata); for a model patched by another tool give --layer and --neurons "
                    + "(and --site, --capture-position where they are not up and 1)");
        } else {
            wanted.addAll(records);
        }
        List<PatchedLayer> layers = new ArrayList<>();
        java.util.Set<String> claimed = new java.util.HashSet<>();
        for (PatchRecord r : wanted) {
            layers.add(layer(original, od, patched, r, claimed));
        }
        return layers;
    }

    private static PatchedLayer layer(Model original, Decoder od, Model patched, PatchRecord r,
                                      java.util.Set<String> claimed) {
        int count = od.layers().size();
        if (r.layer() < 0 || r.layer() >= count) {
            throw new BadInputException("layer " + r.layer() + " does not exist: the model has " + count
                    + " layers, 0 to " + (count - 1));
        }
        if (r.neurons().isEmpty()) {
            throw new BadInputException("no neurons given for layer " + r.layer());
        }
        long width = od.layer(r.layer()).requireMlp().intermediateSize();
        for (int n : r.neurons()) {
            if (n < 0 || (width > 0 && n >= width)) {
                throw new BadInputException("neuron " + n + " is out of range for layer " + r.layer()
                        + ": its MLP has " + width + " neurons, 0 to " + (width - 1));
            }
        }
        if (r.capturePosition() < 0) {
            throw new BadInputException("capture position " + r.capturePosition() + " is negative");
        }
        Value site = od.layer(r.layer()).site(r.site());
        Graph pg = patched.graph();
        String patchedTensor = r.patchedTensor() != null && pg.value(r.patchedTensor()) != null
                ? r.patchedTensor() : replacement(site, pg, r);
        StateNames state = StateNames.of(original.graph(), pg, r.layer(), r.neurons().size(), claimed);
        return new PatchedLayer(r.layer(), r.site(), r.neurons(), r.capturePosition(), site.name(), patchedTensor,
                state.input(), state.output());
    }

    /**
     * What the site's former readers read in the patched model, found by name and by structure
     * ({@link PatchedGraphMap}): the patched value, whatever nodes produce it.
     */
    private static String replacement(Value site, Graph patched, PatchRecord r) {
        Value now = new PatchedGraphMap(patched).patchedValueOf(site);
        if (now.name().equals(site.name())) {
            throw new BadInputException("cannot find the patched " + r.site().cliName() + " site of layer " + r.layer()
                    + ": in the patched model the readers of " + site.name() + " still read it unchanged (is --site "
                    + "or --layer right?)");
        }
        return now.name();
    }
}
