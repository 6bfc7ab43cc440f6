package dev.sinkfix.runtime.text;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The BoS and stop ids of a model, and where each came from. The tokenizer wins over
 * genai_config.json (or, without one, Hugging Face's config.json): it is what turns a text prompt
 * into ids, so a prompt built from ids ({@code --repeat}) begins the way a text prompt would.
 * Where they disagree, a note says so.
 *
 * @param bos        the id a prompt begins with
 * @param bosSource  {@code tokenizer.json}, {@code genai_config.json}, {@code config.json} or {@code default}
 * @param stops      ids that end generation; empty where nothing names one
 * @param stopSource {@code tokenizer_config.json}, {@code genai_config.json}, {@code config.json} or {@code none}
 * @param bosNote    where the files disagree about BoS, one line; empty where they agree
 * @param stopNote   where the files disagree about the stop ids, one line; empty where they agree
 */
public record SpecialIds(long bos, String bosSource, Set<Long> stops, String stopSource, Optional<String> bosNote,
                         Optional<String> stopNote) {
    /** The BoS of Llama and Mistral tokenizers, where nothing names one. */
    public static final long DEFAULT_BOS = 1;

    public SpecialIds {
        stops = Set.copyOf(stops);
        Objects.requireNonNull(bosNote, "bosNote");
        Objects.requireNonNull(stopNote, "stopNote");
    }

    /** Both notes, where there are any. */
    public List<String> notes() {
        return Stream.of(bosNote, stopNote).flatMap(Optional::stream).toList();
    }

    public static SpecialIds resolve(ModelFolder folder, Optional<TextTokenizer> tokenizer) {
        String bosNote = null;
        String stopNote = null;
        Set<Long> configBos = folder.genaiBosId().isPresent() ? Set.of(folder.genaiBosId().getAsLong())
                : folder.configBosId().isPresent() ? Set.of(folder.configBosId().getAsLong()) : Set.of();
        String configBosFile = folder.genaiBosId().isPresent() ? "genai_config.json" : "config.json";
        OptionalLong tokenizerBos = tokenizer.map(TextTokenizer::bosId).orElse(OptionalLong.empty());
        long bos;
        String bosSource;
        if (tokenizerBos.isPresent()) {
            bos = tokenizerBos.getAsLong();
            bosSource = "tokenizer.json";
            if (!configBos.isEmpty() && !configBos.contains(bos)) {
                bosNote = configBosFile + " says bos_token_id " + configBos.iterator().next()
                        + " but tokenizer.json begins prompts with " + bos + "; using " + bos;
            }
        } else if (!configBos.isEmpty()) {
            bos = configBos.iterator().next();
            bosSource = configBosFile;
        } else {
            bos = DEFAULT_BOS;
            bosSource = "default";
        }

        Set<Long> configEos = !folder.genaiEosIds().isEmpty() ? folder.genaiEosIds() : folder.configEosIds();
        String configEosFile = !folder.genaiEosIds().isEmpty() ? "genai_config.json" : "config.json";
        Optional<String> eosText = folder.specialToken("eos_token");
        OptionalLong tokenizerEos = tokenizer.isPresent() && eosText.isPresent()
                ? tokenizer.get().idOf(eosText.get()) : OptionalLong.empty();
        Set<Long> stops;
        String stopSource;
        if (tokenizerEos.isPresent()) {
            stops = Set.of(tokenizerEos.getAsLong());
            stopSource = "tokenizer_config.json";
            if (!configEos.isEmpty() && !configEos.equals(stops)) {
                stopNote = configEosFile + " says eos_token_id " + configEos + " but tokenizer_config.json's "
                        + eosText.get() + " is " + tokenizerEos.getAsLong() + "; stopping at " + tokenizerEos.getAsLong();
            }
        } else if (!configEos.isEmpty()) {
            stops = configEos;
            stopSource = configEosFile;
        } else {
            stops = Set.of();
            stopSource = "none";
        }
        return new SpecialIds(bos, bosSource, stops, stopSource, Optional.ofNullable(bosNote), Optional.ofNullable(stopNote));
    }
}
