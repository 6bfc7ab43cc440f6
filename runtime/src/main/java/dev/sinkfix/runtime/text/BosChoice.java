package dev.sinkfix.runtime.text;

import dev.sinkfix.surgery.BadInputException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The BoS id a command starts its prompts with, chosen as {@code run} chooses it: {@code --bos}
 * when given, else the model folder's files ({@link SpecialIds}: {@code tokenizer.json}, then
 * {@code genai_config.json} / {@code config.json}), else the Llama default 1; the source says which.
 *
 * @param id     the token id
 * @param source {@code --bos}, {@code tokenizer.json}, {@code genai_config.json}, {@code config.json} or
 *               {@code default}
 */
public record BosChoice(long id, String source) {
    public static final String GIVEN = "--bos";

    /**
     * @param given    {@code --bos}, or null to read the folder
     * @param warnings where a tokenizer that does not load, or files that disagree, are reported
     */
    public static BosChoice resolve(Path model, Long given, Consumer<String> warnings) {
        if (given != null) {
            return new BosChoice(given, GIVEN);
        }
        ModelFolder folder = ModelFolder.of(model);
        TextTokenizer tokenizer = null;
        Optional<Path> json = folder.tokenizerJson();
        if (json.isPresent()) {
            try {
                tokenizer = TextTokenizer.open(json.get());
            } catch (BadInputException e) {
                warnings.accept(e.getMessage() + "; BoS from the config files instead");
            }
        }
        try {
            SpecialIds special = SpecialIds.resolve(folder, Optional.ofNullable(tokenizer));
            special.bosNote().ifPresent(warnings);
            return new BosChoice(special.bos(), special.bosSource());
        } finally {
            if (tokenizer != null) {
                tokenizer.close();
            }
        }
    }
}
