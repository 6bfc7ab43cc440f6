package dev.sinkfix.cli.run;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sinkfix.cli.Json;
import dev.sinkfix.runtime.Device;
import dev.sinkfix.runtime.generate.FullPass;
import dev.sinkfix.runtime.generate.Generation;
import dev.sinkfix.runtime.generate.Sampling;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What {@code run} did, as the lines after the streamed output or as one JSON document (schema
 * {@code onnx-sinkfix/run/1}). Exactly one of {@code generation} and {@code fullPass} is set.
 *
 * @param promptSource {@code text}, {@code ids} or {@code repeat}
 * @param text         the generated text, or the next token's text; null without a tokenizer
 * @param unavailable  why the model cannot generate; null where it can
 */
public record RunReport(Path model, Device provider, Optional<String> fallbackReason, String promptSource,
                        long[] promptIds, long bos, String bosSource, Set<Long> stops, String stopSource,
                        Sampling sampling, Generation generation, FullPass fullPass, String unavailable, String text,
                        List<String> notes) {

    public void printSummary(PrintWriter out) {
        if (generation != null) {
            long[] produced = generation.tokens(0);
            out.printf("prompt       %s%n", describePrompt());
            out.printf("generated    %d tokens, %s%n", produced.length,
                    generation.finish().get(0) == Generation.Finish.STOP_TOKEN
                            ? "ended at stop token " + produced[produced.length - 1]
                            : "reached --max-new-tokens");
            out.printf(Locale.ROOT, "prefill      %.2f ms%n", generation.prefillNanos() / 1e6);
            double rate = generation.decodeTokensPerSecond();
            out.println(generation.decodeNanos().length == 0 ? "decode       no decode step"
                    : String.format(Locale.ROOT, "decode       median %.2f ms/token, %.1f tokens/s (%d steps)",
                    generation.medianDecodeNanos() / 1e6, rate, generation.decodeNanos().length));
            out.printf("sampling     %s%n", describe(sampling));
            out.printf("stop         %s%n", stops.isEmpty() ? "none" : new TreeSet<>(stops) + " (" + stopSource + ")");
        } else {
            out.printf("next token   %d%s%n", fullPass.nextToken(), text == null ? "" : " " + quote(text));
            out.printf("prompt       %s%n", describePrompt());
            out.printf(Locale.ROOT, "full pass    %.2f ms%n", fullPass.nanos() / 1e6);
            fullPass.guesses().forEach(g -> out.printf("filled       %s%n", g));
        }
        out.printf("provider     %s%s%n", provider.id(), fallbackReason.isPresent() ? " (CUDA unavailable, see the warning)" : "");
        notes.forEach(n -> out.printf("note         %s%n", n));
        out.flush();
    }

    public String toJson() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("schema", "onnx-sinkfix/run/1");
        root.put("model", model.toString());
        root.put("provider", provider.id());
        root.put("fallback_reason", fallbackReason.orElse(null));
        root.put("generation_available", unavailable == null);
        root.put("unavailable_reason", unavailable);
        ObjectNode prompt = root.putObject("prompt");
        prompt.put("source", promptSource);
        prompt.put("tokens", promptIds.length);
        prompt.put("bos", bos);
        prompt.put("bos_source", bosSource);
        ids(prompt.putArray("ids"), promptIds);
        if (generation != null) {
            ObjectNode generated = root.putObject("generated");
            long[] produced = generation.tokens(0);
            generated.put("tokens", produced.length);
            ids(generated.putArray("ids"), produced);
            generated.put("text", text);
            generated.put("finish", generation.finish().get(0).name().toLowerCase(Locale.ROOT));
            ObjectNode timing = root.putObject("timing");
            timing.put("prefill_ms", generation.prefillNanos() / 1e6);
            timing.put("decode_steps", generation.decodeNanos().length);
            if (generation.decodeNanos().length > 0) {
                timing.put("decode_ms_median", generation.medianDecodeNanos() / 1e6);
                timing.put("decode_tokens_per_second", generation.decodeTokensPerSecond());
            } else {
                timing.putNull("decode_ms_median");
                timing.putNull("decode_tokens_per_second");
            }
            ObjectNode chosen = root.putObject("sampling");
            chosen.put("greedy", sampling.greedy());
            chosen.put("temperature", sampling.temperature());
            chosen.put("top_k", sampling.topK());
            chosen.put("top_p", sampling.topP());
            if (sampling.greedy()) {
                chosen.putNull("seed");
            } else {
                chosen.put("seed", sampling.seed());
            }
            ids(root.putArray("stop_tokens"), new TreeSet<>(stops).stream().mapToLong(Long::longValue).toArray());
            root.put("stop_source", stopSource);
        } else {
            ObjectNode pass = root.putObject("full_pass");
            pass.put("next_token", fullPass.nextToken());
            pass.put("text", text);
            pass.put("ms", fullPass.nanos() / 1e6);
            fullPass.guesses().forEach(pass.putArray("filled")::add);
        }
        notes.forEach(root.putArray("notes")::add);
        try {
            return Json.write(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write the run report as JSON", e);
        }
    }

    /** {@code 9 tokens (text; BoS 1 from tokenizer.json)}; given ids are the user's, so no BoS is claimed. */
    private String describePrompt() {
        String origin = promptSource.equals("ids") ? "ids" : promptSource + "; BoS " + bos + " from " + bosSource;
        return promptIds.length + " tokens (" + origin + ")";
    }

    private static void ids(ArrayNode array, long[] ids) {
        for (long id : ids) {
            array.add(id);
        }
    }

    static String describe(Sampling sampling) {
        if (sampling.greedy()) {
            return "greedy";
        }
        return String.format(Locale.ROOT, "temperature %s, top-k %s, top-p %s, seed %d", sampling.temperature(),
                sampling.topK() == 0 ? "off" : Integer.toString(sampling.topK()),
                sampling.topP() == 1 ? "off" : Double.toString(sampling.topP()), sampling.seed());
    }

    private static String quote(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }
}
